import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { Dct3d, dctMatrix } from './dct.ts';

beforeAll(async () => {
  await initBackend();
});

/** Naive orthonormal 1-D DCT-II straight from the definition, in float64. */
function dct1(x: number[]): number[] {
  const n = x.length;
  return x.map((_, k) => {
    const a = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    return a * x.reduce((s, v, i) => s + v * Math.cos((Math.PI * (2 * i + 1) * k) / (2 * n)), 0);
  });
}

describe('dctMatrix', () => {
  it('matches hand-computed values', () => {
    const r = Math.SQRT1_2;
    expect(Array.from(dctMatrix(2))).toEqual([r, r, r, -r].map(Math.fround));
    const c4 = dctMatrix(4);
    // Row 1 of the 4-point DCT: √(1/2)·cos(π/8), √(1/2)·cos(3π/8), −…, −…
    const expected = [0.6532815, 0.2705981, -0.2705981, -0.6532815];
    expected.forEach((v, i) => expect(c4[4 + i]).toBeCloseTo(v, 6));
    // Row 0 is constant 1/2.
    for (let i = 0; i < 4; i++) expect(c4[i]).toBeCloseTo(0.5, 7);
  });

  it('is orthogonal', () => {
    const n = 7;
    const c = dctMatrix(n);
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += c[a * n + i]! * c[b * n + i]!;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 6);
      }
  });
});

describe('Dct3d', () => {
  it('puts a constant volume entirely into the DC coefficient', () => {
    const dct = new Dct3d([2, 2, 2]);
    const y = tf.tidy(() => dct.forward(tf.ones([2, 2, 2])).dataSync());
    expect(y[0]).toBeCloseTo(Math.sqrt(8), 5);
    for (let i = 1; i < 8; i++) expect(Math.abs(y[i]!)).toBeLessThan(1e-6);
    dct.dispose();
  });

  it('equals the separable definition on a small random volume', () => {
    const [t, h, w] = [3, 4, 5];
    const data = Array.from({ length: t * h * w }, (_, i) => Math.sin(i * 1.7) + 0.1 * i);
    // Reference: 1-D DCT along x, then y, then t.
    const ref = data.slice();
    const at = (a: number, b: number, c: number) => (a * h + b) * w + c;
    for (let a = 0; a < t; a++)
      for (let b = 0; b < h; b++) {
        const row = dct1(Array.from({ length: w }, (_, c) => ref[at(a, b, c)]!));
        row.forEach((v, c) => (ref[at(a, b, c)] = v));
      }
    for (let a = 0; a < t; a++)
      for (let c = 0; c < w; c++) {
        const col = dct1(Array.from({ length: h }, (_, b) => ref[at(a, b, c)]!));
        col.forEach((v, b) => (ref[at(a, b, c)] = v));
      }
    for (let b = 0; b < h; b++)
      for (let c = 0; c < w; c++) {
        const tube = dct1(Array.from({ length: t }, (_, a) => ref[at(a, b, c)]!));
        tube.forEach((v, a) => (ref[at(a, b, c)] = v));
      }
    const dct = new Dct3d([t, h, w]);
    const y = tf.tidy(() => dct.forward(tf.tensor3d(data, [t, h, w])).dataSync());
    ref.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
    dct.dispose();
  });

  it('round-trips with error ≤ 1e-5, also with a leading batch axis', () => {
    const shape: [number, number, number] = [16, 16, 16];
    const dct = new Dct3d(shape);
    const before = tf.memory().numTensors;
    const err = tf.tidy(() => {
      const x = tf.randomUniform([3, ...shape], -1, 1, 'float32', 7);
      const back = dct.inverse(dct.forward(x));
      return tf.max(tf.abs(tf.sub(back, x))).dataSync()[0]!;
    });
    expect(err).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(before);
    dct.dispose();
  });

  it('rejects a mismatched shape', () => {
    const dct = new Dct3d([2, 3, 4]);
    const x = tf.zeros([2, 4, 3]);
    expect(() => dct.forward(x)).toThrow(RangeError);
    x.dispose();
    dct.dispose();
  });
});
