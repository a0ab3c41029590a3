/**
 * One explanation, from a decoded clip to the result object — the single code path shared by
 * the `fep explain` CLI and the queue worker, so both record identical results and provenance.
 *
 * Steps: predict (softmax, top-5) → resolve the target → run the method (getMethod) with
 * progress → metrics (core/metrics.ts) → a JSON-ready `ExplanationRecord`. The caller decodes
 * the clip (video/decode.ts) and stores the outputs (files for the CLI, blob storage for the
 * worker); nothing here touches the file system except hashing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { engineVersion, type BackendInfo } from './backend.ts';
import {
  causalMetric,
  pointingGame,
  sparsity,
  spatialSmoothness,
  temporalConsistency,
  topAreaIoU,
  type PointingGameResult,
} from './core/metrics.ts';
import { getMethod } from './methods/index.ts';
import { PREVIEW_EVERY_MS, type MaskPreview } from '@fep/shared/progress';
import type { ExplainProgressEvent, ExplainResult, VideoClassifier } from './methods/types.ts';
import type { DecodedClip } from './video/decode.ts';

export const RESULT_SCHEMA = 'fep-explanation/1';

/** 'top1' (default), a label, or a class index. */
export type TargetSpec = 'top1' | string | number;

export class TargetError extends Error {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

export interface ClassScore {
  index: number;
  label: string;
  probability: number;
}

export interface ExplainVideoProgress extends Omit<ExplainProgressEvent, 'preview'> {
  stage: 'optimising' | 'metrics';
  /** The mask as it forms, at most every PREVIEW_EVERY_MS (optimising methods only). */
  preview?: MaskPreview;
  /** 0..1 over this clip (optimising 0–0.9, metrics 0.9–1). */
  fraction: number;
  etaMs: number | null;
}

export interface ExplainClipRequest {
  clip: DecodedClip;
  model: VideoClassifier;
  method: string;
  target?: TargetSpec;
  /** Method parameter overrides (area, iterations, seed, …); defaults fill the rest. */
  params?: Record<string, unknown>;
  videoSha256: string;
  backend: BackendInfo;
  /** Ground-truth masks [T,H,W] for this clip (SynthActions gt.npy): adds pointing game and IoU. */
  groundTruth?: Uint8Array;
  /**
   * Steps of the insertion/deletion curves. Default 256 (metrics.ts default, after Li et al.,
   * WACV 2021). Each step is one forward pass, so lower it for quick runs.
   */
  metricSteps?: number;
  /** Skip insertion/deletion (the forward-pass-heavy metrics). */
  skipCausalMetrics?: boolean;
  /**
   * Abort to stop: checked between stages and before every forward-pass batch of the
   * insertion/deletion metrics (throws the signal's reason). The optimisation stops through
   * `onProgress` (return false or throw), which the method calls every iteration.
   */
  signal?: AbortSignal;
  /** Return false (or throw) to cancel; passed through to the method. */
  onProgress?: (p: ExplainVideoProgress) => void | boolean | Promise<void | boolean>;
}

export interface ExplanationMetrics {
  insertionAuc: number | null;
  deletionAuc: number | null;
  temporalConsistency: number;
  spatialSmoothness: number;
  sparsity: number;
  /** Target probability on the unperturbed clip. */
  targetProbability: number;
  finalEnergy: number | null;
  pointingGame?: Omit<PointingGameResult, 'perFrame'> & { perFrame: Array<boolean | null> };
  iou?: number;
  /**
   * Mask methods (EP, F-EP, EP + smoothing, random): the area asked for and the mean of the mask
   * actually returned, so comparisons can be made at matched areas (F-EP's masks run
   * larger than requested).
   */
  requestedArea?: number;
  effectiveArea?: number;
  insertionCurve?: number[];
  deletionCurve?: number[];
}

export interface ExplanationRecord {
  schema: typeof RESULT_SCHEMA;
  prediction: ClassScore;
  top5: ClassScore[];
  target: ClassScore & { requested: string };
  method: string;
  params: Record<string, unknown>;
  metrics: ExplanationMetrics;
  saliency: { shape: [number, number, number]; dtype: 'float32'; min: number; max: number; mean: number };
  clip: {
    startSec: number;
    windowSec: number;
    frames: number;
    height: number;
    width: number;
    paddedFrames: number;
    sourceFrameIndices: number[];
    /**
     * Per-channel mean and standard deviation of the decoded clip's values (the model's value
     * range before its own mean/std normalisation), so the input can be compared with the
     * statistics the model's manifest states (packages/shared/src/trust.ts).
     */
    pixelStats: { mean: number[]; std: number[] };
  };
  provenance: {
    videoSha256: string;
    modelSha256: string;
    modelName: string;
    modelVersion: string;
    engineVersion: string;
    backend: string;
    device: string;
    seed: number | null;
    frameTimestamps: number[];
    startedAt: string;
    finishedAt: string;
  };
  timings: { totalMs: number; predictMs: number; optimiseMs: number; metricsMs: number; iterations: number; iterationMs: number };
  extras?: Record<string, unknown>;
}

export interface ExplainClipOutput {
  record: ExplanationRecord;
  /** [T,H,W] float32, the volume behind `record.saliency`. */
  saliency: Float32Array;
  /** The method's raw result (per-area masks in `extras.masksByArea` for EP/F-EP). */
  result: ExplainResult;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Softmax probabilities of one clip [T,H,W,3]. */
export function classProbabilities(model: VideoClassifier, clip: tf.Tensor4D): Float32Array {
  const p = tf.tidy(() => tf.softmax(model.logits(clip.expandDims(0) as tf.Tensor5D)).squeeze([0]));
  try {
    return p.dataSync() as Float32Array;
  } finally {
    p.dispose();
  }
}

export function topK(probs: ArrayLike<number>, labels: readonly string[], k: number): ClassScore[] {
  return Array.from({ length: probs.length }, (_, i) => i)
    .sort((a, b) => probs[b]! - probs[a]! || a - b)
    .slice(0, k)
    .map((index) => ({ index, label: labels[index] ?? String(index), probability: probs[index]! }));
}

/** 'top1' → arg-max; a label → its index; an integer (or integer string) → that index. */
export function resolveTarget(spec: TargetSpec | undefined, labels: readonly string[], probs: ArrayLike<number>): number {
  if (spec === undefined || spec === 'top1') return topK(probs, labels, 1)[0]!.index;
  if (typeof spec === 'number' || /^\d+$/.test(spec)) {
    const i = Number(spec);
    if (!Number.isInteger(i) || i < 0 || i >= labels.length) throw new TargetError(`Target index ${spec} is out of range: the model has ${labels.length} classes (0–${labels.length - 1}).`);
    return i;
  }
  const i = labels.indexOf(spec);
  if (i < 0) throw new TargetError(`Unknown target label "${spec}". The model's labels: ${labels.join(', ')}.`);
  return i;
}

function stats(s: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of s) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: s.length ? sum / s.length : 0 };
}

/** Per-channel mean and (population) standard deviation of interleaved values, rounded to 1e-4. */
export function channelStats(data: Float32Array, channels: number): { mean: number[]; std: number[] } {
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  const n = Math.floor(data.length / channels);
  for (let i = 0; i < n * channels; i++) {
    const v = data[i]!;
    const c = i % channels;
    sum[c] = sum[c]! + v;
    sq[c] = sq[c]! + v * v;
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  const mean = Array.from(sum, (s) => (n ? s / n : 0));
  const std = Array.from(sq, (q, c) => (n ? Math.sqrt(Math.max(0, q / n - mean[c]! ** 2)) : 0));
  return { mean: mean.map(round), std: std.map(round) };
}

export async function explainClip(req: ExplainClipRequest): Promise<ExplainClipOutput> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const { model, clip } = req;
  const [T, H, W] = clip.shape;
  const spec = model.input;
  if (T !== spec.frames || H !== spec.height || W !== spec.width) {
    throw new RangeError(`The clip is ${T}×${H}×${W} but ${model.name} expects ${spec.frames}×${spec.height}×${spec.width}; decode at the model's input size.`);
  }
  if (req.groundTruth && req.groundTruth.length !== T * H * W) {
    throw new RangeError(`Ground truth has ${req.groundTruth.length} voxels, the clip ${T * H * W}.`);
  }
  const method = getMethod(req.method);
  const clipTensor = tf.tensor4d(clip.data, [T, H, W, 3]);
  try {
    const probs = classProbabilities(model, clipTensor);
    const predictMs = Date.now() - started;
    const top5 = topK(probs, model.labels, 5);
    const target = resolveTarget(req.target, model.labels, probs);

    const optStart = Date.now();
    let lastEvent: Omit<ExplainProgressEvent, 'preview'> = { iteration: 0, totalIterations: 0, energy: null };
    let lastPreviewAt = -Infinity;
    const result = await method.explain({ clip: clipTensor, model, target }, req.params ?? {}, async ({ preview, ...e }) => {
      lastEvent = e;
      const frac = e.totalIterations > 0 ? e.iteration / e.totalIterations : 0;
      const elapsed = Date.now() - optStart;
      // A preview of the mask at most every PREVIEW_EVERY_MS, and at the last iteration.
      const wantPreview = preview && req.onProgress && (Date.now() - lastPreviewAt >= PREVIEW_EVERY_MS || e.iteration === e.totalIterations);
      if (wantPreview) lastPreviewAt = Date.now();
      return req.onProgress?.({
        ...e,
        stage: 'optimising',
        fraction: 0.9 * frac,
        etaMs: frac > 0 ? Math.round((elapsed * (1 - frac)) / frac) : null,
        ...(wantPreview ? { preview: { ...preview(), frameTimestamps: clip.timestamps } } : {}),
      });
    });
    const optimiseMs = Date.now() - optStart;
    const saliency = result.saliency;
    const shape = result.shape;

    const metricsStart = Date.now();
    req.signal?.throwIfAborted();
    await req.onProgress?.({ ...lastEvent, stage: 'metrics', fraction: 0.9, etaMs: null });
    let insertion: { auc: number; curve: number[] } | null = null;
    let deletion: { auc: number; curve: number[] } | null = null;
    if (!req.skipCausalMetrics) {
      const steps = req.metricSteps ?? 256;
      insertion = await causalMetric(model, clipTensor, target, saliency, { mode: 'insertion', steps, signal: req.signal });
      await req.onProgress?.({ ...lastEvent, stage: 'metrics', fraction: 0.95, etaMs: null });
      deletion = await causalMetric(model, clipTensor, target, saliency, { mode: 'deletion', steps, signal: req.signal });
    }
    const metrics: ExplanationMetrics = {
      insertionAuc: insertion?.auc ?? null,
      deletionAuc: deletion?.auc ?? null,
      temporalConsistency: temporalConsistency(saliency, shape),
      spatialSmoothness: spatialSmoothness(saliency, shape),
      sparsity: sparsity(saliency),
      targetProbability: probs[target]!,
      finalEnergy: result.finalEnergy,
    };
    if (typeof result.params.area === 'number') {
      metrics.requestedArea = result.params.area;
      let sum = 0;
      for (let i = 0; i < saliency.length; i++) sum += saliency[i]!;
      metrics.effectiveArea = sum / saliency.length;
    }
    if (req.groundTruth) {
      metrics.pointingGame = pointingGame(saliency, shape, { kind: 'masks', masks: req.groundTruth });
      metrics.iou = topAreaIoU(saliency, shape, req.groundTruth);
    }
    if (insertion) metrics.insertionCurve = insertion.curve;
    if (deletion) metrics.deletionCurve = deletion.curve;
    const metricsMs = Date.now() - metricsStart;
    await req.onProgress?.({ ...lastEvent, stage: 'metrics', fraction: 1, etaMs: 0 });

    const finished = Date.now();
    const seed = typeof result.params.seed === 'number' ? result.params.seed : null;
    const extras = result.extras ? stripVolumes(result.extras) : undefined;
    const record: ExplanationRecord = {
      schema: RESULT_SCHEMA,
      prediction: top5[0]!,
      top5,
      target: {
        index: target,
        label: model.labels[target] ?? String(target),
        probability: probs[target]!,
        requested: String(req.target ?? 'top1'),
      },
      method: method.name,
      params: result.params,
      metrics,
      saliency: { shape, dtype: 'float32', ...stats(saliency) },
      clip: {
        startSec: clip.startSec,
        windowSec: clip.windowSec,
        frames: T,
        height: H,
        width: W,
        paddedFrames: clip.paddedFrames,
        sourceFrameIndices: clip.sourceFrameIndices,
        pixelStats: channelStats(clip.data, 3),
      },
      provenance: {
        videoSha256: req.videoSha256,
        modelSha256: model.weightsSha256,
        modelName: model.name,
        modelVersion: model.version,
        engineVersion: engineVersion(),
        backend: req.backend.backend,
        device: req.backend.device,
        seed,
        frameTimestamps: clip.timestamps,
        startedAt,
        finishedAt: new Date(finished).toISOString(),
      },
      timings: {
        totalMs: finished - started,
        predictMs,
        optimiseMs,
        metricsMs,
        iterations: result.iterations,
        iterationMs: result.iterations > 0 ? optimiseMs / result.iterations : 0,
      },
      ...(extras ? { extras } : {}),
    };
    return { record, saliency, result };
  } finally {
    clipTensor.dispose();
  }
}

/** Method extras may hold whole volumes (per-area masks); the record keeps only the small values. */
function stripVolumes(extras: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extras)) {
    if (ArrayBuffer.isView(v)) continue;
    if (Array.isArray(v) && v.some((e) => typeof e === 'object' && e !== null && Object.values(e).some((x) => ArrayBuffer.isView(x)))) {
      out[k] = v.map((e) => Object.fromEntries(Object.entries(e as object).filter(([, x]) => !ArrayBuffer.isView(x))));
      continue;
    }
    out[k] = v;
  }
  return out;
}
