import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { createRedDetector, redSquareClip } from '../testing/tiny-classifier.ts';
import {
  auc,
  causalMetric,
  type CausalSubstrate,
  insertionBlur,
  maxPoint,
  pointingGame,
  saliencyOrder,
  sparsity,
  spatialSmoothness,
  temporalConsistency,
  intervalShare,
  topAreaIoU,
} from './metrics.ts';

beforeAll(async () => {
  await initBackend();
});

describe('auc', () => {
  it('is the normalised trapezoid', () => {
    expect(auc([1, 1, 1])).toBe(1);
    expect(auc([0, 1])).toBe(0.5);
    expect(auc([1, 0.5, 0])).toBe(0.5);
    expect(auc([0, 1, 1, 1, 0])).toBeCloseTo(0.75, 12);
  });
});

describe('order and simple metrics', () => {
  it('orders by decreasing saliency, ties by index', () => {
    expect(Array.from(saliencyOrder([0.2, 0.9, 0.2, 0.5]))).toEqual([1, 3, 0, 2]);
  });

  it('spatial smoothness: mean |Δ| over adjacent pairs, averaged over frames', () => {
    // frame 0 [[0,1],[0,1]]: horizontal |Δ| = 1+1, vertical 0 → 2 / 4 pairs = 0.5; frame 1 constant → 0.
    expect(spatialSmoothness([0, 1, 0, 1, 1, 1, 1, 1], [2, 2, 2])).toBeCloseTo(0.25, 12);
    // max-normalised: scaling does not change it
    expect(spatialSmoothness([0, 4, 0, 4, 4, 4, 4, 4], [2, 2, 2])).toBeCloseTo(0.25, 12);
  });

  it('temporal consistency: Σ|s_t − s_{t−1}| / ((T−1)·H·W) on max-normalised saliency', () => {
    // frames [0,0],[1,1],[1,0] → |Δ| sums 2 and 1 over (3−1)·2 = 4 → 0.75
    expect(temporalConsistency([0, 0, 1, 1, 1, 0], [3, 1, 2])).toBeCloseTo(0.75, 12);
    expect(temporalConsistency([1, 2, 3], [1, 1, 3])).toBe(0);
  });

  it('intervalShare: share of the saliency mass on the action frames, negatives as 0', () => {
    // 4 frames of 1×2: masses 1, 3, 0 (−2 counts as 0), 4 → total 8; frames 1–2 hold 3.
    const s = [0.5, 0.5, 1, 2, -2, 0, 4, 0];
    expect(intervalShare(s, [4, 1, 2], [1, 2])).toBeCloseTo(3 / 8, 12);
    expect(intervalShare(s, [4, 1, 2], [0, 3])).toBe(1);
    // Uniform over time: the interval's share of the frames.
    expect(intervalShare(new Array(8).fill(0.25), [4, 1, 2], [1, 3])).toBeCloseTo(3 / 4, 12);
    expect(intervalShare(new Array(8).fill(0), [4, 1, 2], [1, 3])).toBe(0);
    expect(() => intervalShare(s, [4, 1, 2], [2, 4])).toThrow(RangeError);
    expect(() => intervalShare(s, [4, 1, 2], [2, 1])).toThrow(RangeError);
  });

  it('sparsity is the Gini index', () => {
    expect(sparsity([1, 1, 1, 1])).toBeCloseTo(0, 12);
    expect(sparsity([0, 0, 0, 1])).toBeCloseTo(0.75, 12);
    expect(sparsity([0, 0, 0, 0])).toBe(0);
    // [1,2,3]: Σ(2i−n−1)x = (−2)(1)+0(2)+2(3) = 4; / (3·6) = 2/9
    expect(sparsity([3, 1, 2])).toBeCloseTo(2 / 9, 12);
  });

  it('pointing game with masks (strict 15 px disc) counts only frames with ground truth', () => {
    const [t, h, w] = [3, 40, 40];
    const s = new Float32Array(t * h * w);
    const gt = new Uint8Array(t * h * w);
    // Frame 0: object pixel at (20,20); max at (20,34): distance 14 → hit.
    gt[0 * 1600 + 20 * 40 + 20] = 1;
    s[0 * 1600 + 20 * 40 + 34] = 1;
    // Frame 1: object at (20,20); max at (20,35): distance 15, not < 15 → miss.
    gt[1 * 1600 + 20 * 40 + 20] = 1;
    s[1 * 1600 + 20 * 40 + 35] = 1;
    // Frame 2: no ground truth → not counted.
    s[2 * 1600] = 1;
    const r = pointingGame(s, [t, h, w], { kind: 'masks', masks: gt });
    expect(r).toEqual({ hits: 1, frames: 2, accuracy: 0.5, perFrame: [true, false, null] });
  });

  it('pointing game with boxes grows the box by the tolerance (Li et al.)', () => {
    const [h, w] = [10, 12];
    const s = new Float32Array(2 * h * w);
    s[5 * w + 9] = 1; // frame 0: max at x=9, y=5
    s[h * w + 5 * w + 10] = 1; // frame 1: max at x=10, y=5
    const box = { x0: 2, y0: 2, x1: 4, y1: 6 };
    // Box grown by 5 spans x ∈ [−3, 9]: 9 is inside, 10 is not.
    expect(pointingGame(s, [2, h, w], { kind: 'boxes', boxes: [box, box] }, 5).perFrame).toEqual([true, false]);
    expect(pointingGame(s, [2, h, w], { kind: 'boxes', boxes: [box, null] }, 4).perFrame).toEqual([false, null]);
  });

  it('uses the plateau pixel nearest the centroid of tied maxima', () => {
    const s = new Float32Array(25);
    for (const [y, x] of [
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [2, 3],
      [3, 1],
      [3, 2],
      [3, 3],
    ])
      s[y! * 5 + x!] = 1;
    expect(maxPoint(s, 0, 5, 5)).toEqual([2, 2]);
  });

  it('IoU of the top-a region', () => {
    const s = [0.9, 0.8, 0.1, 0.7, 0, 0, 0, 0];
    const gt = [1, 0, 0, 1, 1, 0, 0, 0];
    // a = 3/8 (gt fraction): top-3 = {0,1,3}; ∩ = {0,3} = 2; ∪ = 3 + 3 − 2 = 4
    expect(topAreaIoU(s, [2, 2, 2], gt)).toBeCloseTo(0.5, 12);
    // a = 0.25 → top-2 {0,1}: ∩ 1, ∪ 4
    expect(topAreaIoU(s, [2, 2, 2], gt, 0.25)).toBeCloseTo(0.25, 12);
  });
});

describe('causal insertion / deletion', () => {
  it('matches a step-by-step manual evaluation and ranks a good map above a bad one', async () => {
    const [t, h, w] = [2, 16, 16];
    const model = createRedDetector({ frames: t, height: h, width: w });
    const synth = redSquareClip(t, h, w, 6);
    const n = t * h * w;
    const good = Float32Array.from(synth.gt, (g, i) => g + 1e-3 * ((i * 7919) % 13));
    const bad = Float32Array.from(synth.gt, (g, i) => 1 - g + 1e-3 * ((i * 7919) % 13));
    const steps = 8;
    const before = tf.memory().numTensors;
    const ins = await causalMetric(model, synth.clip, 0, good, { mode: 'insertion', steps, batchSize: 3 });
    const del = await causalMetric(model, synth.clip, 0, good, { mode: 'deletion', steps, batchSize: 4 });
    const insBad = await causalMetric(model, synth.clip, 0, bad, { mode: 'insertion', steps });
    const delBad = await causalMetric(model, synth.clip, 0, bad, { mode: 'deletion', steps });
    expect(tf.memory().numTensors).toBe(before);
    expect(ins.curve).toHaveLength(steps + 1);
    expect(ins.auc).toBeGreaterThan(insBad.auc);
    expect(del.auc).toBeLessThan(delBad.auc);

    // Manual reference for the insertion curve, one forward pass per step.
    const order = saliencyOrder(good);
    const blurred = insertionBlur(synth.clip);
    for (let k = 0; k <= steps; k++) {
      const upto = Math.floor((k * n) / steps);
      const m = new Float32Array(n);
      for (let i = 0; i < upto; i++) m[order[i]!] = 1;
      const p = tf.tidy(() => {
        const mask = tf.tensor4d(m, [t, h, w, 1]);
        const x = tf.add(tf.mul(mask, synth.clip), tf.mul(tf.sub(1, mask), blurred));
        return tf.softmax(model.logits(x.expandDims(0) as tf.Tensor5D)).dataSync()[0]!;
      });
      expect(ins.curve[k]).toBeCloseTo(p, 5);
    }
    expect(ins.auc).toBeCloseTo(auc(ins.curve), 12);
    // Deletion ends with an all-zero clip, insertion with the clip itself.
    const pClean = tf.tidy(() => tf.softmax(model.logits(synth.clip.expandDims(0) as tf.Tensor5D)).dataSync()[0]!);
    expect(ins.curve[steps]).toBeCloseTo(pClean, 5);
    expect(del.curve[0]).toBeCloseTo(pClean, 5);
    blurred.dispose();
    synth.clip.dispose();
    model.dispose();
  });

  it('removes to the model’s mean colour, or to black, or to the blurred clip (substrate)', async () => {
    const [t, h, w] = [2, 16, 16];
    const base = createRedDetector({ frames: t, height: h, width: w });
    // The same network, declaring a mean colour (its own is 0, which would equal black).
    const mean = [0.25, 0.5, 0.75];
    const model = { ...base, input: { ...base.input, mean }, logits: (x: tf.Tensor5D) => base.logits(x) };
    const synth = redSquareClip(t, h, w, 6);
    const s = Float32Array.from(synth.gt, (g, i) => g + 1e-3 * ((i * 7919) % 13));
    const prob = (x: tf.Tensor4D) => tf.tidy(() => tf.softmax(model.logits(x.expandDims(0) as tf.Tensor5D)).dataSync()[0]!);
    const meanClip = tf.tidy(() => tf.mul(tf.onesLike(synth.clip), tf.tensor1d(mean)) as tf.Tensor4D);
    const black = tf.zerosLike(synth.clip);
    const blurred = insertionBlur(synth.clip);
    const cases: [CausalSubstrate, tf.Tensor4D][] = [['mean', meanClip], ['black', black], ['blur', blurred]];
    for (const [substrate, end] of cases) {
      const del = await causalMetric(model, synth.clip, 0, s, { mode: 'deletion', steps: 4, substrate });
      const ins = await causalMetric(model, synth.clip, 0, s, { mode: 'insertion', steps: 4, substrate });
      expect(del.curve[4]).toBeCloseTo(prob(end), 5);
      expect(ins.curve[0]).toBeCloseTo(prob(end), 5);
    }
    // The defaults are the engine's documented ones.
    expect((await causalMetric(model, synth.clip, 0, s, { mode: 'deletion', steps: 4 })).curve[4]).toBeCloseTo(prob(black), 5);
    expect((await causalMetric(model, synth.clip, 0, s, { mode: 'insertion', steps: 4 })).curve[0]).toBeCloseTo(prob(blurred), 5);
    expect(prob(meanClip)).not.toBeCloseTo(prob(black), 3);
    tf.dispose([meanClip, black, blurred, synth.clip]);
    base.dispose();
  });

  it('perturbs whole grid cells in the order of their mean saliency (grid)', async () => {
    const [t, h, w, g] = [2, 16, 16, 4];
    const model = createRedDetector({ frames: t, height: h, width: w });
    const synth = redSquareClip(t, h, w, 6);
    const s = Float32Array.from(synth.gt, (v, i) => v + 1e-3 * ((i * 7919) % 13));
    const cells = t * g * g;
    const res = await causalMetric(model, synth.clip, 0, s, { mode: 'deletion', steps: cells, grid: g });
    // Manual: rank cells by summed saliency, remove the top k cells (4×4 px each) to black.
    const sums = new Float64Array(cells);
    s.forEach((v, i) => {
      const f = Math.floor(i / (h * w)), y = Math.floor(i / w) % h, x = i % w;
      sums[(f * g + Math.floor(y / 4)) * g + Math.floor(x / 4)]! += v;
    });
    const order = saliencyOrder(sums);
    for (const k of [0, 1, 5, 17, cells]) {
      const keep = new Float32Array(t * h * w).fill(1);
      for (let r = 0; r < k; r++) {
        const cell = order[r]!, f = Math.floor(cell / (g * g)), cy = Math.floor(cell / g) % g, cx = cell % g;
        for (let y = 4 * cy; y < 4 * cy + 4; y++) for (let x = 4 * cx; x < 4 * cx + 4; x++) keep[(f * h + y) * w + x] = 0;
      }
      const p = tf.tidy(() => tf.softmax(model.logits(tf.mul(synth.clip, tf.tensor4d(keep, [t, h, w, 1])).expandDims(0) as tf.Tensor5D)).dataSync()[0]!);
      expect(res.curve[k]).toBeCloseTo(p, 5);
    }
    await expect(causalMetric(model, synth.clip, 0, s, { mode: 'deletion', grid: 5 })).rejects.toThrow(RangeError);
    synth.clip.dispose();
    model.dispose();
  });

  it('sizes its batches by the memory a forward pass needs, with the same curve', async () => {
    const [t, h, w] = [2, 16, 16];
    const model = createRedDetector({ frames: t, height: h, width: w });
    const batches: number[] = [];
    // The same network, recording the batch of every forward pass.
    const recording = { ...model, logits: (x: tf.Tensor5D) => (batches.push(x.shape[0]), model.logits(x)) };
    const synth = redSquareClip(t, h, w, 6);
    const s = Float32Array.from(synth.gt, (g, i) => g + 1e-3 * ((i * 7919) % 13));
    const steps = 20;
    const one = await causalMetric(model, synth.clip, 0, s, { mode: 'deletion', steps, batchSize: 1 });
    const ample = await causalMetric(recording, synth.clip, 0, s, { mode: 'deletion', steps });
    expect(batches).toEqual([1, 8, 8, 4]);
    batches.length = 0;
    const tight = await causalMetric(recording, synth.clip, 0, s, { mode: 'deletion', steps, batchBytes: 1 });
    expect(batches).toEqual(new Array(steps + 1).fill(1));
    for (const r of [ample, tight]) for (let k = 0; k <= steps; k++) expect(r.curve[k]).toBeCloseTo(one.curve[k]!, 6);
    synth.clip.dispose();
    model.dispose();
  });
});
