/**
 * The queue worker: consumes explanation jobs (ids only), reads inputs from the database and
 * blob storage, runs the one shared code path (explain-video.ts), and writes the saliency
 * volume and results back. Progress goes to Redis pub/sub (for GraphQL subscriptions) and to
 * the job; cancellation is a Redis flag polled every iteration.
 *
 * Idempotency: the Explanation row is the single result slot. A retried or re-delivered job
 * overwrites nothing once the row is DONE/FAILED/CANCELLED, and the final write is guarded by
 * `status = RUNNING`, so a job retried after a crash still yields exactly one result.
 */
import * as tf from '@tensorflow/tfjs';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { appendAuditEvent, canonicalJson, type Db, type Prisma } from '@fep/db';
import {
  EXPLAIN_QUEUE,
  cancelKey,
  progressChannel,
  redisConnection,
  type BlobStorage,
  type ExplainJobData,
  type ExplainProgress,
} from '@fep/shared';
import { engineVersion, type BackendInfo } from '../backend.ts';
import { explainClip, TargetError } from '../explain-video.ts';
import { ExplanationCancelledError, type VideoClassifier } from '../methods/types.ts';
import { BUILTIN_MODEL_DIR, loadModel } from '../model/load-model.ts';
import { ModelFormatError } from '../model/manifest.ts';
import { forgetMaterialised, materialiseModel } from '../model/model-store.ts';
import { DEFAULT_MODEL_CACHE_SIZE, ModelCache, type ModelLease } from './model-cache.ts';
import { decodeNpy, encodeNpy } from '../synth/npy.ts';
import { compareSaliency } from './compare.ts';
import { decodeClip } from '../video/decode.ts';
import { probeVideo, type VideoMeta } from '../video/probe.ts';
import { VideoError } from '../video/video-error.ts';
import { findMostConfidentWindow } from '../video/select-window.ts';

export interface WorkerDeps {
  db: Db;
  storage: BlobStorage;
  redis: Redis;
  backend: BackendInfo;
  /** Where uploaded models are materialised; default `defaultModelCacheDir()`. */
  modelCacheDir?: string;
  /** Insertion/deletion steps; default 256 (Li et al.). Tests lower it. */
  metricSteps?: number;
  log?: (msg: string) => void;
}

type Outcome = 'done' | 'cancelled' | 'skipped';

const FINAL = new Set(['DONE', 'FAILED', 'CANCELLED']);

/**
 * Models stay loaded between jobs (a small LRU, src/worker/model-cache.ts): loading verifies the
 * weights hash and does a dry run. ENGINE_MODEL_CACHE_SIZE models at most (default 2).
 */
const modelCache = new ModelCache(Number(process.env.ENGINE_MODEL_CACHE_SIZE ?? DEFAULT_MODEL_CACHE_SIZE));

/** Where uploaded models are written out for TF.js: ENGINE_MODEL_CACHE_DIR, else the OS temp dir. */
export function defaultModelCacheDir(): string {
  return process.env.ENGINE_MODEL_CACHE_DIR ?? path.join(os.tmpdir(), 'fep-model-cache');
}

type ModelRow = { id: string; name: string; version: string; builtin: boolean; weightsSha256: string; archiveSha256: string | null };

/**
 * The classifier for a Model row. Built-in: the directory shipped with the engine. Uploaded: its
 * files are materialised from blob storage into a cache directory named by the weights hash, and
 * `loadModel` re-verifies that hash (and the shapes) before the model is used. A cached directory
 * whose weights no longer verify is rebuilt once from storage.
 */
async function acquireModel(deps: WorkerDeps, row: ModelRow): Promise<ModelLease> {
  let lease: ModelLease;
  if (row.builtin) {
    lease = await modelCache.acquire(`builtin:${row.id}:${row.weightsSha256}`, () => loadModel(BUILTIN_MODEL_DIR));
  } else {
    const indexSha = row.archiveSha256;
    if (!indexSha) throw new UnrecoverableError(`The model ${row.name} ${row.version} has no stored files.`);
    const cacheDir = deps.modelCacheDir ?? defaultModelCacheDir();
    const load = async () => {
      const dir = await materialiseModel(deps.storage, indexSha, row.weightsSha256, cacheDir);
      try {
        return await loadModel(dir);
      } catch (err) {
        if (!(err instanceof ModelFormatError && (err.code === 'WEIGHTS_HASH_MISMATCH' || err.code === 'MISSING_FILE'))) throw err;
        // The cached copy was changed on disk: write it again from storage, which is content-addressed.
        await forgetMaterialised(indexSha, row.weightsSha256, cacheDir);
        return loadModel(await materialiseModel(deps.storage, indexSha, row.weightsSha256, cacheDir));
      }
    };
    lease = await modelCache.acquire(`upload:${row.weightsSha256}:${indexSha}`, load);
  }
  if (lease.model.weightsSha256 !== row.weightsSha256) {
    lease.release();
    throw new UnrecoverableError(
      `The registered model's weights (${row.weightsSha256.slice(0, 12)}…) differ from the files the engine loaded (${lease.model.weightsSha256.slice(0, 12)}…).`,
    );
  }
  return lease;
}

export function disposeModelCache(): Promise<void> {
  return modelCache.clear();
}

async function publish(deps: WorkerDeps, event: ExplainProgress & { status: string }, job?: Job) {
  await deps.redis.publish(progressChannel(event.explanationId), JSON.stringify(event));
  if (job) await job.updateProgress(event).catch(() => {});
}

async function finish(
  deps: WorkerDeps,
  id: string,
  teamId: string,
  data: Prisma.ExplanationUpdateManyMutationInput,
  action: string,
  payload: Record<string, unknown>,
): Promise<boolean> {
  return deps.db.$transaction(async (tx) => {
    const { count } = await tx.explanation.updateMany({ where: { id, status: 'RUNNING' }, data });
    if (count === 1) {
      await appendAuditEvent(tx, { teamId, actorId: null, action, subjectType: 'Explanation', subjectId: id, payload });
    }
    return count === 1;
  });
}

/** Runs one explanation job to completion (or cancellation). Throws to let BullMQ retry. */
export async function processExplanation(deps: WorkerDeps, explanationId: string, job?: Job): Promise<Outcome> {
  const row = await deps.db.explanation.findUnique({
    where: { id: explanationId },
    include: { video: true, model: true },
  });
  if (!row || FINAL.has(row.status)) return 'skipped';
  const log = deps.log ?? (() => {});

  if (await deps.redis.get(cancelKey(explanationId))) {
    await deps.db.explanation.update({ where: { id: explanationId }, data: { status: 'RUNNING' } });
    await finish(deps, explanationId, row.teamId, { status: 'CANCELLED', finishedAt: new Date() }, 'explanation.cancelled', {});
    return 'cancelled';
  }
  const startedAt = new Date();
  await deps.db.explanation.update({
    where: { id: explanationId },
    data: { status: 'RUNNING', startedAt, attempts: { increment: 1 }, error: null, progress: 0 },
  });
  const base = { explanationId, status: 'RUNNING' } as const;
  await publish(deps, { ...base, fraction: 0, iteration: 0, totalIterations: 0, energy: null, etaMs: null, stage: 'loading' }, job);

  // Counted after the model is loaded: its weights stay cached across jobs on purpose.
  let tensorsBefore = -1;
  let lease: ModelLease | null = null;
  try {
    lease = await acquireModel(deps, row.model);
    const model = lease.model;
    tensorsBefore = tf.memory().numTensors;
    const file = await deps.storage.localPath(row.video.sha256);
    const meta = storedProbe(row.video.probe) ?? (await probeVideo(file));
    const { frames: T, height: H, width: W } = model.input;
    let startSec = row.windowStartSec ?? null;
    let windowSelection: unknown = null;
    if (startSec === null) {
      const selection = await findMostConfidentWindow(file, model, { meta });
      startSec = selection.startSec;
      windowSelection = { startSec: selection.startSec, classIndex: selection.classIndex, probability: selection.probability, stride: selection.stride };
    }
    const clip = await decodeClip(file, { frames: T, height: H, width: W, startSec, meta });

    let lastWrite = 0;
    const { record, saliency } = await explainClip({
      clip,
      model,
      method: row.method,
      target: row.target,
      params: (row.params ?? {}) as Record<string, unknown>,
      videoSha256: row.video.sha256,
      backend: deps.backend,
      metricSteps: deps.metricSteps,
      onProgress: async (p) => {
        const event = { ...base, fraction: p.fraction, iteration: p.iteration, totalIterations: p.totalIterations, energy: p.energy, etaMs: p.etaMs, stage: p.stage };
        await publish(deps, event, job);
        const now = Date.now();
        if (now - lastWrite > 1000) {
          lastWrite = now;
          await deps.db.explanation.update({ where: { id: explanationId }, data: { progress: p.fraction } });
        }
        return !(await deps.redis.get(cancelKey(explanationId)));
      },
    });

    const stored = await deps.storage.putBuffer(encodeNpy(saliency, [T, H, W]));
    const comparison = row.reproducesId ? await compareWithOriginal(deps, row.reproducesId, saliency, record.params, deps.backend) : null;
    const provenance = {
      ...record.provenance,
      method: row.method,
      params: record.params,
      target: record.target,
      iterations: record.timings.iterations,
      finalEnergy: record.metrics.finalEnergy,
      reproducesId: row.reproducesId,
      explanationId,
      modelId: row.model.id,
      modelName: row.model.name,
      modelVersion: row.model.version,
      weightsSha256: row.model.weightsSha256,
      engineVersion: engineVersion(),
      windowStartSec: startSec,
      windowSelection,
      clip: record.clip,
      saliencySha256: stored.sha256,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
    };
    // The hash goes into the row and into the (hash-chained) completion event, so an edit of the
    // provenance made behind the database's back is detectable.
    const provenanceSha256 = createHash('sha256').update(canonicalJson(provenance)).digest('hex');
    const wrote = await finish(
      deps,
      explanationId,
      row.teamId,
      {
        status: 'DONE',
        progress: 1,
        finishedAt: new Date(),
        saliencySha256: stored.sha256,
        saliencyShape: [T, H, W],
        prediction: { ...record.prediction, top5: record.top5 } as unknown as Prisma.InputJsonValue,
        metrics: record.metrics as unknown as Prisma.InputJsonValue,
        provenance: provenance as unknown as Prisma.InputJsonValue,
        provenanceSha256,
        ...(comparison ? { comparison: comparison as unknown as Prisma.InputJsonValue } : {}),
        timings: record.timings as unknown as Prisma.InputJsonValue,
        params: row.params as Prisma.InputJsonValue,
      },
      'explanation.completed',
      { saliencySha256: stored.sha256, provenanceSha256, method: row.method, iterations: record.timings.iterations, ...(comparison ? { comparison } : {}) },
    );
    await publish(deps, { ...base, status: 'DONE', fraction: 1, iteration: record.timings.iterations, totalIterations: record.timings.iterations, energy: record.metrics.finalEnergy, etaMs: 0, stage: 'saving' }, job);
    log(`explanation ${explanationId} done in ${record.timings.totalMs.toFixed(0)} ms (${wrote ? 'written' : 'already final'})`);
    return 'done';
  } catch (err) {
    if (err instanceof ExplanationCancelledError) {
      await finish(deps, explanationId, row.teamId, { status: 'CANCELLED', finishedAt: new Date() }, 'explanation.cancelled', {});
      await publish(deps, { ...base, status: 'CANCELLED', fraction: 0, iteration: 0, totalIterations: 0, energy: null, etaMs: null, stage: 'saving' }, job);
      return 'cancelled';
    }
    const permanent =
      err instanceof UnrecoverableError || (err instanceof VideoError && err.isUserError) || err instanceof TargetError || (err as Error).name === 'ModelFormatError';
    const attemptsLeft = job ? job.attemptsMade + 1 < (job.opts.attempts ?? 1) : false;
    const reason = readableReason(err);
    if (permanent || !attemptsLeft) {
      await finish(deps, explanationId, row.teamId, { status: 'FAILED', finishedAt: new Date(), error: reason }, 'explanation.failed', { reason });
      await publish(deps, { ...base, status: 'FAILED', fraction: 0, iteration: 0, totalIterations: 0, energy: null, etaMs: null, stage: 'saving' }, job);
      throw permanent ? new UnrecoverableError(reason) : err;
    }
    // Transient: put the row back in the queue state and let BullMQ retry with backoff.
    await deps.db.explanation.updateMany({ where: { id: explanationId, status: 'RUNNING' }, data: { status: 'QUEUED', error: reason } });
    throw err;
  } finally {
    const leaked = tensorsBefore < 0 ? 0 : tf.memory().numTensors - tensorsBefore;
    if (leaked > 0) log(`warning: ${leaked} tensors leaked by explanation ${explanationId}`);
    lease?.release();
  }
}

/**
 * Reproduce-and-compare: agreement of this run with the explanation it reproduces. Same backend
 * and engine should give identical bytes; across backends the report shows how far they differ.
 */
async function compareWithOriginal(
  deps: WorkerDeps,
  originalId: string,
  saliency: Float32Array,
  params: Record<string, unknown>,
  backend: BackendInfo,
) {
  const original = await deps.db.explanation.findUnique({ where: { id: originalId } });
  if (!original?.saliencySha256 || original.saliencyDeletedAt) {
    return { error: 'The original saliency volume is no longer stored (retention); only provenance can be compared.' };
  }
  const npy = decodeNpy(await deps.storage.read(original.saliencySha256));
  const areas = (params.areas as number[] | undefined) ?? [];
  const area = typeof params.area === 'number' ? params.area : (areas[0] ?? 0.1);
  const prov = (original.provenance ?? {}) as { backend?: string; device?: string; engineVersion?: string };
  return {
    originalId,
    ...compareSaliency(npy.data as Float32Array, saliency, area),
    original: { backend: prov.backend ?? null, device: prov.device ?? null, engineVersion: prov.engineVersion ?? null },
    reproduction: { backend: backend.backend, device: backend.device, engineVersion: engineVersion() },
    sameBackend: prov.backend === backend.backend && prov.device === backend.device,
  };
}

function readableReason(err: unknown): string {
  if (err instanceof VideoError) return `The video could not be read: ${err.message}`;
  if (err instanceof TargetError) return err.message;
  return (err as Error)?.message || 'The engine failed for an unknown reason.';
}

export interface ExplainWorkerOptions {
  redisUrl: string;
  prefix?: string;
  /** Jobs run at once in this process. TF.js work is CPU-bound: 1 per process by default. */
  concurrency?: number;
}

/** Starts a BullMQ worker. `close()` waits for the running job (graceful shutdown). */
export function startExplainWorker(deps: WorkerDeps, opts: ExplainWorkerOptions): Worker<ExplainJobData> {
  return new Worker<ExplainJobData>(
    EXPLAIN_QUEUE,
    async (job) => processExplanation(deps, job.data.explanationId, job),
    {
      connection: redisConnection(opts.redisUrl),
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 1,
      // A long explanation holds the lock; renew it well within its duration.
      lockDuration: 60_000,
    },
  );
}

/**
 * The ffprobe result the upload stored with the video (videos.service keeps probeVideo's whole
 * VideoMeta), so a job does not probe the same immutable, content-addressed file again (~0.3 s).
 * Rows written by anything else (older rows, partial metadata) are probed afresh.
 */
export function storedProbe(probe: unknown): VideoMeta | null {
  if (probe == null || typeof probe !== 'object') return null;
  const p = probe as Record<string, unknown>;
  const numeric = ['fps', 'frameCount', 'durationSec', 'width', 'height', 'codedWidth', 'codedHeight', 'rotation', 'startTime', 'firstFrameTime', 'streamIndex', 'sizeBytes'];
  if (!numeric.every((k) => typeof p[k] === 'number' && Number.isFinite(p[k]))) return null;
  if (typeof p.codec !== 'string' || typeof p.formatName !== 'string' || typeof p.frameCountSource !== 'string') return null;
  return p as unknown as VideoMeta;
}
