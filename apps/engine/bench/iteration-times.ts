/** Per-iteration times (percentiles) of a real F-EP run on the shipped model: npx tsx bench/iteration-times.ts [iterations]. Development aid. */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { fep } from '../src/methods/fep.ts';
import { loadModel } from '../src/model/load-model.ts';
import { heldOutClip } from '../src/synth/synth-actions.ts';
await initBackend();
const model = await loadModel();
const s = heldOutClip(3, { frames: 16, height: 112, width: 112 });
const clip = tf.tensor4d(s.frames, [16, 112, 112, 3]);
const st: number[] = [];
await fep.explain({ clip, model, target: s.classIndex }, { iterations: Number(process.argv[2] ?? 60) }, () => { st.push(performance.now()); });
const d = st.slice(1).map((t, i) => t - st[i]!);
const q = (p: number) => [...d].sort((a, b) => a - b)[Math.floor(p * (d.length - 1))]!.toFixed(0);
console.log('p10', q(0.1), 'p50', q(0.5), 'p90', q(0.9), 'max', q(1), 'mean', (d.reduce((a, b) => a + b, 0) / d.length).toFixed(0));
console.log(d.map((x) => x.toFixed(0)).join(' '));
