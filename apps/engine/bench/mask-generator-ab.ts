/** Mask generator A/B at 16×112×112 (σ 11, step 7): fused SIMD kernel vs TF.js ops, forward and forward+backward, wall and CPU ms. npx tsx bench/mask-generator-ab.ts. Development aid. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { MaskGenerator } from '../src/core/mask-generator.ts';

await initBackend();
const B = Number(process.env.B ?? 16);
const reps = Number(process.env.REPS ?? 20);
const params = tf.randomUniform([B, 16, 16], 0, 1, 'float32', 3) as tf.Tensor3D;
const sync = (t: tf.Tensor) => void tf.slice(t.reshape([-1]), 0, 1).dataSync();
for (const kernel of ['simd', 'tensor'] as const) {
  const g = new MaskGenerator({ height: 112, width: 112, step: 7, sigma: 11, kernel });
  const fwd = () => tf.tidy(() => sync(g.generateCropped(params)));
  const bwd = () => tf.tidy(() => sync(tf.grad((p: tf.Tensor) => tf.sum(g.generateCropped(p as tf.Tensor3D)))(params)));
  for (const [name, fn] of [['fwd', fwd], ['fwd+bwd', bwd]] as const) {
    for (let i = 0; i < 3; i++) fn();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const cpu = process.cpuUsage(c0);
    console.log(`${kernel.padEnd(7)} ${name.padEnd(8)} wall ${((performance.now() - t0) / reps).toFixed(1)} ms  cpu ${((cpu.user + cpu.system) / 1000 / reps).toFixed(1)} ms`);
  }
  g.dispose();
}
