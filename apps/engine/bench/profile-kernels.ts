/** Kernel-level profile (tf.profile, aggregated by kernel and input shapes) of the model backward or a full F-EP energy fwd+bwd. npx tsx bench/profile-kernels.ts [model|energy] (FREEZE=1 freezes the layers). Development aid. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { ExtremalProblem } from '../src/core/extremal-perturbation.ts';
import { defaults } from '../src/methods/fep.ts';
import { buildR2Plus1D } from '../src/model/r2plus1d.ts';
import type { VideoClassifier } from '../src/methods/types.ts';
await initBackend();
const T = 16, H = 112;
const { existsSync } = await import('node:fs');
const { BUILTIN_MODEL_DIR, loadModel } = await import('../src/model/load-model.ts');
// The shipped model as loadModel returns it (frozen) when present, else seeded weights (STEM: stem pool).
let model: VideoClassifier;
if (process.env.SEEDED !== '1' && existsSync(`${BUILTIN_MODEL_DIR}/fep-model.json`)) model = await loadModel();
else {
  const net = buildR2Plus1D({ classes: 8, frames: T, height: H, width: H, diffStem: true, globalPool: 'avgmax', stemPool: Number(process.env.STEM ?? 4) });
  net.trainable = false; if (process.env.FREEZE) for (const l of net.layers) l.trainable = false;
  model = {
    name: 'r', version: '0', labels: Array.from({ length: 8 }, (_, i) => `c${i}`), weightsSha256: 'x',
    input: { frames: T, height: H, width: H, channels: 3, layout: 'NTHWC', valueRange: [0, 1], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    logits: (x) => net.apply(x) as tf.Tensor2D, dispose: () => net.dispose(),
  };
}
const clip = tf.randomUniform([T, H, H, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const problem = new ExtremalProblem({ clip, model, target: 0 }, { ...defaults });
const params = problem.initialParams();
const which = process.argv[2] ?? 'energy';
const f = () => tf.tidy(() => {
  if (which === 'model') { const x = tf.randomUniform([1, T, H, H, 3]); tf.grad((x: tf.Tensor) => tf.sum(model.logits(x as tf.Tensor5D)))(x); }
  else tf.grad((p: tf.Tensor) => problem.energy(p as tf.Tensor4D, 0))(params);
});
f();
// Minimum over REPS profiles per kernel and shapes: wall-clock kernel times are inflated whenever
// another process takes the core, the minimum filters that out.
const REPS = Number(process.env.REPS ?? 5);
const agg = new Map<string, { ms: number; n: number }>();
for (let r = 0; r < REPS; r++) {
  const prof = await tf.profile(f);
  const once = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) { if (k.name === "unnamed scope") continue; const key = k.name + ' ' + JSON.stringify(k.inputShapes); const e = once.get(key) ?? { ms: 0, n: 0 }; e.ms += k.kernelTimeMs as number; e.n++; once.set(key, e); }
  for (const [key, v] of once) { const e = agg.get(key); if (!e || v.ms < e.ms) agg.set(key, v); }
}
const rows = [...agg.entries()].sort((a, b) => b[1].ms - a[1].ms);
let tot = 0; for (const [, v] of rows) tot += v.ms;
console.log('total kernel ms', tot.toFixed(0));
for (const [k, v] of rows.slice(0, 30)) console.log(v.ms.toFixed(1).padStart(8), String(v.n).padStart(3), k.slice(0, 140));
