/** A/B: conv2d fwd+bwd with TF.js own input gradient vs core/fast-conv.ts, stride 1 and 2. npx tsx bench/conv-grad-ab.ts */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { conv2dFastGrad } from '../src/core/fast-conv.ts';
await initBackend();
for (const stride of [1, 2]) {
  const x = tf.randomUniform([16, 56, 56, 16]) as tf.Tensor4D, k = tf.randomUniform([3, 3, 16, 32]) as tf.Tensor4D;
  const f1 = () => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, k, stride, 'same')))(x).dataSync());
  const f2 = () => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.sum(conv2dFastGrad(v as tf.Tensor4D, k, stride, 'same')))(x).dataSync());
  const a: number[] = [], b: number[] = [];
  f1(); f2();
  for (let i = 0; i < 6; i++) { let t = performance.now(); f1(); a.push(performance.now() - t); t = performance.now(); f2(); b.push(performance.now() - t); }
  const med = (z: number[]) => [...z].sort((u, v) => u - v)[3]!.toFixed(0);
  console.log(`stride ${stride}: fwd+bwd TF.js own ${med(a)} ms, fast ${med(b)} ms`);
}
