import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { createLinearClassifier, createRedDetector, createTinyClassifier, mulberry32, redSquareClip } from '../testing/tiny-classifier.ts';
import { GradCamUnsupportedError, linearResizeMatrix } from './gradcam.ts';
import { getMethod } from './index.ts';
import { integratedGradients } from './integrated-gradients.ts';
import { windowStarts } from './occlusion.ts';
import type { VideoClassifier } from './types.ts';

beforeAll(async () => {
  await initBackend();
});

const spec = { frames: 3, height: 6, width: 5 };
const V = spec.frames * spec.height * spec.width;

function randomClip(seed: number, s = spec): tf.Tensor4D {
  const r = mulberry32(seed);
  return tf.tensor4d(Float32Array.from({ length: s.frames * s.height * s.width * 3 }, () => r()), [s.frames, s.height, s.width, 3]);
}

function logitOf(model: VideoClassifier, data: Float32Array, target: number): number {
  return tf.tidy(() => model.logits(tf.tensor(data, [1, spec.frames, spec.height, spec.width, 3]) as tf.Tensor5D).dataSync()[target]!);
}

describe('gradient baseline (Simonyan et al. 2014)', () => {
  it('equals |w| on a linear model and matches central finite differences on a conv model', async () => {
    const weights = Float32Array.from({ length: V }, (_, i) => Math.sin(i) * 2);
    const lin = createLinearClassifier(spec, weights);
    const clip = randomClip(1);
    const before = tf.memory().numTensors;
    const res = await getMethod('gradient').explain({ clip, model: lin, target: 0 }, {});
    expect(tf.memory().numTensors).toBe(before);
    expect(res.shape).toEqual([3, 6, 5]);
    res.saliency.forEach((v, i) => expect(v).toBeCloseTo(Math.abs(weights[i]!), 5));

    const model = createTinyClassifier(spec, { seed: 4 });
    const g = tf.tidy(() =>
      tf.grad((x: tf.Tensor) => tf.slice(model.logits(x as tf.Tensor5D), [0, 1], [1, 1]).sum())(clip.expandDims(0)).dataSync(),
    );
    const sal = (await getMethod('gradient').explain({ clip, model, target: 1 }, {})).saliency;
    const base = clip.dataSync() as Float32Array;
    for (const voxel of [0, 17, 44, 89]) {
      let best = 0;
      for (let ch = 0; ch < 3; ch++) {
        const i = voxel * 3 + ch;
        const e = 1e-2;
        const up = base.slice();
        up[i]! += e;
        const dn = base.slice();
        dn[i]! -= e;
        const fd = (logitOf(model, up, 1) - logitOf(model, dn, 1)) / (2 * e);
        expect(Math.abs(g[i]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
        best = Math.max(best, Math.abs(g[i]!));
      }
      expect(sal[voxel]).toBeCloseTo(best, 5);
    }
    tf.dispose(clip);
    lin.dispose();
    model.dispose();
  });
});

describe('SmoothGrad (Smilkov et al. 2017)', () => {
  it('is |w| on a linear model whatever the noise, reproducible by seed, and bounded by batches', async () => {
    const weights = Float32Array.from({ length: V }, (_, i) => Math.cos(i));
    const lin = createLinearClassifier(spec, weights);
    const clip = randomClip(2);
    const res = await getMethod('smoothgrad').explain({ clip, model: lin, target: 0 }, { samples: 7, batchSize: 3 });
    expect(res.iterations).toBe(3);
    res.saliency.forEach((v, i) => expect(v).toBeCloseTo(Math.abs(weights[i]!), 4));
    const model = createTinyClassifier(spec, { seed: 2 });
    const before = tf.memory().numTensors;
    const a = await getMethod('smoothgrad').explain({ clip, model, target: 0 }, { samples: 6, seed: 1 });
    const b = await getMethod('smoothgrad').explain({ clip, model, target: 0 }, { samples: 6, seed: 1 });
    const c = await getMethod('smoothgrad').explain({ clip, model, target: 0 }, { samples: 6, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.saliency).toEqual(b.saliency);
    expect(a.saliency).not.toEqual(c.saliency);
    expect(a.params).toMatchObject({ samples: 6, noiseLevel: 0.15, seed: 1 });
    tf.dispose(clip);
    lin.dispose();
    model.dispose();
  });
});

describe('Integrated Gradients (Sundararajan et al. 2017)', () => {
  it('is x·w on a linear model (black baseline)', async () => {
    const weights = Float32Array.from({ length: V }, (_, i) => (i % 7) - 3);
    const lin = createLinearClassifier(spec, weights);
    const clip = randomClip(3);
    const out = await integratedGradients(clip, lin, 0, { steps: 4, baseline: 'black', batchSize: 2 });
    const attr = out.attributions.dataSync();
    const x = clip.dataSync();
    for (let v = 0; v < V; v++) {
      expect(attr[v * 3]).toBeCloseTo(x[v * 3]! * weights[v]!, 5);
      expect(attr[v * 3 + 1]).toBe(0);
    }
    out.attributions.dispose();
    tf.dispose(clip);
    lin.dispose();
  });

  it('is complete on a non-linear conv model: Σ attributions ≈ F(x) − F(baseline)', async () => {
    const model = createTinyClassifier(spec, { seed: 5 });
    const clip = randomClip(4);
    const before = tf.memory().numTensors;
    for (const baseline of ['black', 'grey'] as const) {
      const res = await getMethod('integrated-gradients').explain({ clip, model, target: 2 }, { steps: 64, baseline, batchSize: 16 });
      const ex = res.extras as { attributionSum: number; targetLogit: number; baselineLogit: number; completenessGap: number };
      const delta = ex.targetLogit - ex.baselineLogit;
      expect(Math.abs(delta)).toBeGreaterThan(1e-3);
      expect(Math.abs(ex.completenessGap)).toBeLessThan(0.02 * Math.abs(delta) + 1e-4);
      expect(res.saliency.every((v) => v >= 0)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(clip);
    model.dispose();
  });
});

describe('occlusion (Zeiler & Fergus 2014)', () => {
  it('window starts cover the axis, clamping the last one', () => {
    expect(windowStarts(16, 4, 2)).toEqual([0, 2, 4, 6, 8, 10, 12]);
    expect(windowStarts(10, 4, 4)).toEqual([0, 4, 6]);
    expect(windowStarts(3, 8, 2)).toEqual([0]);
  });

  it('gives each voxel the logit drop of its box on a hand-checkable linear case', async () => {
    const weights = Float32Array.from({ length: V }, (_, i) => 1 + (i % 4));
    const lin = createLinearClassifier(spec, weights);
    const clip = randomClip(6);
    const x = clip.dataSync();
    const before = tf.memory().numTensors;
    // Boxes of 1×3×5 (whole rows of 3 lines), non-overlapping: 3 frames × 2 boxes.
    const res = await getMethod('occlusion').explain(
      { clip, model: lin, target: 0 },
      { window: [1, 3, 5], stride: [1, 3, 5], fill: 'zero', output: 'logit', batchSize: 4 },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(res.extras).toMatchObject({ boxes: 6 });
    for (let f = 0; f < 3; f++)
      for (let box = 0; box < 2; box++) {
        let drop = 0;
        for (let y = box * 3; y < box * 3 + 3; y++) for (let xx = 0; xx < 5; xx++) drop += weights[(f * 6 + y) * 5 + xx]! * x[((f * 6 + y) * 5 + xx) * 3]!;
        for (let y = box * 3; y < box * 3 + 3; y++)
          for (let xx = 0; xx < 5; xx++) expect(res.saliency[(f * 6 + y) * 5 + xx]).toBeCloseTo(drop, 4);
      }
    // Overlapping boxes average the drops: with a 1×1×1 box every voxel gets its own w·x.
    const fine = await getMethod('occlusion').explain(
      { clip, model: lin, target: 0 },
      { window: [1, 1, 1], stride: [1, 1, 1], fill: 'zero', output: 'logit', batchSize: 32 },
    );
    fine.saliency.forEach((v, i) => expect(v).toBeCloseTo(weights[i]! * x[i * 3]!, 4));
    tf.dispose(clip);
    lin.dispose();
  });
});

describe('Grad-CAM (Selvaraju et al. 2017) for video', () => {
  it('linear resize matrix matches half-pixel trilinear interpolation', () => {
    expect(Array.from(linearResizeMatrix(2, 4))).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1]);
    expect(Array.from(linearResizeMatrix(3, 3))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('is the normalised feature map when the gradient is uniform (red detector), and finds the red square', async () => {
    const { clip, gt } = redSquareClip(4, 24, 24, 6);
    const model = createRedDetector({ frames: 4, height: 24, width: 24 });
    const before = tf.memory().numTensors;
    const res = await getMethod('gradcam').explain({ clip, model, target: 0 }, {});
    expect(tf.memory().numTensors).toBe(before);
    expect(res.params).toEqual({ layer: 'features' });
    const a = tf.tidy(() => {
      const x = clip.dataSync();
      const out = new Float32Array(x.length / 3);
      for (let i = 0; i < out.length; i++) out[i] = (x[3 * i]! - (x[3 * i + 1]! + x[3 * i + 2]!) / 2) ** 2;
      return out;
    });
    const mx = Math.max(...a);
    res.saliency.forEach((v, i) => expect(v).toBeCloseTo(a[i]! / mx, 4));
    let inside = 0;
    let outside = 0;
    res.saliency.forEach((v, i) => (gt[i] ? (inside += v) : (outside += v)));
    expect(inside / gt.reduce((s, g) => s + g, 0)).toBeGreaterThan((10 * outside) / (gt.length - gt.reduce((s, g) => s + g, 0)));
    await expect(getMethod('gradcam').explain({ clip, model, target: 0 }, { layer: 'nope' })).rejects.toThrow(GradCamUnsupportedError);
    const lin = createLinearClassifier({ frames: 4, height: 24, width: 24 }, new Float32Array(4 * 24 * 24));
    await expect(getMethod('gradcam').explain({ clip, model: lin, target: 0 }, {})).rejects.toThrow(GradCamUnsupportedError);
    lin.dispose();
    clip.dispose();
    model.dispose();
  });
});
