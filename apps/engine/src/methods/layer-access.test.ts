import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { buildR2Plus1D } from '../model/r2plus1d.ts';
import { getMethod } from './index.ts';
import { layerAccessFor } from './layer-access.ts';
import type { VideoClassifier } from './types.ts';

beforeAll(async () => {
  await initBackend();
});

describe('layer access for (2+1)D chains (Grad-CAM on the engine model architecture)', () => {
  it('gives the same logits as the model, exposes the 5-D layers, and drives Grad-CAM', async () => {
    const net = buildR2Plus1D({ classes: 3, frames: 4, height: 16, width: 16, widths: [4, 4, 4], diffStem: true, globalPool: 'avgmax' });
    for (const l of net.layers) l.trainable = false;
    const access = layerAccessFor(net, (x) => x);
    expect(access.activationLayerNames().at(-1)).toBe('b3_temporal');
    expect(access.activationLayerNames()).toContain('b1_spatial');
    const x = tf.randomUniform([1, 4, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor5D;
    const [a, b] = tf.tidy(() => [(net.apply(x) as tf.Tensor).dataSync(), access.logitsWithActivation(x, 'b3_temporal').logits.dataSync()]);
    expect(Array.from(b)).toEqual(Array.from(a));
    const model: VideoClassifier = Object.assign(
      {
        name: 'r2p1d-test',
        version: 't',
        weightsSha256: 't',
        labels: ['a', 'b', 'c'],
        input: { frames: 4, height: 16, width: 16, channels: 3, layout: 'NTHWC' as const, valueRange: [0, 1] as [number, number], mean: [0, 0, 0], std: [1, 1, 1] },
        logits: (c: tf.Tensor5D) => net.apply(c) as tf.Tensor2D,
        dispose: () => net.dispose(),
      },
      access,
    );
    const clip = x.squeeze([0]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const res = await getMethod('gradcam').explain({ clip, model, target: 1 }, { layer: 'b2_temporal' });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.shape).toEqual([4, 16, 16]);
    expect(res.extras).toEqual({ camShape: [4, 4, 4] });
    expect(Math.max(...res.saliency)).toBeLessThanOrEqual(1);
    expect(res.saliency.every((v) => v >= 0)).toBe(true);
    tf.dispose([x, clip]);
    model.dispose();
  });
});
