/**
 * The reconciler: the database is the source of truth, the queue only a delivery mechanism.
 * On start and every RECONCILE_INTERVAL_MS, one process at a time (a Redis lock per queue
 * prefix), it compares the unfinished Explanation rows with their BullMQ jobs (job id = row id):
 *
 *   QUEUED  row, job missing / completed / failed   → the job is added again (idempotent id, the
 *                                                     fair priority of @fep/db explanation-queue.ts)
 *   RUNNING row, job missing / completed / failed,
 *           no worker heartbeat, started > RECONCILE_GRACE_MS ago
 *                                                   → the attempt is dead: retryOrFail
 *                                                     (retryDeadAttempt: QUEUED + a new job, or
 *                                                     FAILED with a reason once ENGINE_MAX_ATTEMPTS are used)
 *   anything with a live job (waiting, delayed, prioritized, active) is left to that job.
 *
 * A RUNNING row whose job is still `active` is left alone here: when its engine is dead the job's
 * lock expires and BullMQ delivers it again, and processExplanation retries the attempt. All row
 * changes go through the explanation lifecycle (@fep/db), so a reconciler racing a worker cannot
 * move a row twice. An unreachable database or Redis makes a round end early; the next one retries.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { enqueueExplanationJob, retryDeadAttempt, type Db } from '@fep/db';
import { heartbeatKey, notificationChannel, progressChannel, statusEvent, type ExplainJobData, type NotificationPing } from '@fep/shared';

export interface ReconcilerDeps {
  db: Db;
  queue: Queue<ExplainJobData>;
  /** A Redis client for the lock, heartbeats and status events (the queue's own connection is fine). */
  redis: Redis;
  maxAttempts: number;
  /** A RUNNING row with no live job and no heartbeat is retried once it started this long ago. */
  graceMs: number;
  log?: (msg: string) => void;
}

export interface ReconcileReport {
  /** QUEUED rows whose job was missing or finished, added again. */
  enqueued: string[];
  /** RUNNING rows whose attempt was dead, requeued for another attempt. */
  retried: string[];
  /** RUNNING rows whose attempt was dead and whose attempts were used up. */
  failed: string[];
  /** Rows looked at. */
  checked: number;
}

const LIVE_JOB_STATES = new Set(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']);
/** Rows per round, oldest first; a larger backlog is worked through over several rounds. */
const BATCH = 500;

async function jobState(queue: Queue<ExplainJobData>, id: string) {
  const job = await queue.getJob(id);
  return { job, state: job ? await job.getState() : 'missing' };
}

/** Adds the row's job again, first removing a finished job that holds its id. */
async function enqueueAgain(db: Db, queue: Queue<ExplainJobData>, id: string, stale: Awaited<ReturnType<Queue['getJob']>>) {
  if (stale) await stale.remove();
  await enqueueExplanationJob(db, queue, id);
}

/** One reconciliation round (no lock: see startReconciler). */
export async function reconcileOnce(deps: ReconcilerDeps): Promise<ReconcileReport> {
  const report: ReconcileReport = { enqueued: [], retried: [], failed: [], checked: 0 };
  const rows = await deps.db.explanation.findMany({
    where: { status: { in: ['QUEUED', 'RUNNING'] } },
    select: { id: true, status: true, attempts: true, startedAt: true, requestedById: true },
    orderBy: { createdAt: 'asc' },
    take: BATCH,
  });
  for (const row of rows) {
    report.checked++;
    const { job, state } = await jobState(deps.queue, row.id);
    if (LIVE_JOB_STATES.has(state)) continue;
    if (row.status === 'QUEUED') {
      // A QUEUED row holds no work in progress, so a lost or finished job can be replaced at once.
      await enqueueAgain(deps.db, deps.queue, row.id, job);
      report.enqueued.push(row.id);
      continue;
    }
    if (row.startedAt && Date.now() - row.startedAt.getTime() < deps.graceMs) continue;
    if ((await deps.redis.exists(heartbeatKey(row.id))) === 1) continue;
    const attempt = row.attempts;
    const r = await retryDeadAttempt(deps.db, row.id, { attempt, maxAttempts: deps.maxAttempts, how: 'its job was lost' });
    if (r.outcome === 'requeued') {
      await enqueueAgain(deps.db, deps.queue, row.id, job);
      report.retried.push(row.id);
    } else if (r.outcome === 'failed') {
      await deps.redis.publish(progressChannel(row.id), JSON.stringify(statusEvent(row.id, 'FAILED', 0))).catch(() => {});
      // The lifecycle wrote the requester a Notification with the failure; tell their open pages.
      const ping: NotificationPing = { userId: row.requestedById };
      await deps.redis.publish(notificationChannel(row.requestedById), JSON.stringify(ping)).catch(() => {});
      report.failed.push(row.id);
    }
  }
  const changed = report.enqueued.length + report.retried.length + report.failed.length;
  if (changed) deps.log?.(`reconciler: enqueued ${report.enqueued.length}, retried ${report.retried.length}, failed ${report.failed.length} of ${report.checked} unfinished`);
  return report;
}

export interface Reconciler {
  /** Runs a round now (under the lock); resolves with its report, or null when another process held the lock. */
  runNow(): Promise<ReconcileReport | null>;
  stop(): Promise<void>;
}

/**
 * Runs `reconcileOnce` on start and every `intervalMs`, in at most one process per queue prefix
 * at a time (`SET … NX PX`, released by its owner only).
 */
export function startReconciler(deps: ReconcilerDeps & { intervalMs: number; prefix: string }): Reconciler {
  const lockKey = `${deps.prefix}:reconciler-lock`;
  const owner = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  let running: Promise<ReconcileReport | null> | null = null;
  let stopped = false;
  const round = async (): Promise<ReconcileReport | null> => {
    try {
      const got = await deps.redis.set(lockKey, owner, 'PX', Math.max(30_000, deps.intervalMs * 4), 'NX');
      if (got !== 'OK') return null;
      try {
        return await reconcileOnce(deps);
      } finally {
        // Compare-and-delete: never release a lock that expired and was taken by another process.
        await deps.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`, 1, lockKey, owner);
      }
    } catch (err) {
      deps.log?.(`reconciler: round ended early (${(err as Error).message?.split('\n')[0]}); next round in ${deps.intervalMs} ms`);
      return null;
    }
  };
  const runNow = () => {
    running ??= round().finally(() => {
      running = null;
    });
    return running;
  };
  void runNow();
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, deps.intervalMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
