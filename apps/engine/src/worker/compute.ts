/**
 * The engine's compute step for one explanation, with no database, queue or Redis in sight:
 * model (cached) → window (scan when none was asked for) → decode → explain → compare with the
 * original (reproduce-and-compare). The caller — the explanation lifecycle — reads the row,
 * builds a `ComputeRequest`, stores the saliency volume and writes the outcome.
 *
 * It runs in-process or on the engine's compute thread (compute-thread.ts, `ComputeHost`),
 * which keeps TF.js off the web process's event loop. Cancel: abort `hooks.signal`; every stage
 * checks it (between forward passes, between decoded windows, per optimisation iteration) and
 * ffmpeg children are killed. Each call also has a time limit (ENGINE_JOB_TIMEOUT_MS): past it,
 * the work is aborted the same way and the call rejects with `JobTimeLimitError`.
 */
import path from 'node:path';
import { tmpdir } from 'node:os';
import { createStorage, loadConfig, type ExplainProgress } from '@fep/shared';
import { engineVersion, initBackend, type BackendInfo } from '../backend.ts';
import { explainClip, type ExplanationRecord } from '../explain-video.ts';
import { ExplanationCancelledError } from '../methods/types.ts';
import { BUILTIN_MODEL_DIR, loadModel } from '../model/load-model.ts';
import { ModelFormatError } from '../model/manifest.ts';
import { forgetMaterialised, materialiseModel } from '../model/model-store.ts';
import { decodeClip } from '../video/decode.ts';
import { probeVideo, type VideoMeta } from '../video/probe.ts';
import { findMostConfidentWindow } from '../video/select-window.ts';
import { compareSaliency, type SaliencyComparison } from './compare.ts';
import { DEFAULT_MODEL_CACHE_SIZE, ModelCache, type ModelLease } from './model-cache.ts';

export interface ComputeModelRef {
  id: string;
  name: string;
  version: string;
  builtin: boolean;
  weightsSha256: string;
  /** Uploaded models: sha256 of the stored file index (model-store.ts). */
  archiveSha256: string | null;
}

export interface ComputeRequest {
  explanationId: string;
  method: string;
  target: string | number | null;
  params: Record<string, unknown>;
  /** null → scan the video for the window the model is most sure about. */
  windowStartSec: number | null;
  /** A local file holding the video (BlobStorage.localPath). */
  videoPath: string;
  videoSha256: string;
  /** The ffprobe result stored at upload (see storedProbe); null → probe now. */
  videoMeta: VideoMeta | null;
  model: ComputeModelRef;
  /** Blob storage root, to materialise uploaded models (createStorage). */
  storageDir: string;
  /** Where uploaded models are written out; default `defaultModelCacheDir()`. */
  modelCacheDir?: string;
  /** Insertion/deletion steps; default 256 (Li et al.). */
  metricSteps?: number;
  /** Reproduce-and-compare: the original explanation's saliency and provenance. */
  original?: { id: string; saliency: Float32Array | null; provenance: Record<string, unknown> | null };
  /** Override of ENGINE_JOB_TIMEOUT_MS for this call (tests). */
  timeLimitMs?: number;
}

export type ComputeProgress = ExplainProgress;

export interface ComputeHooks {
  onProgress?: (event: ComputeProgress) => void | Promise<void>;
  /** Abort to cancel: the call rejects with ExplanationCancelledError within ~2 s. */
  signal?: AbortSignal;
}

export interface WindowSelectionSummary {
  startSec: number;
  classIndex: number;
  probability: number;
  stride: number;
}

export type ComparisonResult =
  | { error: string }
  | (SaliencyComparison & {
      originalId: string;
      original: { backend: string | null; device: string | null; engineVersion: string | null };
      reproduction: { backend: string; device: string; engineVersion: string };
      sameBackend: boolean;
    });

export interface ComputeResult {
  /** [T,H,W] float32. */
  saliency: Float32Array;
  shape: [number, number, number];
  record: ExplanationRecord;
  windowStartSec: number;
  /** Set when the window was chosen by the scan. */
  windowSelection: WindowSelectionSummary | null;
  comparison: ComparisonResult | null;
  backend: BackendInfo;
  engineVersion: string;
}

/** The job ran past its time limit (ENGINE_JOB_TIMEOUT_MS): the job's fault, not a transient one. */
export class JobTimeLimitError extends Error {
  readonly code = 'JOB_TIME_LIMIT' as const;
  constructor(readonly limitMs: number) {
    super(`The explanation exceeded its time limit of ${Math.round(limitMs / 1000)} s and was stopped.`);
    this.name = 'JobTimeLimitError';
  }
}

/** The request names a model the engine cannot use (no stored files, weights differ): permanent. */
export class ModelUnavailableError extends Error {
  readonly code = 'MODEL_UNAVAILABLE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ModelUnavailableError';
  }
}

/**
 * Models stay loaded between jobs (a small LRU, model-cache.ts): loading verifies the weights
 * hash and does a dry run. ENGINE_MODEL_CACHE_SIZE models at most (default 2). One cache per
 * thread: the compute thread keeps its own.
 */
const modelCache = new ModelCache(Number(process.env.ENGINE_MODEL_CACHE_SIZE ?? DEFAULT_MODEL_CACHE_SIZE));

/** Where uploaded models are written out for TF.js: ENGINE_MODEL_CACHE_DIR, else the OS temp dir. */
export function defaultModelCacheDir(): string {
  return process.env.ENGINE_MODEL_CACHE_DIR ?? path.join(tmpdir(), 'fep-model-cache');
}

export function disposeComputeModelCache(): Promise<void> {
  return modelCache.clear();
}

/**
 * The classifier for a model. Built-in: the directory shipped with the engine. Uploaded: its
 * files are materialised from blob storage into a cache directory named by the weights hash, and
 * `loadModel` re-verifies that hash (and the shapes) before use. A cached directory whose weights
 * no longer verify is rebuilt once from storage.
 */
async function acquireModel(req: ComputeRequest): Promise<ModelLease> {
  const row = req.model;
  let lease: ModelLease;
  if (row.builtin) {
    lease = await modelCache.acquire(`builtin:${row.id}:${row.weightsSha256}`, () => loadModel(BUILTIN_MODEL_DIR));
  } else {
    const indexSha = row.archiveSha256;
    if (!indexSha) throw new ModelUnavailableError(`The model ${row.name} ${row.version} has no stored files.`);
    const cacheDir = req.modelCacheDir ?? defaultModelCacheDir();
    const storage = createStorage(req.storageDir);
    const load = async () => {
      const dir = await materialiseModel(storage, indexSha, row.weightsSha256, cacheDir);
      try {
        return await loadModel(dir);
      } catch (err) {
        if (!(err instanceof ModelFormatError && (err.code === 'WEIGHTS_HASH_MISMATCH' || err.code === 'MISSING_FILE'))) throw err;
        // The cached copy was changed on disk: write it again from storage, which is content-addressed.
        await forgetMaterialised(indexSha, row.weightsSha256, cacheDir);
        return loadModel(await materialiseModel(storage, indexSha, row.weightsSha256, cacheDir));
      }
    };
    lease = await modelCache.acquire(`upload:${row.weightsSha256}:${indexSha}`, load);
  }
  if (lease.model.weightsSha256 !== row.weightsSha256) {
    lease.release();
    throw new ModelUnavailableError(
      `The registered model's weights (${row.weightsSha256.slice(0, 12)}…) differ from the files the engine loaded (${lease.model.weightsSha256.slice(0, 12)}…).`,
    );
  }
  return lease;
}

/**
 * Lets timers and messages (a cancel from the host, the time limit) run between synchronous
 * TF.js steps, at most every `everyMs`, then throws if the work was aborted.
 */
export function makeCheckpoint(signal: AbortSignal, everyMs = 50): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last >= everyMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = Date.now();
    }
    if (signal.aborted) throw signal.reason;
  };
}

export async function computeExplanation(req: ComputeRequest, hooks: ComputeHooks = {}): Promise<ComputeResult> {
  const limitMs = req.timeLimitMs ?? loadConfig().engineJobTimeoutMs;
  const inner = new AbortController();
  const timeLimit = new JobTimeLimitError(limitMs);
  const cancelled = new ExplanationCancelledError();
  const onAbort = () => inner.abort(cancelled);
  if (hooks.signal?.aborted) throw cancelled;
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => inner.abort(timeLimit), limitMs);
  try {
    return await run(req, hooks, inner.signal);
  } catch (err) {
    // Whatever a stage threw once aborted (an AbortError, a killed ffmpeg), report why it stopped.
    if (inner.signal.aborted) throw inner.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

async function run(req: ComputeRequest, hooks: ComputeHooks, signal: AbortSignal): Promise<ComputeResult> {
  const checkpoint = makeCheckpoint(signal);
  const base = { explanationId: req.explanationId };
  const progress = async (e: Omit<ComputeProgress, 'explanationId'>) => {
    await hooks.onProgress?.({ ...base, ...e });
  };
  await progress({ fraction: 0, iteration: 0, totalIterations: 0, energy: null, etaMs: null, stage: 'loading' });
  const backend = await initBackend();
  const lease = await acquireModel(req);
  try {
    await checkpoint();
    const model = lease.model;
    const meta = req.videoMeta ?? (await probeVideo(req.videoPath, {}, { signal }));
    const { frames: T, height: H, width: W } = model.input;
    let startSec = req.windowStartSec;
    let windowSelection: WindowSelectionSummary | null = null;
    if (startSec === null) {
      const s = await findMostConfidentWindow(req.videoPath, model, { meta, signal });
      startSec = s.startSec;
      windowSelection = { startSec: s.startSec, classIndex: s.classIndex, probability: s.probability, stride: s.stride };
    }
    await checkpoint();
    const clip = await decodeClip(req.videoPath, { frames: T, height: H, width: W, startSec, meta, signal });
    await checkpoint();

    const { record, saliency } = await explainClip({
      clip,
      model,
      method: req.method,
      target: req.target ?? undefined,
      params: req.params,
      videoSha256: req.videoSha256,
      backend,
      metricSteps: req.metricSteps,
      signal,
      onProgress: async (p) => {
        await progress({ fraction: p.fraction, iteration: p.iteration, totalIterations: p.totalIterations, energy: p.energy, etaMs: p.etaMs, stage: p.stage, ...(p.preview ? { preview: p.preview } : {}) });
        await checkpoint();
        return true;
      },
    });
    const comparison = req.original ? compareWithOriginal(req.original, saliency, record.params, backend) : null;
    return {
      saliency,
      shape: [T, H, W],
      record,
      windowStartSec: startSec,
      windowSelection,
      comparison,
      backend,
      engineVersion: engineVersion(),
    };
  } finally {
    lease.release();
  }
}

/**
 * Reproduce-and-compare: agreement of this run with the explanation it reproduces. Same backend
 * and engine should give identical bytes; across backends the report shows how far they differ.
 */
function compareWithOriginal(
  original: NonNullable<ComputeRequest['original']>,
  saliency: Float32Array,
  params: Record<string, unknown>,
  backend: BackendInfo,
): ComparisonResult {
  if (!original.saliency) {
    return { error: 'The original saliency volume is no longer stored (retention); only provenance can be compared.' };
  }
  const areas = (params.areas as number[] | undefined) ?? [];
  const area = typeof params.area === 'number' ? params.area : (areas[0] ?? 0.1);
  const prov = (original.provenance ?? {}) as { backend?: string; device?: string; engineVersion?: string };
  return {
    originalId: original.id,
    ...compareSaliency(original.saliency, saliency, area),
    original: { backend: prov.backend ?? null, device: prov.device ?? null, engineVersion: prov.engineVersion ?? null },
    reproduction: { backend: backend.backend, device: backend.device, engineVersion: engineVersion() },
    sameBackend: prov.backend === backend.backend && prov.device === backend.device,
  };
}
