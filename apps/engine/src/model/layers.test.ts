import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { avgPoolNonOverlapping, conv2dSame, GlobalAvgMaxPool3D, GlobalAvgPool3D, Pool2Plus1D, SpatialConv, TemporalConv, TemporalDiff } from './layers.ts';

// The reference gradients come from TF.js's own conv2d gradient on the CPU backend (which has the
// Conv2DBackpropFilter/Input kernels the wasm backend lacks).
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('conv2dSame', () => {
  for (const [kh, kw] of [
    [3, 3],
    [3, 1],
    [5, 3],
    [1, 1],
  ] as const) {
    it(`matches tf.conv2d value and both gradients for a ${kh}×${kw} kernel`, () => {
      const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([kh, kw, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const proj = tf.randomNormal([2, 7, 6, 4], 0, 1, 'float32', 3);
      const ref = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), proj)))([x, w]);
      const ours = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, true), proj)))([x, w]);
      expect(maxAbsDiff(conv2dSame(x, w, true), tf.conv2d(x, w, 1, 'same'))).toBeLessThan(1e-4);
      expect(maxAbsDiff(ours[0]!, ref[0]!)).toBeLessThan(1e-3);
      expect(maxAbsDiff(ours[1]!, ref[1]!)).toBeLessThan(1e-3);
      // Frozen kernel: same input gradient, zero kernel gradient.
      const frozen = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D, false), proj)))([x, w]);
      expect(maxAbsDiff(frozen[0]!, ref[0]!)).toBeLessThan(1e-3);
      expect(tf.max(tf.abs(frozen[1]!)).dataSync()[0]).toBe(0);
    });
  }

  it('rejects even kernels', () => {
    expect(() => conv2dSame(tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, tf.zeros([2, 2, 1, 1]) as tf.Tensor4D, true)).toThrow(/odd/);
  });
});

describe('(2+1)D layers', () => {
  it('SpatialConv convolves each frame independently, TemporalConv only across time', () => {
    const x = tf.randomNormal([1, 4, 5, 5, 2], 0, 1, 'float32', 4) as tf.Tensor5D;
    const sp = new SpatialConv({ filters: 3, kernelSize: 3, activation: 'linear', seed: 1 });
    const ys = sp.apply(x) as tf.Tensor;
    expect(ys.shape).toEqual([1, 4, 5, 5, 3]);
    const k = sp.getWeights()[0]! as tf.Tensor4D;
    const frame2 = tf.conv2d(tf.reshape(tf.slice(x, [0, 2], [1, 1]), [1, 5, 5, 2]) as tf.Tensor4D, k, 1, 'same');
    expect(maxAbsDiff(tf.reshape(tf.slice(ys, [0, 2], [1, 1]), [1, 5, 5, 3]), frame2)).toBeLessThan(1e-5);

    const tc = new TemporalConv({ filters: 3, kernelSize: 3, activation: 'linear', seed: 2 });
    const yt = tc.apply(x) as tf.Tensor;
    expect(yt.shape).toEqual([1, 4, 5, 5, 3]);
    // A change at one pixel reaches only that pixel (at neighbouring times), never its spatial neighbours.
    const bump = tf.buffer([1, 4, 5, 5, 2]);
    bump.set(1, 0, 1, 2, 2, 0);
    const delta = tf.sub(tc.apply(tf.add(x, bump.toTensor())) as tf.Tensor, yt);
    const moved = tf.sum(tf.abs(delta), [0, 1, 4]).arraySync() as number[][];
    moved.forEach((row, r) => row.forEach((v, c) => (r === 2 && c === 2 ? expect(v).toBeGreaterThan(0) : expect(v).toBe(0))));
  });

  it('pools and globally averages with the declared output shapes', () => {
    const x = tf.randomNormal([2, 4, 8, 8, 3]) as tf.Tensor5D;
    const p = new Pool2Plus1D({ spatial: 2, temporal: 2, mode: 'max' });
    expect((p.apply(x) as tf.Tensor).shape).toEqual([2, 2, 4, 4, 3]);
    expect(p.computeOutputShape([null, 4, 8, 8, 3])).toEqual([null, 2, 4, 4, 3]);
    const g = new GlobalAvgPool3D({});
    const m = g.apply(x) as tf.Tensor;
    expect(m.shape).toEqual([2, 3]);
    expect(maxAbsDiff(m, tf.mean(x, [1, 2, 3]))).toBeLessThan(1e-5);
  });

  it('TemporalDiff appends frame differences and GlobalAvgMaxPool3D concatenates mean and max', () => {
    const x = tf.randomNormal([2, 3, 4, 4, 2], 0, 1, 'float32', 6) as tf.Tensor5D;
    const d = new TemporalDiff({}).apply(x) as tf.Tensor;
    expect(d.shape).toEqual([2, 3, 4, 4, 4]);
    expect(maxAbsDiff(tf.slice(d, [0, 0, 0, 0, 0], [2, 3, 4, 4, 2]), x)).toBe(0);
    expect(tf.max(tf.abs(tf.slice(d, [0, 0, 0, 0, 2], [2, 1, 4, 4, 2]))).dataSync()[0]).toBe(0);
    const expectedDiff = tf.sub(tf.slice(x, [0, 2], [2, 1]), tf.slice(x, [0, 1], [2, 1]));
    expect(maxAbsDiff(tf.slice(d, [0, 2, 0, 0, 2], [2, 1, 4, 4, 2]), expectedDiff)).toBeLessThan(1e-6);
    const p = new GlobalAvgMaxPool3D({}).apply(x) as tf.Tensor;
    expect(p.shape).toEqual([2, 4]);
    expect(maxAbsDiff(p, tf.concat([tf.mean(x, [1, 2, 3]), tf.max(x, [1, 2, 3])], 1))).toBeLessThan(1e-5);
  });
});

describe('avgPoolNonOverlapping', () => {
  for (const [shape, size] of [
    [[2, 8, 12, 3], [4, 4]],
    [[1, 7, 9, 2], [2, 2]],
    [[3, 6, 5, 4], [3, 1]],
  ] as const) {
    // Bit for bit when 1/(kh·kw) is a power of two (the shipped model's 4×4 and 2×2); otherwise the
    // backends round dy·(1/(kh·kw)) differently (float64 or float32 multiplier): within an ulp.
    const exact = Number.isInteger(Math.log2(size[0] * size[1]));
    it(`equals tf.avgPool and its gradient (${shape.join('×')}, window ${size.join('×')}${exact ? ', bit for bit' : ''})`, () => {
      const x = tf.randomNormal([...shape], 0, 1, 'float32', 4) as tf.Tensor4D;
      const ho = Math.floor(shape[1] / size[0]);
      const wo = Math.floor(shape[2] / size[1]);
      const proj = tf.randomNormal([shape[0], ho, wo, shape[3]], 0, 1, 'float32', 5);
      const ref = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, [...size], [...size], 'valid'), proj)))(x);
      const ours = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(avgPoolNonOverlapping(a as tf.Tensor4D, [...size]), proj)))(x);
      expect(Array.from(avgPoolNonOverlapping(x, [...size]).dataSync())).toEqual(Array.from(tf.avgPool(x, [...size], [...size], 'valid').dataSync()));
      if (exact) expect(Array.from(ours.dataSync())).toEqual(Array.from(ref.dataSync()));
      else expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-6);
    });
  }
});
