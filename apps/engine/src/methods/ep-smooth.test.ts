import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { createTinyClassifier } from '../testing/tiny-classifier.ts';
import { lowPassVolume } from './ep-smooth.ts';
import { getMethod } from './index.ts';

beforeAll(async () => {
  await initBackend();
});

const SPEC = { type: 'ideal' as const, temporalCutoff: 0.125, spatialCutoff: 0.5 };
const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;

describe('lowPassVolume (the F-EP band, applied once)', () => {
  it('keeps a constant mask, removes temporal flicker, keeps the mean, stays in [0, 1]', () => {
    const shape = [16, 8, 8] as const;
    const n = 16 * 64;
    const constant = new Float32Array(n).fill(0.3);
    const c = lowPassVolume(constant, shape, SPEC);
    for (const x of c) expect(x).toBeCloseTo(0.3, 5);
    // Frame-to-frame flicker 0.1 ↔ 0.5 around a mean of 0.3: the band keeps 2 of 16 temporal frequencies.
    const flicker = new Float32Array(n).map((_, i) => (Math.floor(i / 64) % 2 ? 0.5 : 0.1));
    const f = lowPassVolume(flicker, shape, SPEC);
    expect(mean(f)).toBeCloseTo(0.3, 4);
    const frame = (v: Float32Array, t: number) => mean(v.subarray(t * 64, (t + 1) * 64));
    let change = 0;
    for (let t = 1; t < 16; t++) change += Math.abs(frame(f, t) - frame(f, t - 1));
    expect(change / 15).toBeLessThan(0.01); // was 0.4 per frame
    for (const x of f) expect(x >= 0 && x <= 1).toBe(true);
  });
});

describe('ep-smooth', () => {
  it('is EP’s mask (same seed, same optimisation) low-passed once with F-EP’s band', async () => {
    const model = createTinyClassifier({ frames: 4, height: 16, width: 16 });
    const clip = tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const params = { iterations: 5, step: 4, sigma: 3, levels: 3, maxBlur: 4 };
    try {
      const ep = await getMethod('ep').explain({ clip, model, target: 0 }, params);
      const smooth = await getMethod('ep-smooth').explain({ clip, model, target: 0 }, params);
      expect(smooth.shape).toEqual(ep.shape);
      expect(smooth.iterations).toBe(ep.iterations);
      expect(Array.from(smooth.saliency)).toEqual(Array.from(lowPassVolume(ep.saliency, ep.shape, SPEC)));
      expect(smooth.params).toMatchObject({ weighting: 'ideal', temporalCutoff: 0.125, spatialCutoff: 0.5 });
      expect(smooth.extras?.unsmoothedMeanMask).toBeCloseTo(mean(ep.saliency), 6);
    } finally {
      clip.dispose();
      model.dispose();
    }
  });
});
