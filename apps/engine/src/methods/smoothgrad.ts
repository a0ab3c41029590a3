/**
 * SmoothGrad: Smilkov, Thorat, Kim, Viégas & Wattenberg, "SmoothGrad: removing noise by adding
 * noise", arXiv 1706.03825 (2017). The gradient of the target logit is averaged over `samples`
 * copies of the clip with Gaussian noise N(0, σ²), σ = `noiseLevel` · (max − min) of the clip;
 * the averaged gradient is reduced over channels by max |·| as the plain gradient baseline.
 *
 * Defaults: `samples` 50 and `noiseLevel` 0.15 (the paper: "n = 50", noise 10–20 % of the input
 * range works best, §3.1), `batchSize` 5 noisy clips per forward/backward pass (bounds memory),
 * `seed` 0 (our noise generator, for reproducibility).
 */
import * as tf from '@tensorflow/tfjs';
import { SMOOTHGRAD_DEFAULTS } from '@fep/shared/methods';
import { assertTarget, maxAbsOverChannels, normalSampler, reportProgress, resolveKnown, targetLogitGradients } from './gradient-utils.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress } from './types.ts';

export interface SmoothGradParams {
  samples: number;
  noiseLevel: number;
  batchSize: number;
  seed: number;
}

export const defaults: Readonly<SmoothGradParams> = SMOOTHGRAD_DEFAULTS;

export const smoothgrad: ExplanationMethod<SmoothGradParams> = {
  name: 'smoothgrad',
  defaults,
  async explain(input: ExplainInput, params: Partial<SmoothGradParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const p = resolveKnown(defaults, params);
    const { clip, model, target } = input;
    assertTarget(model, target);
    if (!(Number.isInteger(p.samples) && p.samples >= 1)) throw new RangeError('samples must be an integer ≥ 1');
    if (!(Number.isInteger(p.batchSize) && p.batchSize >= 1)) throw new RangeError('batchSize must be an integer ≥ 1');
    if (!(p.noiseLevel >= 0)) throw new RangeError('noiseLevel must be ≥ 0');
    const [t, h, w, c] = clip.shape;
    const n = t * h * w * c;
    const [lo, hi] = tf.tidy(() => [tf.min(clip).dataSync()[0]!, tf.max(clip).dataSync()[0]!]);
    const sigma = p.noiseLevel * (hi - lo);
    const normal = normalSampler(p.seed);
    let sum: tf.Tensor4D = tf.zeros([t, h, w, c]);
    const batches = Math.ceil(p.samples / p.batchSize);
    try {
      for (let b = 0; b < batches; b++) {
        const m = Math.min(p.batchSize, p.samples - b * p.batchSize);
        const noise = new Float32Array(m * n);
        for (let i = 0; i < noise.length; i++) noise[i] = sigma * normal();
        const next = tf.tidy(() => {
          const noisy = tf.add(clip.expandDims(0), tf.tensor(noise, [m, t, h, w, c])) as tf.Tensor5D;
          const { grad } = targetLogitGradients(model, noisy, target);
          // Sum over the batch with the batch axis last (fast reduction on wasm).
          const g = tf.sum(tf.transpose(grad.reshape([m, n]), [1, 0]), -1).reshape([t, h, w, c]);
          return tf.add(sum, g) as tf.Tensor4D;
        });
        sum.dispose();
        sum = next;
        await reportProgress(onProgress, b + 1, batches);
      }
      const saliency = tf.tidy(() => maxAbsOverChannels(tf.div(sum, p.samples) as tf.Tensor4D));
      const data = (await saliency.data()) as Float32Array;
      saliency.dispose();
      return { saliency: data, shape: [t, h, w], iterations: batches, finalEnergy: null, params: { ...p, sigma } };
    } finally {
      sum.dispose();
    }
  },
};

export const explain = smoothgrad.explain;
