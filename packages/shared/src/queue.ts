import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { ExplainStage, MaskPreview } from './progress.ts';

/**
 * Queue contract shared by the API (producer) and the engine (consumer).
 * Jobs carry ids only: the database row is the source of truth for what to compute.
 */
export const EXPLAIN_QUEUE = 'fep-explanations';

export interface ExplainJobData {
  explanationId: string;
}

/** Live progress the engine publishes on `progressChannel(id)`; the API relays it to subscribers. */
export interface ExplainProgress {
  explanationId: string;
  /** 0..1 over the whole job (all windows, all areas). */
  fraction: number;
  iteration: number;
  totalIterations: number;
  energy: number | null;
  etaMs: number | null;
  /** What the engine is doing (progress.ts: EXPLAIN_STAGES, and the words the UI shows). */
  stage: ExplainStage;
  /** The mask as it forms (optimising methods, at most every PREVIEW_EVERY_MS; progress.ts). */
  preview?: MaskPreview | null;
}

export type ExplanationStatusName = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED' | 'CANCELLED';

/** What goes over `progressChannel(id)`: progress plus the row's status (the GraphQL ExplanationProgress). */
export type ExplanationProgressEvent = ExplainProgress & { status: ExplanationStatusName };

/** The event announcing a status change with no optimisation figures (queued, done, failed, cancelled). */
export function statusEvent(explanationId: string, status: ExplanationStatusName, fraction: number): ExplanationProgressEvent {
  return { explanationId, status, fraction, iteration: 0, totalIterations: 0, energy: null, etaMs: null, stage: 'saving' };
}

export function isExplainProgress(value: unknown): value is ExplainProgress {
  return typeof value === 'object' && value !== null && 'explanationId' in value && 'fraction' in value;
}

/**
 * Redis pub/sub channel that tells one user's open pages their notifications changed (the API's
 * `notificationsChanged` subscription). The message is `NotificationPing`; the Notification rows
 * themselves are in the database (the engine's are written by the lifecycle, with the transition).
 */
export const notificationChannel = (userId: string) => `fep:notifications:${userId}`;
export interface NotificationPing {
  userId: string;
  /** The notification just written, when there is one. */
  notificationId?: string | null;
}

/** Redis key the API sets to ask the engine to stop an explanation; the worker polls it. */
export const cancelKey = (explanationId: string) => `fep:cancel:${explanationId}`;

/**
 * Redis key a worker refreshes (at least every HEARTBEAT_EVERY_MS — the worker does it with its
 * 0.5 s cancel poll — expiring after HEARTBEAT_TTL_MS) while it
 * runs an attempt; the reconciler leaves a RUNNING row alone while its heartbeat lives, even when
 * its BullMQ job was lost (a Redis restart wipes jobs, and the worker sets the key again).
 */
export const heartbeatKey = (explanationId: string) => `fep:explain-heartbeat:${explanationId}`;
export const HEARTBEAT_EVERY_MS = 2000;
export const HEARTBEAT_TTL_MS = 10_000;

/**
 * Options for connections that serve requests (API commands, the queue producer, publishers):
 * while Redis is down a command fails within ~2 s (one reconnect try, then a hard timeout)
 * instead of waiting for the whole outage, so callers can answer UNAVAILABLE. Workers and
 * subscribers keep `maxRetriesPerRequest: null` (BullMQ requires it for blocking connections).
 */
export const FAIL_FAST_REDIS = { maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 } as const;

/** A Redis client; `failFast` for request-serving connections (see FAIL_FAST_REDIS). */
export function createRedis(url: string, opts: { failFast?: boolean } = {}): Redis {
  return new Redis(url, { lazyConnect: false, ...(opts.failFast ? FAIL_FAST_REDIS : { maxRetriesPerRequest: null }) });
}

export function redisConnection(url: string, opts: { failFast?: boolean } = {}): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password || undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    ...(opts.failFast ? FAIL_FAST_REDIS : { maxRetriesPerRequest: null }),
  };
}

/** The producer side. `failFast` (the API) makes `add` fail within ~2 s while Redis is down. */
export function createExplainQueue(redisUrl: string, prefix?: string, opts: { failFast?: boolean } = {}): Queue<ExplainJobData> {
  return new Queue<ExplainJobData>(EXPLAIN_QUEUE, {
    connection: redisConnection(redisUrl, opts),
    prefix,
    // One BullMQ attempt per job: the explanation lifecycle counts attempts (Explanation.attempts,
    // ENGINE_MAX_ATTEMPTS) and the reconciler enqueues a retry, so BullMQ's own retries would
    // only fight it (docs/architecture.md).
    defaultJobOptions: {
      attempts: 1,
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
  });
}

export function createExplainQueueEvents(redisUrl: string, prefix?: string): QueueEvents {
  return new QueueEvents(EXPLAIN_QUEUE, { connection: redisConnection(redisUrl), prefix });
}

/** Redis pub/sub channel carrying ExplainProgress (JSON) for one explanation. */
export const progressChannel = (explanationId: string) => `fep:explanation-progress:${explanationId}`;
