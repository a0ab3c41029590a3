import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { convCl, poolCl, prepareConv } from './conv.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

// [kernel (t,h,w), strides, pads (t,h,w begins then ends), dilations, group]
const convCases: [number[], number[], number[], number[], number][] = [
  [[3, 3, 3], [1, 1, 1], [1, 1, 1, 1, 1, 1], [1, 1, 1], 1], // r3d / mc3 layer1
  [[3, 3, 3], [2, 2, 2], [1, 1, 1, 1, 1, 1], [1, 1, 1], 1], // strided 3-D
  [[1, 3, 3], [1, 2, 2], [0, 1, 1, 0, 1, 1], [1, 1, 1], 1], // (2+1)D spatial, mc3 later stages
  [[3, 1, 1], [2, 1, 1], [1, 0, 0, 1, 0, 0], [1, 1, 1], 1], // (2+1)D temporal: conv2d over time
  [[1, 1, 1], [2, 2, 2], [0, 0, 0, 0, 0, 0], [1, 1, 1], 1], // downsample shortcut
  [[3, 7, 7], [1, 2, 2], [1, 3, 3, 1, 3, 3], [1, 1, 1], 1], // BasicStem
  [[3, 3, 3], [1, 1, 1], [2, 1, 1, 2, 1, 1], [2, 1, 1], 1], // temporal dilation
  [[2, 3, 3], [1, 1, 1], [0, 0, 1, 1, 2, 1], [1, 1, 1], 1], // even kernel, asymmetric pads
];

describe('3-D convolution as 2-D convolutions', () => {
  it.each(convCases)('kernel %j strides %j pads %j dilations %j equals tf.conv3d', (kernel, strides, pads, dilations) => {
    const x = tf.randomNormal([2, 6, 9, 9, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 4, ...kernel], 0, 1, 'float32', 2);
    const b = tf.randomNormal([5], 0, 1, 'float32', 3);
    const c = prepareConv(w, b, { kernel, strides, pads, dilations }, 1);
    const ours = convCl(x, c);
    // Reference: explicit padding + 'valid' tf.conv3d with the ONNX weights as [kt,kh,kw,Cin,Cout].
    const xp = tf.pad(x, [[0, 0], ...[0, 1, 2].map((i) => [pads[i]!, pads[i + 3]!] as [number, number]), [0, 0]]);
    const ref = tf.add(tf.conv3d(xp as tf.Tensor5D, tf.transpose(w, [2, 3, 4, 1, 0]) as tf.Tensor5D, strides as [number, number, number], 'valid', 'NDHWC', dilations as [number, number, number]), b);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxAbs(ours, ref)).toBeLessThan(1e-4);
    c.dispose();
    tf.dispose([x, w, b, ours, xp, ref]);
  });

  // The convolution is linear in x, so its input gradient g = Cᵀ·dy must satisfy ⟨C·e, dy⟩ = ⟨e, g⟩
  // for every e; C itself is checked against tf.conv3d above. (tf.conv3d's own gradient is no
  // reference here: on wasm it disagrees with this module's, which the fixtures check against PyTorch.)
  it.each(convCases)('kernel %j strides %j pads %j dilations %j has the adjoint as input gradient', (kernel, strides, pads, dilations) => {
    const x = tf.randomNormal([2, 6, 9, 9, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 4, ...kernel], 0, 1, 'float32', 2);
    const c = prepareConv(w, null, { kernel, strides, pads, dilations }, 1);
    const out = convCl(x, c);
    const dy = tf.randomNormal(out.shape, 0, 1, 'float32', 6);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(convCl(xx, c), dy)))(x);
    for (const seed of [11, 12, 13]) {
      const e = tf.randomNormal(x.shape, 0, 1, 'float32', seed);
      const lhs = tf.tidy(() => tf.sum(tf.mul(convCl(e, c), dy)).dataSync()[0]!);
      const rhs = tf.tidy(() => tf.sum(tf.mul(e, g)).dataSync()[0]!);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
      e.dispose();
    }
    c.dispose();
    tf.dispose([x, w, out, dy, g]);
  });

  it('runs depthwise and grouped convolutions like per-group dense ones', () => {
    const x = tf.randomNormal([1, 4, 7, 7, 6], 0, 1, 'float32', 1);
    const params = { kernel: [3, 3, 3], strides: [1, 1, 1], pads: [1, 1, 1, 1, 1, 1], dilations: [1, 1, 1] };
    for (const [group, cout] of [[6, 12], [2, 4]] as const) {
      const w = tf.randomNormal([cout, 6 / group, 3, 3, 3], 0, 1, 'float32', 2);
      // The same weights as one dense conv: zero outside each group's block.
      const dense = tf.tidy(() => {
        const cinG = 6 / group, coutG = cout / group;
        const mask = tf.tensor(Array.from({ length: cout * 6 }, (_, k) => (Math.floor(Math.floor(k / 6) / coutG) === Math.floor((k % 6) / cinG) ? 1 : 0)), [cout, 6, 1, 1, 1]);
        const full = tf.concat(Array.from({ length: group }, () => w), 1); // [cout, 6, …]: column ci holds w[:, ci % cinG]
        return tf.mul(full, mask);
      });
      const cg = prepareConv(w, null, params, group);
      const cd = prepareConv(dense, null, params, 1);
      const r = tf.randomNormal([1, 4, 7, 7, cout], 0, 1, 'float32', 3);
      expect(maxAbs(convCl(x, cg), convCl(x, cd))).toBeLessThan(1e-4);
      const g = (c: typeof cg) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(convCl(xx, c), r)))(x);
      expect(maxAbs(g(cg), g(cd))).toBeLessThan(1e-4);
      cg.dispose();
      cd.dispose();
    }
  });
});

describe('3-D pooling as separable 2-D pooling', () => {
  it('max and average pools equal tf.maxPool3d / tf.avgPool3d', () => {
    const x = tf.randomNormal([1, 6, 9, 9, 3], 0, 1, 'float32', 4);
    const p = { kernel: [3, 3, 3], strides: [2, 2, 2], pads: [0, 0, 0, 0, 0, 0], dilations: [1, 1, 1], ceilMode: false, countIncludePad: false };
    expect(maxAbs(poolCl(x, 'max', p), tf.maxPool3d(x as tf.Tensor5D, 3, 2, 'valid'))).toBe(0);
    expect(maxAbs(poolCl(x, 'avg', p), tf.avgPool3d(x as tf.Tensor5D, 3, 2, 'valid'))).toBeLessThan(1e-6);
  });

  it('a (1,4,4) stem average pool equals tf.avgPool3d, its gradient too', () => {
    const x = tf.randomNormal([1, 4, 16, 12, 3], 0, 1, 'float32', 7);
    const p = { kernel: [1, 4, 4], strides: [1, 4, 4], pads: [0, 0, 0, 0, 0, 0], dilations: [1, 1, 1], ceilMode: false, countIncludePad: false };
    expect(maxAbs(poolCl(x, 'avg', p), tf.avgPool3d(x as tf.Tensor5D, [1, 4, 4], [1, 4, 4], 'valid'))).toBeLessThan(1e-6);
    const dy = tf.randomNormal([1, 4, 4, 3, 3], 0, 1, 'float32', 8);
    const ours = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(poolCl(xx, 'avg', p), dy)))(x);
    const ref = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.avgPool3d(xx as tf.Tensor5D, [1, 4, 4], [1, 4, 4], 'valid'), dy)))(x);
    expect(maxAbs(ours, ref)).toBeLessThan(1e-6);
  });

  it('max pool gradients are right for negative inputs (wasm MaxPoolGrad is not)', () => {
    const x = tf.sub(tf.randomUniform([1, 4, 8, 8, 2], 0, 1, 'float32', 5), 2); // all negative
    const p = { kernel: [1, 2, 2], strides: [1, 2, 2], pads: [0, 0, 0, 0, 0, 0], dilations: [1, 1, 1], ceilMode: false, countIncludePad: false };
    const g = tf.grad((xx: tf.Tensor) => tf.sum(poolCl(xx, 'max', p)))(x);
    // Each 2×2 window passes its gradient to its maximum, exactly once.
    const isMax = tf.tidy(() => tf.cast(tf.equal(x, tf.image.resizeNearestNeighbor(tf.maxPool(x.reshape([4, 8, 8, 2]) as tf.Tensor4D, 2, 2, 'valid'), [8, 8]).reshape(x.shape)), 'float32'));
    expect(maxAbs(g, isMax)).toBe(0);
    expect(g.sum().dataSync()[0]).toBe(4 * 4 * 4 * 2);
  });
});
