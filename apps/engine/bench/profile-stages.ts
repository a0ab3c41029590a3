/** Per-stage timing of one F-EP iteration (development aid). npx tsx bench/profile-stages.ts */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { ExtremalProblem } from '../src/core/extremal-perturbation.ts';
import { defaults } from '../src/methods/fep.ts';
import { buildR2Plus1D } from '../src/model/r2plus1d.ts';
import type { VideoClassifier } from '../src/methods/types.ts';

await initBackend();
const T = Number(process.env.T ?? 16), H = Number(process.env.H ?? 112);
// The shipped model (as loadModel returns it: layers frozen) unless SEEDED=1 or it is absent; then
// the architecture with seeded weights (STEM: stem pool, the shipped model uses 4).
const { existsSync } = await import('node:fs');
const { BUILTIN_MODEL_DIR, loadModel } = await import('../src/model/load-model.ts');
const shipped = process.env.SEEDED !== '1' && T === 16 && H === 112 && existsSync(`${BUILTIN_MODEL_DIR}/fep-model.json`);
let model: VideoClassifier;
if (shipped) model = await loadModel();
else {
  const net = buildR2Plus1D({ classes: 8, frames: T, height: H, width: H, diffStem: true, globalPool: 'avgmax', stemPool: Number(process.env.STEM ?? 4) });
  net.trainable = false;
  if (process.env.FREEZE !== '0') for (const l of net.layers) l.trainable = false;
  model = {
    name: 'r', version: '0', labels: Array.from({ length: 8 }, (_, i) => `c${i}`), weightsSha256: 'x',
    input: { frames: T, height: H, width: H, channels: 3, layout: 'NTHWC', valueRange: [0, 1], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    logits: (x) => net.apply(x) as tf.Tensor2D, dispose: () => net.dispose(),
  };
}
console.log(shipped ? 'model: shipped (loadModel)' : `model: seeded, stem pool ${process.env.STEM ?? 4}`);
const clip = tf.randomUniform([T, H, H, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const problem = new ExtremalProblem({ clip, model, target: 0 }, { ...defaults });
const params = problem.initialParams();
// wasm kernels run synchronously: reading one element is enough to make sure the work is done.
const sync = (t: tf.Tensor) => { tf.slice(t.reshape([-1]), 0, 1).dataSync(); };
async function time(name: string, fn: () => void, n = Number(process.env.REPS ?? 10)) {
  fn(); // warm
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  // Medians, and this process's CPU time: wall time alone is unreliable when other jobs share the cores.
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(`${name.padEnd(28)} ${med(wall).toFixed(1)} ms  (cpu ${med(cpu).toFixed(1)} ms)`);
}
const x5 = tf.tidy(() => problem.perturbed(problem.masks(params).cropped));
await time('model fwd', () => tf.tidy(() => sync(model.logits(x5))));
await time('model fwd+bwd', () => tf.tidy(() => sync(tf.grad((x: tf.Tensor) => tf.sum(model.logits(x as tf.Tensor5D)))(x5))));
await time('mask gen fwd', () => tf.tidy(() => sync(problem.masks(params).cropped)));
await time('mask gen fwd+bwd', () => tf.tidy(() => sync(tf.grad((p: tf.Tensor) => tf.sum(problem.masks(p as tf.Tensor4D).cropped))(params))));
const m = tf.tidy(() => problem.masks(params).cropped.reshape([1, T, H, H]) as tf.Tensor4D);
await time('blend fwd', () => tf.tidy(() => sync(problem.perturbation.apply(m))));
await time('blend fwd+bwd', () => tf.tidy(() => sync(tf.grad((q: tf.Tensor) => tf.sum(problem.perturbation.apply(q as tf.Tensor4D)))(m))));
const { areaLoss } = await import('../src/core/area-regulariser.ts');
const flat = m.reshape([1, T * H * H]) as tf.Tensor2D;
await time('area fwd+bwd', () => tf.tidy(() => sync(tf.grad((q: tf.Tensor) => tf.sum(areaLoss(q as tf.Tensor2D, [0.1])))(flat))));
await time('energy fwd+bwd (1 iter)', () => tf.tidy(() => sync(tf.grad((p: tf.Tensor) => problem.energy(p as tf.Tensor4D, 0))(params))));
console.log('tensors', tf.memory().numTensors, 'rss MB', (process.memoryUsage().rss / 1e6).toFixed(0));
