import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { mulberry32 } from '../testing/tiny-classifier.ts';
import { collapseSlice, fastWasmKernelsInstalled, stridedCopy } from './wasm-kernels.ts';

beforeAll(async () => {
  await initBackend();
});

/** Reference slice by explicit index arithmetic. */
function refSlice(src: ArrayLike<number>, shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array(shape.length).fill(0);
  const total = size.reduce((a, b) => a * b, 1);
  for (let n = 0; n < total; n++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += (begin[d]! + idx[d]!) * strides[d]!;
    out.push(src[off]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe('fast wasm Slice/SplitV/Concat', () => {
  it('are installed on the wasm backend', () => {
    if (tf.getBackend() === 'wasm') expect(fastWasmKernelsInstalled()).toBe(true);
  });

  it('collapses fully copied inner axes and drops unit axes', () => {
    expect(collapseSlice([2, 3, 4], [0, 1, 0], [2, 2, 4])).toEqual({ shape: [2, 12], begin: [0, 4], size: [2, 8] });
    expect(collapseSlice([1, 5, 1], [0, 2, 0], [1, 3, 1])).toEqual({ shape: [5], begin: [2], size: [3] });
    expect(collapseSlice([1, 1], [0, 0], [1, 1])).toEqual({ shape: [1], begin: [0], size: [1] });
  });

  it('stridedCopy matches an index-by-index reference (ranks 1–6, short and long rows)', () => {
    const rnd = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + Math.floor(rnd() * 6);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rnd() * (rank > 3 ? 4 : 20)));
      const begin = shape.map((s) => Math.floor(rnd() * s));
      const size = shape.map((s, i) => 1 + Math.floor(rnd() * (s - begin[i]!)));
      const n = shape.reduce((a, b) => a * b, 1);
      const src = Int32Array.from({ length: n }, (_, i) => i * 7 - 3);
      const dst = new Int32Array(size.reduce((a, b) => a * b, 1));
      stridedCopy(src, shape, begin, size, dst);
      expect(Array.from(dst)).toEqual(refSlice(src, shape, begin, size));
    }
  });

  it('tf.slice / tf.split / tf.concat give the reference values for float32 and int32 (incl. NaN bits)', () => {
    const rnd = mulberry32(3);
    const shape = [2, 3, 5, 4, 6];
    const n = shape.reduce((a, b) => a * b, 1);
    const vals = Float32Array.from({ length: n }, () => rnd());
    vals[17] = NaN;
    const x = tf.tensor(vals, shape);
    const xi = tf.tensor(Int32Array.from({ length: n }, (_, i) => i - 50), shape, 'int32');
    for (const t of [x, xi]) {
      const data = t.dataSync();
      const s = tf.slice(t, [1, 0, 2, 1, 3], [1, 2, -1, 2, 2]);
      expect(Array.from(s.dataSync())).toEqual(refSlice(data, shape, [1, 0, 2, 1, 3], [1, 2, 3, 2, 2]));
      const parts = tf.split(t, [2, 4], 4);
      expect(Array.from(parts[1]!.dataSync())).toEqual(refSlice(data, shape, [0, 0, 0, 0, 2], [2, 3, 5, 4, 4]));
      const back = tf.concat(parts, 4);
      expect(Array.from(back.dataSync())).toEqual(Array.from(data));
      const mid = tf.concat([tf.slice(t, [0, 0], [2, 1]), tf.slice(t, [0, 1], [2, 2])], 1);
      expect(Array.from(mid.dataSync())).toEqual(Array.from(data));
      tf.dispose([s, ...parts, back, mid]);
    }
    // bool and string fall back to the original kernels.
    const b = tf.concat([tf.tensor1d([1, 0], 'bool'), tf.tensor1d([1], 'bool')]);
    expect(Array.from(b.dataSync())).toEqual([1, 0, 1]);
    const str = tf.slice(tf.tensor1d(['a', 'b', 'c'], 'string'), 1, 2);
    expect(str.arraySync()).toEqual(['b', 'c']);
    tf.dispose([x, xi, b, str]);
  });

  it('gradients through concat/slice on the last axis of a rank-5 tensor are exact', () => {
    const x = tf.randomUniform([1, 4, 3, 3, 3], 0, 1, 'float32', 1);
    const g = tf.grad((v: tf.Tensor) => {
      const d = tf.sub(tf.slice(v, [0, 1], [1, 3]), tf.slice(v, [0, 0], [1, 3]));
      const c = tf.concat([v, tf.concat([tf.zerosLike(tf.slice(v, [0, 0], [1, 1])), d], 1)], 4);
      return tf.sum(tf.mul(c, tf.range(0, c.size).reshape(c.shape)));
    })(x);
    // d/dx of Σ w·[x, diff]: w_x + (w_diff at t) − (w_diff at t+1); check against a manual loop.
    const c = 6;
    const w = (t: number, i: number, ch: number) => ((t * 9 + i) * c + ch);
    const gd = g.dataSync();
    for (let t = 0; t < 4; t++)
      for (let i = 0; i < 9; i++)
        for (let ch = 0; ch < 3; ch++) {
          const expected = w(t, i, ch) + (t >= 1 ? w(t, i, ch + 3) : 0) - (t <= 2 ? w(t + 1, i, ch + 3) : 0);
          expect(gd[(t * 9 + i) * 3 + ch]).toBe(expected);
        }
    tf.dispose([x, g]);
  });
});
