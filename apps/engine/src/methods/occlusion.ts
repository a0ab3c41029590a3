/**
 * Spatiotemporal occlusion: Zeiler & Fergus, "Visualizing and Understanding Convolutional
 * Networks", ECCV 2014 (§4.2: slide a grey occluder over the input and record the probability of
 * the correct class), extended to video with a box of `window` = [frames, height, width] moved with
 * `stride` per axis (the last position on each axis is clamped to the end, so every voxel is
 * covered). A voxel's saliency is the mean, over the boxes covering it, of the drop of the target
 * score score(x) − score(x with the box filled), clamped at 0 (evidence for the target).
 *
 * Defaults: `fill` 'grey' (0.5; Z&F's grey square), `output` 'probability' (Z&F plot p(correct
 * class); 'logit' is the unnormalised score), `window` [4, 32, 32] and `stride` [2, 16, 16] (boxes
 * overlapping by half on each axis; 32 px ≈ the size of an object part at 112×112, Z&F's occluders
 * covered object parts), `batchSize` 8 occluded clips per forward pass. Cost: one forward pass per
 * box (252 at 16×112×112), no backward.
 */
import * as tf from '@tensorflow/tfjs';
import { OCCLUSION_DEFAULTS } from '@fep/shared/methods';
import { assertTarget, reportProgress, resolveKnown } from './gradient-utils.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress } from './types.ts';

export interface OcclusionParams {
  window: [number, number, number];
  stride: [number, number, number];
  fill: 'grey' | 'zero' | 'mean';
  output: 'probability' | 'logit';
  batchSize: number;
}

export const defaults: Readonly<OcclusionParams> = OCCLUSION_DEFAULTS;

/** Start positions along an axis of length n for a window w and stride s (last one clamped to n − w). */
export function windowStarts(n: number, w: number, s: number): number[] {
  const win = Math.min(w, n);
  const out: number[] = [];
  for (let p = 0; p + win <= n; p += s) out.push(p);
  if (out.at(-1)! + win < n) out.push(n - win);
  return out;
}

export const occlusion: ExplanationMethod<OcclusionParams> = {
  name: 'occlusion',
  defaults,
  async explain(input: ExplainInput, params: Partial<OcclusionParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const p = resolveKnown(defaults, params);
    const { clip, model, target } = input;
    assertTarget(model, target);
    const [t, h, w, c] = clip.shape;
    const dims = [t, h, w];
    for (let i = 0; i < 3; i++) {
      if (!(Number.isInteger(p.window[i]) && p.window[i]! >= 1)) throw new RangeError('window entries must be integers ≥ 1');
      if (!(Number.isInteger(p.stride[i]) && p.stride[i]! >= 1)) throw new RangeError('stride entries must be integers ≥ 1');
    }
    if (!(Number.isInteger(p.batchSize) && p.batchSize >= 1)) throw new RangeError('batchSize must be an integer ≥ 1');
    const win = dims.map((n, i) => Math.min(p.window[i]!, n)) as [number, number, number];
    const [st, sy, sx] = dims.map((n, i) => windowStarts(n, win[i]!, p.stride[i]!));
    const boxes: [number, number, number][] = [];
    for (const a of st!) for (const b of sy!) for (const d of sx!) boxes.push([a, b, d]);

    const score = (clips: tf.Tensor5D): Float32Array =>
      tf.tidy(() => {
        const z = model.logits(clips);
        const s = p.output === 'probability' ? tf.softmax(z) : z;
        return tf.slice(s, [0, target], [-1, 1]).reshape([-1]).dataSync() as Float32Array;
      });
    const fillValue = tf.tidy(() =>
      p.fill === 'grey' ? tf.fill([1, 1, 1, 1, c], 0.5) : p.fill === 'zero' ? tf.zeros([1, 1, 1, 1, c]) : tf.mean(clip, [0, 1, 2]).reshape([1, 1, 1, 1, c]),
    );
    const base = tf.tidy(() => score(clip.expandDims(0) as tf.Tensor5D))[0]!;
    const sums = new Float64Array(t * h * w);
    const counts = new Uint16Array(t * h * w);
    const batches = Math.ceil(boxes.length / p.batchSize);
    try {
      for (let b = 0; b < batches; b++) {
        const chunk = boxes.slice(b * p.batchSize, (b + 1) * p.batchSize);
        const m = new Float32Array(chunk.length * t * h * w);
        chunk.forEach(([a, y0, x0], j) => {
          for (let f = a; f < a + win[0]; f++)
            for (let y = y0; y < y0 + win[1]; y++) m.fill(1, ((j * t + f) * h + y) * w + x0, ((j * t + f) * h + y) * w + x0 + win[2]);
        });
        const scores = tf.tidy(() => {
          const mask = tf.tensor(m, [chunk.length, t, h, w, 1]);
          const x = tf.add(tf.mul(clip.expandDims(0), tf.sub(1, mask)), tf.mul(fillValue, mask)) as tf.Tensor5D;
          return score(x);
        });
        chunk.forEach(([a, y0, x0], j) => {
          const drop = base - scores[j]!;
          for (let f = a; f < a + win[0]; f++)
            for (let y = y0; y < y0 + win[1]; y++) {
              const row = (f * h + y) * w;
              for (let x = x0; x < x0 + win[2]; x++) {
                sums[row + x]! += drop;
                counts[row + x]!++;
              }
            }
        });
        await reportProgress(onProgress, b + 1, batches);
      }
    } finally {
      fillValue.dispose();
    }
    const saliency = new Float32Array(t * h * w);
    for (let i = 0; i < saliency.length; i++) saliency[i] = Math.max(0, sums[i]! / counts[i]!);
    return {
      saliency,
      shape: [t, h, w],
      iterations: batches,
      finalEnergy: null,
      params: { ...p, window: win },
      extras: { boxes: boxes.length, baseScore: base },
    };
  },
};

export const explain = occlusion.explain;
