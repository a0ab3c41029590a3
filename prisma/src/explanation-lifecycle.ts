/**
 * The Explanation lifecycle: the ONLY code that writes `Explanation.status` (and `attempts`,
 * `startedAt`, `finishedAt`, `error`, `progress`). The API, the engine worker and the reconciler
 * call these functions; none of them writes those columns itself (docs/architecture.md).
 *
 *   QUEUED ──claim──▶ RUNNING ──complete──▶ DONE
 *     ▲                 │ ├──fail────────▶ FAILED
 *     └────requeue──────┘ └──cancel──────▶ CANCELLED   (cancel also from QUEUED)
 *
 * Every transition is one transaction: the row is locked, a guarded
 * `updateMany({ where: { id, status: { in: from } } })` changes it only from a legal state, and
 * its audit event is appended beside it. A refused transition (the row was already moved on —
 * cancelled while the engine worked, completed by an earlier delivery) changes nothing and
 * returns `changed: false`; callers treat that as "someone else decided", never as an error.
 */
import type { Explanation, Prisma } from '../generated/client/client.ts';
import type { ExplanationStatus } from '../generated/client/enums.ts';
import { appendAuditEvent } from './audit-chain.ts';
import type { Db } from './client.ts';

export type ExplanationState = ExplanationStatus;
export const EXPLANATION_STATES = ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED'] as const satisfies readonly ExplanationState[];
export const FINAL_STATES: readonly ExplanationState[] = ['DONE', 'FAILED', 'CANCELLED'];
export const isFinalState = (s: string) => (FINAL_STATES as readonly string[]).includes(s);

export type LifecycleEvent = 'claim' | 'complete' | 'fail' | 'requeue' | 'release' | 'cancel';

export interface Transition {
  from: readonly ExplanationState[];
  to: ExplanationState;
  /** Audit action appended in the same transaction; null: none (see claim). */
  audit: string | null;
  /** Who triggers it (docs/architecture.md repeats this table). */
  by: string;
}

/** The legal transitions, as data. Anything not listed here is refused. */
export const TRANSITIONS: Readonly<Record<LifecycleEvent, Transition>> = {
  // No audit event: a start is engine bookkeeping (attempts and startedAt are on the row); the
  // events a person reads are requested, completed, failed, requeued and cancelled.
  claim: { from: ['QUEUED'], to: 'RUNNING', audit: null, by: 'engine worker, when it takes the job' },
  complete: { from: ['RUNNING'], to: 'DONE', audit: 'explanation.completed', by: 'engine worker, after storing the saliency volume' },
  fail: {
    from: ['RUNNING'],
    to: 'FAILED',
    audit: 'explanation.failed',
    by: "engine worker (the job's own fault, or its last attempt) or reconciler (attempts used up)",
  },
  requeue: {
    from: ['RUNNING'],
    to: 'QUEUED',
    audit: 'explanation.requeued',
    by: 'engine worker (a transient error) or reconciler (the job died), while attempts remain',
  },
  // An infrastructure outage (database, Redis, storage) interrupted the attempt: back to the queue
  // with the attempt not counted (attempts − 1), so outages never use up a job's attempts.
  release: {
    from: ['RUNNING'],
    to: 'QUEUED',
    audit: 'explanation.requeued',
    by: 'engine worker, when an infrastructure error interrupted the attempt (not counted)',
  },
  cancel: { from: ['QUEUED', 'RUNNING'], to: 'CANCELLED', audit: 'explanation.cancelled', by: 'API cancelExplanation (a person)' },
};

/** The state `event` leads to from `state`, or null when the table does not allow it. */
export function nextState(state: ExplanationState, event: LifecycleEvent): ExplanationState | null {
  const t = TRANSITIONS[event];
  return t.from.includes(state) ? t.to : null;
}

type Tx = Prisma.TransactionClient;

export interface TransitionResult {
  /** True when this call moved the row. */
  changed: boolean;
  /** The state found (null: no such row). */
  from: ExplanationState | null;
  /** The row after the change; null when nothing changed. */
  row: Explanation | null;
}

/** Transactions this module opened; a call given one of them runs inside it (no nesting). */
const OWN_TX = new WeakSet<object>();

/**
 * Runs `fn` in a transaction: inside one this module opened (retryOrFail → requeue), else a new
 * one. Prisma's transaction client has `$transaction` too (savepoints, which PGlite's adapter
 * lacks), so the check is by identity, not by shape.
 */
function inTransaction<T>(db: Db | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (OWN_TX.has(db)) return fn(db as Tx);
  return (db as Db).$transaction((tx) => {
    OWN_TX.add(tx);
    return fn(tx);
  });
}

/**
 * Runs `fn` in one transaction that this module's transitions join instead of opening their own:
 * for a caller that must move explanations and change other rows atomically (deleteVideo cancels
 * the video's explanations and deletes it in one transaction). Status is still written only here.
 */
export function lifecycleTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(db, fn);
}

/**
 * `attempt`: the attempt (Explanation.attempts after its claim) the caller is running. A worker
 * passes it so that an attempt the reconciler already gave up on (requeued, then claimed again
 * elsewhere) cannot complete, fail or requeue the newer attempt.
 */
async function transition(
  db: Db | Tx,
  id: string,
  event: LifecycleEvent,
  data: Prisma.ExplanationUpdateManyMutationInput,
  audit: { actorId: string | null; payload?: (from: ExplanationState) => Record<string, unknown> },
  attempt?: number,
): Promise<TransitionResult> {
  const t = TRANSITIONS[event];
  return inTransaction(db, async (tx) => {
    // Lock the row so `from` (for the audit payload) is the state the guarded update sees.
    const [cur] = await tx.$queryRaw<{ status: ExplanationState; teamId: string; requestedById: string }[]>`
      SELECT status::text AS status, "teamId", "requestedById" FROM "Explanation" WHERE id = ${id} FOR UPDATE`;
    if (!cur) return { changed: false, from: null, row: null };
    const where = { id, status: { in: [...t.from] }, ...(attempt === undefined ? {} : { attempts: attempt }) };
    const { count } = await tx.explanation.updateMany({ where, data: { ...data, status: t.to } });
    if (count !== 1) return { changed: false, from: cur.status, row: null };
    if (t.audit) {
      await appendAuditEvent(tx, {
        teamId: cur.teamId,
        actorId: audit.actorId,
        action: t.audit,
        subjectType: 'Explanation',
        subjectId: id,
        payload: audit.payload?.(cur.status) ?? {},
      });
    }
    const notify = FINISH_NOTIFICATIONS[t.to];
    if (notify) {
      // The requester's in-app notification, written with the transition: exactly once per finish.
      await tx.notification.create({
        data: {
          teamId: cur.teamId,
          userId: cur.requestedById,
          actorId: null,
          kind: notify,
          subjectType: 'Explanation',
          subjectId: id,
          data: { explanationId: id },
        },
      });
    }
    return { changed: true, from: cur.status, row: await tx.explanation.findUniqueOrThrow({ where: { id } }) };
  });
}

/** States whose arrival tells the requester (an in-app Notification in the transition's transaction). */
export const FINISH_NOTIFICATIONS: Partial<Record<ExplanationState, 'EXPLANATION_DONE' | 'EXPLANATION_FAILED'>> = {
  DONE: 'EXPLANATION_DONE',
  FAILED: 'EXPLANATION_FAILED',
};

export type NewExplanation = Omit<
  Prisma.ExplanationUncheckedCreateInput,
  'status' | 'attempts' | 'startedAt' | 'finishedAt' | 'error' | 'progress'
>;

/**
 * Creates a QUEUED row (the column's default) with its audit event, in one transaction of its
 * own; the caller enqueues the job (jobId = row id) after the commit — and if that enqueue is
 * lost, the reconciler enqueues the row again.
 */
export async function createExplanation(
  db: Db | Tx,
  data: NewExplanation,
  audit: { actorId: string; action: string; payload: Record<string, unknown> },
): Promise<Explanation> {
  return inTransaction(db, async (tx) => {
    const created = await tx.explanation.create({ data });
    await appendAuditEvent(tx, {
      teamId: created.teamId,
      actorId: audit.actorId,
      action: audit.action,
      subjectType: 'Explanation',
      subjectId: created.id,
      payload: audit.payload,
    });
    return created;
  });
}

/** QUEUED → RUNNING: the engine starts an attempt (attempts + 1, startedAt, error and progress cleared). */
export function claim(db: Db | Tx, id: string): Promise<TransitionResult> {
  return transition(db, id, 'claim', { attempts: { increment: 1 }, startedAt: new Date(), finishedAt: null, error: null, progress: 0 }, { actorId: null });
}

export interface ExplanationResults {
  saliencySha256: string;
  saliencyShape: [number, number, number];
  prediction: Prisma.InputJsonValue;
  metrics: Prisma.InputJsonValue;
  provenance: Prisma.InputJsonValue;
  provenanceSha256: string;
  timings: Prisma.InputJsonValue;
  comparison?: Prisma.InputJsonValue;
}

/** RUNNING → DONE with the results; `auditPayload` goes into the (hash-chained) completion event. */
export function complete(
  db: Db | Tx,
  id: string,
  results: ExplanationResults,
  auditPayload: Record<string, unknown>,
  attempt?: number,
): Promise<TransitionResult> {
  return transition(
    db,
    id,
    'complete',
    { ...results, error: null, progress: 1, finishedAt: new Date() },
    { actorId: null, payload: () => auditPayload },
    attempt,
  );
}

/** RUNNING → FAILED with a reason a person can read (shown in the UI). */
export function fail(db: Db | Tx, id: string, reason: string, attempt?: number): Promise<TransitionResult> {
  return transition(db, id, 'fail', { error: reason, finishedAt: new Date() }, { actorId: null, payload: () => ({ reason }) }, attempt);
}

/** RUNNING → QUEUED for another attempt; `reason` is kept in `error` until the next claim. */
export function requeue(db: Db | Tx, id: string, reason: string, attempt?: number): Promise<TransitionResult> {
  return transition(db, id, 'requeue', { error: reason, progress: 0 }, { actorId: null, payload: () => ({ reason }) }, attempt);
}

/** RUNNING → QUEUED after an infrastructure error; the attempt is given back (attempts − 1). */
export function release(db: Db | Tx, id: string, reason: string, attempt?: number): Promise<TransitionResult> {
  return transition(
    db,
    id,
    'release',
    { error: reason, progress: 0, attempts: { decrement: 1 } },
    { actorId: null, payload: () => ({ reason, attemptCounted: false }) },
    attempt,
  );
}

/**
 * A RUNNING attempt ended without a result: requeue while `attempts < maxAttempts`, else fail
 * with `finalReason` (default: `reason`). Decided under the row lock, so two callers (the worker
 * and the reconciler) cannot both requeue one attempt.
 */
export async function retryOrFail(
  db: Db | Tx,
  id: string,
  opts: { reason: string; maxAttempts: number; finalReason?: (attempts: number) => string; attempt?: number },
): Promise<TransitionResult & { outcome: 'requeued' | 'failed' | 'unchanged' }> {
  return inTransaction(db, async (tx) => {
    const [cur] = await tx.$queryRaw<{ attempts: number }[]>`SELECT attempts FROM "Explanation" WHERE id = ${id} FOR UPDATE`;
    if (!cur) return { changed: false, from: null, row: null, outcome: 'unchanged' as const };
    const r =
      cur.attempts < opts.maxAttempts
        ? await requeue(tx, id, opts.reason, opts.attempt)
        : await fail(tx, id, opts.finalReason?.(cur.attempts) ?? opts.reason, opts.attempt);
    const outcome = !r.changed ? 'unchanged' : r.row!.status === 'QUEUED' ? 'requeued' : 'failed';
    return { ...r, outcome };
  });
}

/**
 * A RUNNING attempt whose engine died (crash, out of memory, restart; `how` says how it was
 * noticed): retryOrFail with the reasons a person reads, the same for the worker (a re-delivered
 * job) and the reconciler (a lost job).
 */
export function retryDeadAttempt(
  db: Db | Tx,
  id: string,
  opts: { attempt: number; maxAttempts: number; how: string },
): ReturnType<typeof retryOrFail> {
  return retryOrFail(db, id, {
    reason: `The engine stopped during attempt ${opts.attempt} (${opts.how}); retrying.`,
    maxAttempts: opts.maxAttempts,
    attempt: opts.attempt,
    finalReason: (n) => `The engine stopped during each of its ${n} attempts (a crash, out of memory or a restart), so it was not tried again.`,
  });
}

/**
 * QUEUED or RUNNING → CANCELLED at once, by a person. A live worker is told through the Redis
 * cancel flag (the API sets it) and stops; its later final write is refused by the guard.
 */
export function cancel(db: Db | Tx, id: string, actorId: string): Promise<TransitionResult> {
  return transition(db, id, 'cancel', { finishedAt: new Date() }, { actorId, payload: (from) => ({ previousStatus: from }) });
}

/**
 * The `progress` column (0..1) a page load shows; written only while RUNNING. Live progress goes
 * over Redis pub/sub instead (progressChannel); this is its durable, throttled echo.
 */
export async function recordProgress(db: Db | Tx, id: string, fraction: number): Promise<boolean> {
  const { count } = await db.explanation.updateMany({ where: { id, status: 'RUNNING' }, data: { progress: fraction } });
  return count === 1;
}

/** recordProgress at most once per `everyMs` (the first call writes). Errors are the caller's. */
export function progressRecorder(db: Db, id: string, everyMs = 1000): (fraction: number) => Promise<void> {
  let last = -Infinity;
  return async (fraction) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    await recordProgress(db, id, fraction);
  };
}
