import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from './backend.ts';
import { decodeMaskPreview, type MaskPreview } from '@fep/shared/progress';
import { explainClip, resolveTarget, RESULT_SCHEMA, sha256File, TargetError, topK } from './explain-video.ts';
import { createRedDetector, redSquareClip } from './testing/tiny-classifier.ts';
import type { DecodedClip } from './video/decode.ts';
import type { VideoClassifier } from './methods/types.ts';
import type { VideoMeta } from './video/probe.ts';
import { withTempDir } from './video/test-fixtures.ts';
import { writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';

const [T, H, W] = [4, 24, 24];
let backend: BackendInfo;
let clip: DecodedClip;
let gt: Uint8Array;
let model: VideoClassifier;

beforeAll(async () => {
  backend = await initBackend('wasm');
  model = createRedDetector({ frames: T, height: H, width: W });
  const red = redSquareClip(T, H, W, 8);
  const data = (await red.clip.data()) as Float32Array;
  red.clip.dispose();
  gt = red.gt;
  clip = {
    data,
    shape: [T, H, W, 3],
    timestamps: [0, 0.04, 0.08, 0.12],
    sourceFrameIndices: [0, 1, 2, 3],
    paddedFrames: 0,
    startSec: 0,
    windowSec: 0.16,
    meta: { fps: 25 } as VideoMeta,
  };
});
afterAll(() => model.dispose());

describe('target resolution', () => {
  const labels = ['a', 'b', 'c'];
  const probs = [0.2, 0.5, 0.3];
  it('maps top1, labels and indices', () => {
    expect(resolveTarget(undefined, labels, probs)).toBe(1);
    expect(resolveTarget('top1', labels, probs)).toBe(1);
    expect(resolveTarget('c', labels, probs)).toBe(2);
    expect(resolveTarget('0', labels, probs)).toBe(0);
    expect(resolveTarget(2, labels, probs)).toBe(2);
  });
  it('rejects unknown labels and out-of-range indices with TargetError', () => {
    expect(() => resolveTarget('d', labels, probs)).toThrow(TargetError);
    expect(() => resolveTarget(3, labels, probs)).toThrow(/out of range/);
  });
  it('orders top-k by probability', () => {
    expect(topK(probs, labels, 2).map((s) => s.label)).toEqual(['b', 'c']);
  });
});

describe('explainClip', () => {
  it('produces a complete record for an EP run, with metrics and ground-truth scores', async () => {
    const events: string[] = [];
    const { record, saliency } = await explainClip({
      clip,
      model,
      method: 'ep',
      params: { iterations: 30, areas: [0.1], area: 0.1, step: 3, sigma: 5 },
      videoSha256: 'f'.repeat(64),
      backend,
      groundTruth: gt,
      metricSteps: 8,
      onProgress: (p) => {
        events.push(p.stage);
      },
    });
    expect(saliency.length).toBe(T * H * W);
    expect(record.schema).toBe(RESULT_SCHEMA);
    expect(record.prediction).toMatchObject({ index: 0, label: 'red-object' });
    expect(record.top5).toHaveLength(2);
    expect(record.target).toMatchObject({ index: 0, requested: 'top1' });
    expect(record.method).toBe('ep');
    expect(record.params).toMatchObject({ iterations: 30, area: 0.1, variant: 'preserve' });
    expect(record.saliency.shape).toEqual([T, H, W]);
    expect(record.metrics.insertionCurve).toHaveLength(9);
    for (const k of ['insertionAuc', 'deletionAuc', 'temporalConsistency', 'spatialSmoothness', 'sparsity'] as const) {
      expect(Number.isFinite(record.metrics[k])).toBe(true);
    }
    // The detector only sees the red square, so EP must find it.
    expect(record.metrics.pointingGame!.accuracy).toBe(1);
    expect(record.metrics.iou).toBeGreaterThanOrEqual(0);
    expect(record.metrics.iou).toBeLessThanOrEqual(1);
    // The area asked for beside the mask's actual mean (so methods can be compared at matched areas).
    expect(record.metrics.requestedArea).toBe(0.1);
    const meanMask = saliency.reduce((a, x) => a + x, 0) / saliency.length;
    expect(record.metrics.effectiveArea).toBeCloseTo(meanMask, 6);
    expect(record.metrics.effectiveArea).toBeGreaterThan(0);
    expect(record.provenance).toMatchObject({
      videoSha256: 'f'.repeat(64),
      modelName: 'tiny-red-detector',
      backend: 'wasm',
      seed: 0,
      frameTimestamps: clip.timestamps,
    });
    expect(Date.parse(record.provenance.finishedAt)).toBeGreaterThanOrEqual(Date.parse(record.provenance.startedAt));
    expect(record.timings.iterations).toBe(30);
    expect(record.timings.iterationMs).toBeGreaterThan(0);
    expect(events).toContain('optimising');
    expect(events.at(-1)).toBe('metrics');
    expect(JSON.parse(JSON.stringify(record))).toMatchObject({ method: 'ep' }); // JSON-safe
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('sends previews of the mask while it optimises, the last one the final mask', async () => {
    const previews: MaskPreview[] = [];
    const { saliency } = await explainClip({
      clip,
      model,
      method: 'fep',
      params: { iterations: 12, areas: [0.1], area: 0.1, step: 3, sigma: 5 },
      videoSha256: 'f'.repeat(64),
      backend,
      skipCausalMetrics: true,
      onProgress: (p) => {
        if (p.preview) previews.push(p.preview);
        // Cloneable as it crosses from the compute thread: plain data, no functions.
        structuredClone(p);
      },
    });
    expect(previews.length).toBeGreaterThanOrEqual(1);
    const last = previews.at(-1)!;
    expect(last).toMatchObject({ frames: T, height: H, width: W, iteration: 12 }); // 24 px ≤ 32: not pooled
    const values = decodeMaskPreview(last);
    // The final mask, quantised to 1/255.
    let worst = 0;
    for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]! - saliency[i]!));
    expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    // Methods that do not optimise a mask send none.
    const none: unknown[] = [];
    await explainClip({ clip, model, method: 'gradient', videoSha256: 'x', backend, skipCausalMetrics: true, onProgress: (p) => void (p.preview && none.push(p.preview)) });
    expect(none).toEqual([]);
  });

  it('explains a named target and rejects a clip of the wrong size', async () => {
    const { record } = await explainClip({ clip, model, method: 'random', target: 'background', videoSha256: 'x', backend, skipCausalMetrics: true });
    expect(record.target).toMatchObject({ index: 1, label: 'background', requested: 'background' });
    expect(record.metrics.insertionAuc).toBeNull();
    const small = { ...clip, shape: [2, H, W, 3] as [number, number, number, 3], data: clip.data.subarray(0, 2 * H * W * 3) };
    await expect(explainClip({ clip: small, model, method: 'random', videoSha256: 'x', backend })).rejects.toThrow(/expects 4×24×24/);
    await expect(explainClip({ clip, model, method: 'random', target: 'cat', videoSha256: 'x', backend })).rejects.toThrow(TargetError);
  });
});

describe('sha256File', () => {
  it('hashes a file by streaming', async () => {
    const tmp = await withTempDir();
    try {
      const data = Buffer.alloc(200_000, 7);
      await writeFile(tmp.file('blob'), data);
      expect(await sha256File(tmp.file('blob'))).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await tmp.cleanup();
    }
  });
});
