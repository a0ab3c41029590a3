import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { defaults as epDefaults, ep } from '../methods/ep.ts';
import { createFrequencyModulator, fep } from '../methods/fep.ts';
import { random } from '../methods/random.ts';
import { ExplanationCancelledError, type VideoClassifier } from '../methods/types.ts';
import { createRedDetector, createTinyClassifier, redSquareClip } from '../testing/tiny-classifier.ts';
import { Dct3d } from './dct.ts';
import { ExtremalProblem, InvalidExplainParamsError } from './extremal-perturbation.ts';
import { frequencyWeightingArray } from './frequency-weighting.ts';
import { pointingGame, topAreaIoU } from './metrics.ts';

const [T, H, W] = [4, 32, 32];
let model: VideoClassifier;
let clip: tf.Tensor4D;

beforeAll(async () => {
  await initBackend();
  model = createTinyClassifier({ frames: T, height: H, width: W }, { classes: 3, seed: 5 });
  clip = tf.randomUniform([T, H, W, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
});

afterAll(() => {
  model.dispose();
  clip.dispose();
});

const quick = { iterations: 6, areas: [0.1, 0.2], area: 0.1 };

describe('EP / F-EP optimisation', () => {
  it('F-EP with the all-pass weighting equals EP bit for bit', async () => {
    const a = await ep.explain({ clip, model, target: 1 }, quick);
    const b = await fep.explain({ clip, model, target: 1 }, { ...quick, weighting: 'none' });
    expect(Buffer.from(b.saliency.buffer).equals(Buffer.from(a.saliency.buffer))).toBe(true);
    expect(b.finalEnergy).toBe(a.finalEnergy);
    // …and a low-pass weighting changes the result.
    const c = await fep.explain({ clip, model, target: 1 }, { ...quick, weighting: 'ideal', temporalCutoff: 0.3, spatialCutoff: 0.3 });
    expect(Buffer.from(c.saliency.buffer).equals(Buffer.from(a.saliency.buffer))).toBe(false);
  });

  it('is deterministic for the same seed and backend, also with random initialisation', async () => {
    const p = { ...quick, init: 'random' as const, seed: 42 };
    const a = await fep.explain({ clip, model, target: 2 }, p);
    const b = await fep.explain({ clip, model, target: 2 }, p);
    expect(Buffer.from(a.saliency.buffer).equals(Buffer.from(b.saliency.buffer))).toBe(true);
    const c = await fep.explain({ clip, model, target: 2 }, { ...p, seed: 43 });
    expect(Buffer.from(a.saliency.buffer).equals(Buffer.from(c.saliency.buffer))).toBe(false);
  });

  it('returns the requested area, all areas in extras, masks in [0,1], and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const events: number[] = [];
    const r = await fep.explain({ clip, model, target: 0 }, { ...quick, area: 0.3, variant: 'dual' }, (e) => {
      events.push(e.iteration);
      expect(e.totalIterations).toBe(6);
      expect(Number.isFinite(e.energy)).toBe(true);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(events).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.shape).toEqual([T, H, W]);
    expect(r.saliency.length).toBe(T * H * W);
    expect(r.saliency.every((v) => v >= 0 && v <= 1)).toBe(true);
    const byArea = r.extras!.masksByArea as Array<{ area: number; saliency: Float32Array }>;
    expect(byArea.map((m) => m.area)).toEqual([0.1, 0.2, 0.3]);
    expect(byArea[2]!.saliency).toEqual(r.saliency);
    expect((r.extras!.finalProbabilities as { delete: number[] }).delete).toHaveLength(3);
    expect(r.params.weighting).toBe('ideal');
  });

  it('cancels when the progress callback returns false, without leaking', async () => {
    const before = tf.memory().numTensors;
    let calls = 0;
    await expect(
      ep.explain({ clip, model, target: 0 }, { ...quick, iterations: 50 }, () => {
        calls++;
        return calls < 3;
      }),
    ).rejects.toBeInstanceOf(ExplanationCancelledError);
    expect(calls).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects invalid parameters with a typed error', async () => {
    await expect(ep.explain({ clip, model, target: 7 }, quick)).rejects.toBeInstanceOf(InvalidExplainParamsError);
    await expect(ep.explain({ clip, model, target: 0 }, { ...quick, areas: [1.5], area: 1.5 })).rejects.toBeInstanceOf(
      InvalidExplainParamsError,
    );
  });

  it('energy gradient matches central finite differences on a tiny model', () => {
    const problem = new ExtremalProblem(
      { clip, model, target: 1 },
      { ...epDefaults, areas: [0.2], reward: 'logit', areaWeight: 5, iterations: 10 },
    );
    const n = problem.paramShape.reduce((a, b) => a * b, 1);
    const base = Array.from({ length: n }, (_, i) => 0.3 + 0.4 * ((Math.sin(i * 1.91) + 1) / 2));
    const shape = problem.paramShape;
    const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => problem.energy(p as tf.Tensor4D, 3))(tf.tensor4d(base, shape)).dataSync());
    const at = (v: number[]) => tf.tidy(() => problem.energy(tf.tensor4d(v, shape), 3).dataSync()[0]!);
    // Check the entries with the largest gradients (well above float32 noise).
    const idx = Array.from(grad.keys())
      .sort((a, b) => Math.abs(grad[b]!) - Math.abs(grad[a]!))
      .slice(0, 4);
    for (const i of idx) {
      const e = 2e-3;
      const up = base.slice();
      up[i]! += e;
      const dn = base.slice();
      dn[i]! -= e;
      const fd = (at(up) - at(dn)) / (2 * e);
      expect(Math.abs(grad[i]! - fd)).toBeLessThan(0.05 * Math.abs(fd) + 1e-3);
    }
    problem.dispose();
  });
});

describe('frequency modulator', () => {
  it('removes exactly the stop-band of an ideal low-pass in the DCT domain', () => {
    const shape: [number, number, number] = [4, 6, 6];
    const spec = { type: 'ideal' as const, temporalCutoff: 0.5, spatialCutoff: 0.5 };
    const mod = createFrequencyModulator(shape, spec)!;
    const dct = new Dct3d(shape);
    const w = frequencyWeightingArray(shape, spec);
    const { coeffs, orig } = tf.tidy(() => {
      const g = tf.randomUniform([2, ...shape], -1, 1, 'float32', 1) as tf.Tensor4D;
      return { coeffs: dct.forward(mod.modulate(g)).dataSync(), orig: dct.forward(g).dataSync() };
    });
    for (let i = 0; i < coeffs.length; i++) {
      const wi = w[i % w.length]!;
      expect(Math.abs(coeffs[i]! - wi * orig[i]!)).toBeLessThan(1e-5);
    }
    expect(createFrequencyModulator(shape, { ...spec, type: 'none' })).toBeNull();
    mod.dispose();
    dct.dispose();
  });
});

describe('sanity: explanations of a red-object detector', () => {
  it('EP and F-EP localise the object better than the random baseline', async () => {
    const detector = createRedDetector({ frames: T, height: H, width: W });
    const synth = redSquareClip(T, H, W, 8);
    const input = { clip: synth.clip, model: detector, target: 0 };
    // σ 5 / step 4 suit a 32×32 clip (the 112×112 defaults would make one blob larger than the
    // object). The logit reward: the toy detector's softmax saturates (p ≈ 0.997), so −log p has
    // almost no gradient early on and the area term alone decides where the mask goes.
    const params = { iterations: 40, areas: [0.1], area: 0.1, sigma: 5, step: 4, reward: 'logit' as const };
    // A mild low-pass: on a 4-frame clip whose object moves 5 px a frame, strong temporal low-pass
    // (cut-off ≤ 0.5 of the band) drops the middle frames — the ablation chooses the real cut-offs.
    const fepParams = { ...params, temporalCutoff: 1, spatialCutoff: 1 };
    const [e, f, r] = [await ep.explain(input, params), await fep.explain(input, fepParams), await random.explain(input, {})];
    const shape: [number, number, number] = [T, H, W];
    // Compare the top 10 % (the optimised area): saturated masks tie at 1 over their whole support.
    const iou = (s: Float32Array) => topAreaIoU(s, shape, synth.gt, 0.1);
    expect(iou(r.saliency)).toBeLessThan(0.15);
    expect(iou(e.saliency)).toBeGreaterThan(iou(r.saliency) + 0.3);
    expect(iou(f.saliency)).toBeGreaterThan(iou(r.saliency) + 0.3);
    const gt = { kind: 'masks' as const, masks: synth.gt };
    expect(pointingGame(e.saliency, shape, gt, 4).hits).toBe(4);
    expect(pointingGame(f.saliency, shape, gt, 4).hits).toBe(4);
    expect(pointingGame(r.saliency, shape, gt, 4).hits).toBeLessThan(4);
    detector.dispose();
    synth.clip.dispose();
  });
});
