/**
 * The queue worker: consumes explanation jobs (ids only), reads the row and its inputs, runs the
 * compute step on the compute thread (compute.ts via ComputeHost, so TF.js never blocks this
 * event loop), stores the saliency volume, and records every outcome through the explanation
 * lifecycle (@fep/db explanation-lifecycle.ts) — this file never writes `status` itself.
 *
 *   job → row QUEUED?  ─claim─▶ RUNNING ─compute─▶ put blob ─complete─▶ DONE
 *                                 │ job's own fault (bad video, target, time limit) ─fail─▶ FAILED
 *                                 │ engine fault (thread crash…) ─retryOrFail─▶ QUEUED (job delayed) | FAILED
 *                                 │ infrastructure down ─release─▶ QUEUED, attempt not counted
 *                                 └ cancelled by a person: the API already wrote CANCELLED; stop.
 *
 * A job whose row is already RUNNING is a re-delivery after the attempt's engine died (BullMQ
 * moved the stalled job back): that attempt is retried or, when attempts are used up, FAILED.
 * Database and storage calls wait out an outage with capped backoff (`untilAvailable`) instead of
 * failing the job. Progress: Redis pub/sub live (progressChannel) and the throttled `progress`
 * column for page loads, both through one `report` function. docs/architecture.md has the whole
 * picture, docs/reliability.md the guarantees.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  claim,
  complete,
  fail,
  isFinalState,
  progressRecorder,
  release,
  retryDeadAttempt,
  retryOrFail,
  type Db,
  type Prisma,
} from '@fep/db';
import {
  EXPLAIN_QUEUE,
  HEARTBEAT_EVERY_MS,
  HEARTBEAT_TTL_MS,
  cancelKey,
  heartbeatKey,
  isInfrastructureError,
  loadConfig,
  notificationChannel,
  progressChannel,
  redisConnection,
  statusEvent,
  type BlobStorage,
  type ExplainJobData,
  type ExplanationProgressEvent,
  type NotificationPing,
} from '@fep/shared';
import type { BackendInfo } from '../backend.ts';
import { TargetError } from '../explain-video.ts';
import { ExplanationCancelledError } from '../methods/types.ts';
import { ModelFormatError } from '../model/manifest.ts';
import { decodeNpy, encodeNpy } from '../synth/npy.ts';
import { VideoError } from '../video/video-error.ts';
import type { VideoMeta } from '../video/probe.ts';
import { createComputeRunner, type ComputeRunner } from './compute-thread.ts';
import { defaultModelCacheDir, disposeComputeModelCache, JobTimeLimitError, ModelUnavailableError, type ComputeRequest } from './compute.ts';

export { defaultModelCacheDir };

export interface WorkerDeps {
  db: Db;
  storage: BlobStorage;
  redis: Redis;
  /** Runs the compute step. Default: one shared compute thread (createComputeRunner). */
  compute?: ComputeRunner;
  /** Root of the local blob store, for the compute thread to read uploaded models; default the storage's own root. */
  storageDir?: string;
  /** Kept for callers that pass it; the backend in provenance is the compute thread's own. */
  backend?: BackendInfo;
  /** Where uploaded models are materialised; default `defaultModelCacheDir()`. */
  modelCacheDir?: string;
  /** Insertion/deletion steps; default 256 (Li et al.). Tests lower it. */
  metricSteps?: number;
  /** Attempts per explanation (crashes and engine errors); default ENGINE_MAX_ATTEMPTS (3). */
  maxAttempts?: number;
  /** Capped backoff while a dependency is down: first wait and cap, ms (default 500 → 10 000). */
  outageBackoff?: { firstMs: number; maxMs: number };
  log?: (msg: string) => void;
}

export type Outcome = 'done' | 'failed' | 'cancelled' | 'requeued' | 'skipped' | 'unknown-row';

export interface ProcessResult {
  outcome: Outcome;
  /** The row's attempts after this delivery (for the retry delay). */
  attempts: number;
}

let sharedRunner: ComputeRunner | null = null;
function runnerFor(deps: WorkerDeps): ComputeRunner {
  if (deps.compute) return deps.compute;
  sharedRunner ??= createComputeRunner({ log: deps.log });
  return sharedRunner;
}

/** Stops the shared compute thread (and its model cache); the next job starts a fresh one. */
export async function disposeModelCache(): Promise<void> {
  const r = sharedRunner;
  sharedRunner = null;
  await r?.close();
  await disposeComputeModelCache();
}

/** Permanent: the job itself is at fault, so another attempt would fail the same way. */
function isJobFault(err: unknown): boolean {
  return (
    err instanceof UnrecoverableError ||
    (err instanceof VideoError && err.isUserError) ||
    err instanceof TargetError ||
    err instanceof JobTimeLimitError ||
    err instanceof ModelUnavailableError ||
    // Parameters the catalogue refuses (AppError BAD_USER_INPUT, UnknownMethodError), also when rebuilt from the thread.
    (err as { code?: unknown })?.code === 'BAD_USER_INPUT' ||
    (err as Error)?.name === 'ModelFormatError' ||
    err instanceof ModelFormatError
  );
}

export function readableReason(err: unknown): string {
  if (err instanceof VideoError) return `The video could not be read: ${err.message}`;
  if (err instanceof JobTimeLimitError) return `Stopped at the time limit: ${err.message}`;
  return (err as Error)?.message || 'The engine failed for an unknown reason.';
}

/**
 * Runs `fn`; while it fails because a dependency is unreachable (isInfrastructureError), waits
 * with capped exponential backoff and tries again — for as long as the outage lasts. Any other
 * error is thrown at once.
 */
export async function untilAvailable<T>(deps: WorkerDeps, what: string, fn: () => Promise<T>): Promise<T> {
  const { firstMs, maxMs } = deps.outageBackoff ?? { firstMs: 500, maxMs: 10_000 };
  let waitMs = firstMs;
  let since = 0;
  for (;;) {
    try {
      const value = await fn();
      if (since) deps.log?.(`${what}: available again after ${Math.round((Date.now() - since) / 1000)} s`);
      return value;
    } catch (err) {
      if (!isInfrastructureError(err)) throw err;
      if (!since) {
        since = Date.now();
        deps.log?.(`${what}: a dependency is unreachable (${(err as Error).message?.split('\n')[0]}); waiting`);
      }
      await new Promise((r) => setTimeout(r, waitMs));
      waitMs = Math.min(maxMs, waitMs * 2);
    }
  }
}

/** Publishes on the explanation's channel; a Redis hiccup must never fail the job. */
async function publish(deps: WorkerDeps, event: ExplanationProgressEvent): Promise<void> {
  await deps.redis.publish(progressChannel(event.explanationId), JSON.stringify(event)).catch(() => {});
}

/** The finish wrote the requester a Notification (lifecycle); tell their open pages. */
async function pingRequester(deps: WorkerDeps, requestedById: string): Promise<void> {
  const ping: NotificationPing = { userId: requestedById };
  await deps.redis.publish(notificationChannel(requestedById), JSON.stringify(ping)).catch(() => {});
}

const ROW_INCLUDE = { video: true, model: true } as const;

/** Runs one delivery of an explanation job. Never throws for the job's own faults: it records them. */
export async function processExplanation(deps: WorkerDeps, explanationId: string): Promise<ProcessResult> {
  const log = deps.log ?? (() => {});
  const maxAttempts = deps.maxAttempts ?? loadConfig().engineMaxAttempts;
  const db = deps.db;
  let row = await untilAvailable(deps, `explanation ${explanationId}`, () => db.explanation.findUnique({ where: { id: explanationId }, include: ROW_INCLUDE }));
  if (!row) return { outcome: 'unknown-row', attempts: 0 };
  if (isFinalState(row.status)) return { outcome: 'skipped', attempts: row.attempts };

  if (row.status === 'RUNNING') {
    // The job came back while its row is RUNNING. A live heartbeat: the attempt still runs on
    // another engine (its lock was lost, e.g. Redis restarted) — leave it. Else its engine died.
    const beat = await deps.redis.get(heartbeatKey(explanationId)).catch(() => null);
    if (beat !== null) {
      log(`explanation ${explanationId}: attempt ${beat} is still alive on another engine; leaving it there`);
      return { outcome: 'skipped', attempts: row.attempts };
    }
    const attempt = row.attempts;
    const r = await untilAvailable(deps, `explanation ${explanationId}`, () =>
      retryDeadAttempt(db, explanationId, { attempt, maxAttempts, how: 'crash or restart' }),
    );
    log(`explanation ${explanationId}: attempt ${attempt} had died; ${r.outcome}`);
    if (r.outcome === 'failed') {
      await publish(deps, statusEvent(explanationId, 'FAILED', 0));
      await pingRequester(deps, row.requestedById);
      return { outcome: 'failed', attempts: attempt };
    }
  }

  const claimed = await untilAvailable(deps, `explanation ${explanationId}`, () => claim(db, explanationId));
  if (!claimed.changed || !claimed.row) return { outcome: 'skipped', attempts: row.attempts };
  const attempt = claimed.row.attempts;
  row = { ...row, ...claimed.row };
  log(`explanation ${explanationId}: attempt ${attempt} started`);

  // Cancel flag and heartbeat, polled on one timer (a Redis outage only delays them).
  const controller = new AbortController();
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      await deps.redis.set(heartbeatKey(explanationId), String(attempt), 'PX', HEARTBEAT_TTL_MS);
      if (await deps.redis.get(cancelKey(explanationId))) controller.abort();
    } catch {
      // Redis down: the compute goes on; the reconciler's grace covers the missing heartbeat.
    } finally {
      polling = false;
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), Math.min(HEARTBEAT_EVERY_MS, 500));

  const writeProgress = progressRecorder(db, explanationId);
  const report = (event: ExplanationProgressEvent) => {
    void publish(deps, event);
    if (event.status === 'RUNNING') void writeProgress(event.fraction).catch(() => {});
  };
  report({ ...statusEvent(explanationId, 'RUNNING', 0), stage: 'loading' });

  try {
    const request = await untilAvailable(deps, `explanation ${explanationId}`, () => buildRequest(deps, row!));
    const result = await runnerFor(deps).compute(request, {
      signal: controller.signal,
      onProgress: (p) => report({ ...p, status: 'RUNNING' }),
    });
    const [T, H, W] = result.shape;
    report({ ...statusEvent(explanationId, 'RUNNING', 1), stage: 'saving' });
    const stored = await untilAvailable(deps, `explanation ${explanationId}`, () => deps.storage.putBuffer(encodeNpy(result.saliency, [T, H, W])));
    const finishedAt = new Date();
    const provenance = {
      ...result.record.provenance,
      method: row.method,
      params: result.record.params,
      target: result.record.target,
      iterations: result.record.timings.iterations,
      finalEnergy: result.record.metrics.finalEnergy,
      reproducesId: row.reproducesId,
      explanationId,
      modelId: row.model.id,
      modelName: row.model.name,
      modelVersion: row.model.version,
      weightsSha256: row.model.weightsSha256,
      engineVersion: result.engineVersion,
      windowStartSec: result.windowStartSec,
      windowSelection: result.windowSelection,
      clip: result.record.clip,
      saliencySha256: stored.sha256,
      startedAt: claimed.row.startedAt!.toISOString(),
      finishedAt: finishedAt.toISOString(),
    };
    // The hash goes into the row and into the (hash-chained) completion event, so an edit of the
    // provenance made behind the database's back is detectable.
    const provenanceSha256 = createHash('sha256').update(canonicalJson(provenance)).digest('hex');
    const comparison = result.comparison;
    const done = await untilAvailable(deps, `explanation ${explanationId}`, () =>
      complete(
        db,
        explanationId,
        {
          saliencySha256: stored.sha256,
          saliencyShape: [T, H, W],
          prediction: { ...result.record.prediction, top5: result.record.top5 } as unknown as Prisma.InputJsonValue,
          metrics: result.record.metrics as unknown as Prisma.InputJsonValue,
          provenance: provenance as unknown as Prisma.InputJsonValue,
          provenanceSha256,
          timings: result.record.timings as unknown as Prisma.InputJsonValue,
          ...(comparison ? { comparison: comparison as unknown as Prisma.InputJsonValue } : {}),
        },
        { saliencySha256: stored.sha256, provenanceSha256, method: row!.method, iterations: result.record.timings.iterations, ...(comparison ? { comparison } : {}) },
        attempt,
      ),
    );
    if (!done.changed) {
      // Cancelled (or given up on) while it computed: keep no blob that no row refers to.
      await dropIfUnreferenced(deps, stored.sha256);
      log(`explanation ${explanationId}: attempt ${attempt} finished after the row moved on (${done.from}); result discarded`);
      return { outcome: done.from === 'CANCELLED' ? 'cancelled' : 'skipped', attempts: attempt };
    }
    report(statusEvent(explanationId, 'DONE', 1));
    void pingRequester(deps, row.requestedById);
    log(`explanation ${explanationId} done in ${result.record.timings.totalMs.toFixed(0)} ms (attempt ${attempt})`);
    return { outcome: 'done', attempts: attempt };
  } catch (err) {
    if (err instanceof ExplanationCancelledError) {
      // The API moved the row to CANCELLED and announced it; nothing is left to write.
      log(`explanation ${explanationId}: cancelled during attempt ${attempt}`);
      return { outcome: 'cancelled', attempts: attempt };
    }
    const reason = readableReason(err);
    if (isInfrastructureError(err)) {
      await untilAvailable(deps, `explanation ${explanationId}`, () => release(db, explanationId, `Interrupted by an outage: ${reason}`, attempt));
      log(`explanation ${explanationId}: attempt ${attempt} interrupted by an outage (not counted): ${reason}`);
      return { outcome: 'requeued', attempts: attempt - 1 };
    }
    if (isJobFault(err)) {
      await untilAvailable(deps, `explanation ${explanationId}`, () => fail(db, explanationId, reason, attempt));
      report(statusEvent(explanationId, 'FAILED', 0));
      void pingRequester(deps, row.requestedById);
      log(`explanation ${explanationId} failed: ${reason}`);
      return { outcome: 'failed', attempts: attempt };
    }
    const r = await untilAvailable(deps, `explanation ${explanationId}`, () =>
      retryOrFail(db, explanationId, {
        reason: `Attempt ${attempt} failed: ${reason}`,
        maxAttempts,
        attempt,
        finalReason: (n) => `${reason} (after ${n} attempts)`,
      }),
    );
    log(`explanation ${explanationId}: attempt ${attempt} failed (${reason}); ${r.outcome}`);
    if (r.outcome === 'failed') {
      report(statusEvent(explanationId, 'FAILED', 0));
      void pingRequester(deps, row.requestedById);
    }
    return { outcome: r.outcome === 'requeued' ? 'requeued' : r.outcome === 'failed' ? 'failed' : 'skipped', attempts: attempt };
  } finally {
    clearInterval(timer);
    await deps.redis.del(heartbeatKey(explanationId)).catch(() => {});
  }
}

type RowWithInputs = NonNullable<Awaited<ReturnType<Db['explanation']['findUnique']>>> & {
  video: { sha256: string; probe: unknown };
  model: { id: string; name: string; version: string; builtin: boolean; weightsSha256: string; archiveSha256: string | null };
};

async function buildRequest(deps: WorkerDeps, row: RowWithInputs): Promise<ComputeRequest> {
  const storageDir = deps.storageDir ?? (deps.storage as { root?: string }).root;
  if (!storageDir) throw new Error('The engine needs the blob store root (WorkerDeps.storageDir).');
  let original: ComputeRequest['original'];
  if (row.reproducesId) {
    const o = await deps.db.explanation.findUnique({ where: { id: row.reproducesId } });
    const saliency = o?.saliencySha256 && !o.saliencyDeletedAt ? (decodeNpy(await deps.storage.read(o.saliencySha256)).data as Float32Array) : null;
    original = { id: row.reproducesId, saliency, provenance: (o?.provenance ?? null) as Record<string, unknown> | null };
  }
  return {
    explanationId: row.id,
    method: row.method,
    target: row.target,
    params: (row.params ?? {}) as Record<string, unknown>,
    windowStartSec: row.windowStartSec ?? null,
    videoPath: await deps.storage.localPath(row.video.sha256),
    videoSha256: row.video.sha256,
    videoMeta: storedProbe(row.video.probe),
    model: {
      id: row.model.id,
      name: row.model.name,
      version: row.model.version,
      builtin: row.model.builtin,
      weightsSha256: row.model.weightsSha256,
      archiveSha256: row.model.archiveSha256,
    },
    storageDir,
    modelCacheDir: deps.modelCacheDir ?? defaultModelCacheDir(),
    metricSteps: deps.metricSteps,
    original,
  };
}

/** Deletes a saliency blob no row refers to (a result that lost the race with a cancel). */
async function dropIfUnreferenced(deps: WorkerDeps, sha256: string): Promise<void> {
  const refs = await deps.db.explanation.count({ where: { saliencySha256: sha256 } }).catch(() => 1);
  if (refs === 0) await deps.storage.delete(sha256).catch(() => {});
}

export interface ExplainWorkerOptions {
  redisUrl: string;
  prefix?: string;
  /** Jobs run at once in this process. TF.js work is CPU-bound: 1 per process by default. */
  concurrency?: number;
}

/** Delay before a requeued attempt runs again: 2 s, 4 s, 8 s … capped at 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(1, attempts));
}

/** How often a job whose row this database does not have is looked at again before it is failed. */
const UNKNOWN_ROW_RETRIES = 10;
const UNKNOWN_ROW_DELAY_MS = 30_000;

/**
 * Starts a BullMQ worker. `close()` waits for the running job (graceful shutdown).
 *
 * A requeued attempt stays the same job, moved to `delayed` (BullMQ's DelayedError pattern), so
 * its retry needs no reconciler round. A job for a row this database does not have (another
 * deployment's job on a shared prefix, or a row deleted since) is logged as an error and left in
 * the queue — delayed, never completed — and failed with that reason after 10 looks (5 min).
 */
export function startExplainWorker(deps: WorkerDeps, opts: ExplainWorkerOptions): Worker<ExplainJobData> {
  const log = deps.log ?? (() => {});
  return new Worker<ExplainJobData>(
    EXPLAIN_QUEUE,
    async (job: Job<ExplainJobData>, token?: string) => {
      const id = job.data.explanationId;
      const { outcome, attempts } = await processExplanation(deps, id);
      if (outcome === 'requeued') {
        await job.moveToDelayed(Date.now() + retryDelayMs(attempts), token);
        throw new DelayedError();
      }
      if (outcome === 'unknown-row') {
        const looks = (job.data as ExplainJobData & { unknownRowLooks?: number }).unknownRowLooks ?? 0;
        console.error(`[engine] error: job ${job.id} names explanation ${id}, which this deployment's database does not have (look ${looks + 1}/${UNKNOWN_ROW_RETRIES}); leaving the job in the queue`);
        if (looks + 1 >= UNKNOWN_ROW_RETRIES) throw new UnrecoverableError(`No explanation ${id} in this deployment's database.`);
        await job.updateData({ ...job.data, unknownRowLooks: looks + 1 } as ExplainJobData);
        await job.moveToDelayed(Date.now() + UNKNOWN_ROW_DELAY_MS, token);
        throw new DelayedError();
      }
      return outcome;
    },
    {
      connection: redisConnection(opts.redisUrl),
      prefix: opts.prefix,
      concurrency: opts.concurrency ?? 1,
      // The compute thread keeps this event loop free, so renewals are on time: a dead engine's
      // job is noticed (stalled) within ~45 s and delivered again, where processExplanation
      // retries the attempt. maxStalledCount is high because attempts are counted on the row.
      lockDuration: 30_000,
      stalledInterval: 15_000,
      maxStalledCount: 100,
    },
  ).on('error', (err) => log(`worker error: ${err.message}`));
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
