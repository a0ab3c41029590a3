import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { hasHeapViews } from '../core/heap-io.ts';
import { avgPoolNonOverlapping, GlobalAvgMaxPool3D, maxPoolNonOverlapping } from './layers.ts';

// The direct pooling gradients must reproduce the wasm backend's own kernels bit for bit (including
// MaxPoolGrad's tie and all-zero-window behaviour), so explanations do not change.
beforeAll(async () => {
  await initBackend();
});

const cases = [
  [[4, 28, 28, 16], [2, 2]],
  [[1, 16, 49, 32], [2, 1]],
  [[3, 7, 9, 5], [2, 2]],
  [[2, 6, 6, 3], [3, 2]],
  [[1, 4, 4, 1], [2, 2]],
] as const;

/** ReLU-like values with many ties: zeros, quarter steps, negatives, denormals; or all zeros. */
function values(n: number, seed: number): Float32Array {
  if (seed === 0) return new Float32Array(n);
  return Float32Array.from({ length: n }, (_, i) => {
    const r = (Math.sin(i * 12.9898 + seed) * 43758.5453) % 1;
    return r < -0.3 ? 0 : r < -0.2 ? 0.25 : r < -0.15 ? 1e-39 : r < -0.1 ? -0.5 : Math.round(r * 4) / 4;
  });
}

describe('direct pooling gradients on wasm', () => {
  for (const [shape, size] of cases)
    it(`equal tf.maxPool / tf.avgPool and their gradients bit for bit (${shape.join('×')}, window ${size.join('×')})`, () => {
      expect(hasHeapViews()).toBe(tf.getBackend() === 'wasm');
      const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const dyShape = [shape[0], Math.floor(shape[1] / size[0]), Math.floor(shape[2] / size[1]), shape[3]];
      for (const seed of [0, 1, 2]) {
        tf.tidy(() => {
          const x = tf.tensor4d(values(n, seed), [...shape]);
          const proj = tf.randomNormal(dyShape, 0, 1, 'float32', 5 + seed);
          const grad = (pool: (a: tf.Tensor4D) => tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(pool(a as tf.Tensor4D), proj)))(x).dataSync();
          const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
            let d = 0;
            for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) d++;
            return d;
          };
          const win: [number, number] = [size[0], size[1]];
          expect(same(maxPoolNonOverlapping(x, win).dataSync(), tf.maxPool(x, win, win, 'valid').dataSync())).toBe(0);
          expect(same(grad((a) => maxPoolNonOverlapping(a, win)), grad((a) => tf.maxPool(a, win, win, 'valid')))).toBe(0);
          expect(same(grad((a) => avgPoolNonOverlapping(a, win)), grad((a) => tf.avgPool(a, win, win, 'valid')))).toBe(0);
        });
      }
    });
});

describe('global average ‖ max pooling gradient on wasm', () => {
  it('equals the tensor-op formulation bit for bit, with ties at the maximum', () => {
    const layer = new GlobalAvgMaxPool3D({});
    for (const seed of [0, 1, 2]) {
      tf.tidy(() => {
        const shape = [2, 4, 7, 7, 16] as [number, number, number, number, number];
        const n = shape.reduce((a, b) => a * b, 1);
        const x = tf.tensor5d(values(n, seed), shape);
        const proj = tf.randomNormal([2, 32], 0, 1, 'float32', 9 + seed);
        const reference = (a: tf.Tensor) => {
          const flat = tf.transpose(tf.reshape(a, [2, 4 * 7 * 7, 16]), [0, 2, 1]);
          return tf.concat([tf.mean(flat, 2), tf.max(flat, 2)], 1);
        };
        const ours = (a: tf.Tensor) => layer.apply(a) as tf.Tensor;
        const g = (fn: (a: tf.Tensor) => tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(fn(a), proj)))(x).dataSync();
        expect(Array.from(ours(x).dataSync())).toEqual(Array.from(reference(x).dataSync()));
        const [gr, go] = [g(reference), g(ours)];
        let d = 0;
        for (let i = 0; i < gr.length; i++) if (!Object.is(gr[i], go[i])) d++;
        expect(d).toBe(0);
      });
    }
  });
});
