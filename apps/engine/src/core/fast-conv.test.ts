import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { mulberry32 } from '../testing/tiny-classifier.ts';
import { conv2dFastGrad, conv2dInputGrad, explicitPadding, type ConvPadding } from './fast-conv.ts';

beforeAll(async () => {
  await initBackend();
});

describe('conv2dFastGrad', () => {
  it('uses TF’s "same" padding split', () => {
    expect(explicitPadding(7, 3, 2, 'same')).toEqual([1, 1]);
    expect(explicitPadding(8, 3, 2, 'same')).toEqual([0, 1]);
    expect(explicitPadding(8, 4, 1, 'same')).toEqual([1, 2]);
    expect(explicitPadding(8, 4, 1, 'valid')).toEqual([0, 0]);
  });

  it('value and input gradient equal TF.js’s own on random layers (strides 1–3, all paddings, odd and even kernels)', () => {
    const rnd = mulberry32(21);
    const cases: Array<[number, number, number, number, ConvPadding]> = [];
    for (const stride of [1, 2, 3])
      for (const k of [1, 2, 3, 4, 5])
        for (const padding of ['same', 'valid', [[1, 2], [0, 1]]] as ConvPadding[]) cases.push([stride, k, 7 + Math.floor(rnd() * 4), 6 + Math.floor(rnd() * 4), padding]);
    const before = tf.memory().numTensors;
    for (const [stride, k, h, w, padding] of cases) {
      const ci = 2;
      const co = 3;
      const x = tf.randomUniform([2, h, w, ci], -1, 1, 'float32', h * 31 + w);
      const kern = tf.randomUniform([k, k + (k > 2 ? -1 : 0), ci, co], -1, 1, 'float32', k * 7 + stride);
      const ref = (xi: tf.Tensor) => {
        const xp = Array.isArray(padding) ? tf.pad(xi as tf.Tensor4D, [[0, 0], padding[0], padding[1], [0, 0]]) : (xi as tf.Tensor4D);
        return tf.conv2d(xp, kern as tf.Tensor4D, stride, Array.isArray(padding) ? 'valid' : padding);
      };
      const [vRef, gRef, vFast, gFast, gSub] = tf.tidy(() => {
        const r = ref(x);
        const weights = tf.randomUniform(r.shape, -1, 1, 'float32', 5);
        return [
          r.dataSync(),
          tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(ref(xi), weights)))(x).dataSync(),
          conv2dFastGrad(x as tf.Tensor4D, kern as tf.Tensor4D, stride, padding).dataSync(),
          tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(conv2dFastGrad(xi as tf.Tensor4D, kern as tf.Tensor4D, stride, padding), weights)))(x).dataSync(),
          // The forward-conv input gradient (sub-kernels for strides) directly.
          conv2dInputGrad(weights as tf.Tensor4D, kern as tf.Tensor4D, x.shape as [number, number, number, number], stride, padding).dataSync(),
        ];
      });
      expect(vFast.length).toBe(vRef.length);
      for (let i = 0; i < vRef.length; i++) expect(Math.abs(vFast[i]! - vRef[i]!)).toBeLessThan(1e-5);
      expect(gFast.length).toBe(gRef.length);
      expect(gSub.length).toBe(gRef.length);
      for (let i = 0; i < gRef.length; i++) {
        if (Math.abs(gSub[i]! - gRef[i]!) > 1e-4) throw new Error(`sub-kernel path, stride ${stride} k ${k}: grad[${i}] ${gSub[i]} vs ${gRef[i]}`);
        if (Math.abs(gFast[i]! - gRef[i]!) > 1e-4) throw new Error(`stride ${stride} k ${k} ${JSON.stringify(padding)} ${h}×${w}: grad[${i}] ${gFast[i]} vs ${gRef[i]}`);
      }
      tf.dispose([x, kern]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
