import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Perturbation, blurFrames, gaussianFilter } from './perturbation.ts';

beforeAll(async () => {
  await initBackend();
});

const clipData = (t: number, h: number, w: number) =>
  Float32Array.from({ length: t * h * w * 3 }, (_, i) => (Math.sin(i * 0.37) + 1) / 2);

describe('TorchRay imsmooth', () => {
  it('filter has half-width ⌈4σ⌉, sums to 1 and is symmetric', () => {
    const f = gaussianFilter(1.5);
    expect(f.length).toBe(2 * 6 + 1);
    expect(f.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(f[0]).toBeCloseTo(f[12]!, 12);
    // ratio of neighbours: exp(−1/(2σ²)) at the centre (ε is negligible)
    expect(f[7]! / f[6]!).toBeCloseTo(Math.exp(-1 / (2 * 1.5 * 1.5)), 5);
  });

  it('blurs with zero padding: a constant frame darkens at the border only', () => {
    const x = tf.ones([1, 9, 9, 1]) as tf.Tensor4D;
    const y = tf.tidy(() => blurFrames(x, 1).arraySync());
    const f = gaussianFilter(1);
    const edge = f.slice(4).reduce((a, b) => a + b, 0); // half the filter + centre falls inside
    expect(y[0]![4]![4]![0]).toBeCloseTo(1, 5);
    expect(y[0]![0]![4]![0]).toBeCloseTo(edge, 5);
    expect(y[0]![0]![0]![0]).toBeCloseTo(edge * edge, 5);
    x.dispose();
  });
});

describe('Perturbation', () => {
  it('blur: mask 1 is the clip, mask 0 the most blurred level, 3.5/7 the mean of levels 3 and 4', () => {
    const [t, h, w] = [2, 6, 5];
    const clip = tf.tensor4d(clipData(t, h, w), [t, h, w, 3]);
    const p = new Perturbation(clip, { type: 'blur', levels: 8, maxBlur: 4 });
    const out = tf.tidy(() => {
      const ones = p.apply(tf.ones([1, t, h, w]));
      const zeros = p.apply(tf.zeros([1, t, h, w]));
      const half = p.apply(tf.fill([1, t, h, w], 3.5 / 7));
      const l3 = blurFrames(clip, (1 - 3 / 7) * 4);
      const l4 = blurFrames(clip, (1 - 4 / 7) * 4);
      return {
        d1: tf.max(tf.abs(tf.sub(ones.squeeze([0]), clip))).dataSync()[0]!,
        d0: tf.max(tf.abs(tf.sub(zeros.squeeze([0]), blurFrames(clip, 4)))).dataSync()[0]!,
        dh: tf.max(tf.abs(tf.sub(half.squeeze([0]), tf.mul(tf.add(l3, l4), 0.5)))).dataSync()[0]!,
      };
    });
    expect(out.d1).toBeLessThan(1e-6);
    expect(out.d0).toBeLessThan(1e-6);
    expect(out.dh).toBeLessThan(1e-6);
    p.dispose();
    clip.dispose();
  });

  it('blur: gradient w.r.t. the mask is (L−1)·(level_{k+1} − level_k) inside a level interval', () => {
    const [t, h, w] = [1, 4, 4];
    const clip = tf.tensor4d(clipData(t, h, w), [t, h, w, 3]);
    const p = new Perturbation(clip, { type: 'blur', levels: 8, maxBlur: 3 });
    const m = 0.3; // z = 2.1 → between levels 2 and 3
    const res = tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => tf.sum(p.apply(x as tf.Tensor4D)))(tf.fill([1, t, h, w], m));
      const l2 = blurFrames(clip, (1 - 2 / 7) * 3);
      const l3 = blurFrames(clip, (1 - 3 / 7) * 3);
      const expected = tf.mul(tf.sum(tf.sub(l3, l2), -1), 7);
      return tf.max(tf.abs(tf.sub(g.reshape([t, h, w]), expected))).dataSync()[0]!;
    });
    expect(res).toBeLessThan(1e-4);
    p.dispose();
    clip.dispose();
  });

  it('fade: m·x + (1 − m)·base for zero and mean bases', () => {
    const clip = tf.tensor4d([0.2, 0.4, 0.6, 0.8, 1, 0, 0, 0, 0.5, 0.5, 0.5, 0.5], [1, 2, 2, 3]);
    const zero = new Perturbation(clip, { type: 'fade', fadeTo: 'zero' });
    const mean = new Perturbation(clip, { type: 'fade', fadeTo: 'mean' });
    const [a, b] = tf.tidy(() => {
      const m = tf.fill([1, 1, 2, 2], 0.25) as tf.Tensor4D;
      return [zero.apply(m).dataSync(), mean.apply(m).dataSync()];
    });
    expect(a[0]).toBeCloseTo(0.05, 6);
    // channel-0 mean = (0.2 + 0.8 + 0 + 0.5)/4 = 0.375 → 0.25·0.2 + 0.75·0.375
    expect(b[0]).toBeCloseTo(0.05 + 0.75 * 0.375, 6);
    zero.dispose();
    mean.dispose();
    clip.dispose();
  });
});
