import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { hasHeapViews } from '../core/heap-io.ts';
import { preprocessClips } from './preprocess.ts';

beforeAll(async () => {
  await initBackend();
});

describe('preprocessClips', () => {
  for (const channels of [3, 2]) it(`normalises per channel bit for bit like the tensor ops, value and gradient, and leaks nothing (${channels} channels)`, () => {
    expect(hasHeapViews()).toBe(tf.getBackend() === 'wasm');
    const mean = [0.43, 0.41, 0.39].slice(0, channels);
    const std = [0.227, 0.223, 0.226].slice(0, channels);
    const spec = { frames: 4, height: 6, width: 5, channels, layout: 'NTHWC' as const, valueRange: [0, 1] as [number, number], mean, std };
    const x = tf.randomUniform([2, 4, 6, 5, channels], 0, 1, 'float32', 7) as tf.Tensor5D;
    const proj = tf.randomNormal([2, 4, 6, 5, channels], 0, 1, 'float32', 8);
    const before = tf.memory().numTensors;
    const reference = (a: tf.Tensor) => tf.mul(tf.sub(a, tf.tensor1d(mean)), tf.div(1, tf.tensor1d(std)));
    const [ref, refG, ours, oursG] = tf.tidy(() => [
      reference(x).dataSync(),
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reference(a), proj)))(x).dataSync(),
      preprocessClips(x, spec).dataSync(),
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(preprocessClips(a as tf.Tensor5D, spec), proj)))(x).dataSync(),
    ]);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(ours)).toEqual(Array.from(ref));
    expect(Array.from(oursG)).toEqual(Array.from(refG));
    tf.dispose([x, proj]);
  });
});
