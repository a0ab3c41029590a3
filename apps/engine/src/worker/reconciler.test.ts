/**
 * The reconciler against real Redis (BullMQ under a private prefix) and an embedded PostgreSQL:
 * lost jobs of QUEUED rows come back once, dead RUNNING attempts are retried and then FAILED,
 * live attempts (job or heartbeat) are left alone, and only one process runs a round at a time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { claim, createExplanation, openDatabase, type DatabaseHandle } from '@fep/db';
import { EXPLAIN_QUEUE, createExplainQueue, heartbeatKey, notificationChannel, redisConnection, type ExplainJobData } from '@fep/shared';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import { reconcileOnce, startReconciler, type ReconcilerDeps } from './reconciler.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-reconciler-${process.pid}`;
let h: DatabaseHandle;
let redis: Redis;
let queue: Queue<ExplainJobData>;
let deps: ReconcilerDeps;
let base: { teamId: string; videoId: string; modelId: string; requestedById: string };

beforeAll(async () => {
  h = await openDatabase({ databaseUrl: 'memory://', dataDir: '/nonexistent' });
  const db = h.prisma;
  const user = await db.user.create({ data: { email: 'r@example.org', name: 'R', passwordHash: 'x' } });
  const team = await db.team.create({ data: { name: 'T', slug: 't' } });
  const video = await db.video.create({ data: { teamId: team.id, uploadedById: user.id, title: 'v', filename: 'v.mp4', sha256: 'c'.repeat(64), sizeBytes: 1n } });
  const model = await db.model.create({ data: { name: 'm', version: '1', format: 'layers', manifest: {}, labels: [], weightsSha256: 'd'.repeat(64) } });
  base = { teamId: team.id, videoId: video.id, modelId: model.id, requestedById: user.id };
  redis = new Redis(REDIS_URL);
  queue = createExplainQueue(REDIS_URL, prefix);
  deps = { db, queue, redis, maxAttempts: 3, graceMs: 5000 };
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  redis?.disconnect();
  await h?.close();
});
beforeEach(async () => {
  await queue.obliterate({ force: true });
  await h.prisma.explanation.updateMany({ where: { status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'CANCELLED' } });
});

const fresh = () =>
  createExplanation(h.prisma, { ...base, method: 'fep', params: {} }, { actorId: base.requestedById, action: 'explanation.requested', payload: {} });
const row = (id: string) => h.prisma.explanation.findUniqueOrThrow({ where: { id } });
/** A RUNNING row whose attempt started `agoMs` ago. */
async function running(agoMs: number, attempts = 1) {
  const e = await fresh();
  await claim(h.prisma, e.id);
  await h.prisma.explanation.update({ where: { id: e.id }, data: { startedAt: new Date(Date.now() - agoMs), attempts } });
  return e.id;
}

describe('reconcileOnce', () => {
  it('enqueues a QUEUED row whose job was lost, exactly once', async () => {
    const e = await fresh();
    const first = await reconcileOnce(deps);
    expect(first.enqueued).toEqual([e.id]);
    expect(await (await queue.getJob(e.id))?.getState()).toBe('prioritized');
    const second = await reconcileOnce(deps);
    expect(second.enqueued).toEqual([]);
    expect(await queue.getJobCounts('prioritized')).toMatchObject({ prioritized: 1 });
  });

  it('replaces a failed job that holds a QUEUED row’s id', async () => {
    const e = await fresh();
    await queue.add('explain', { explanationId: e.id }, { jobId: e.id });
    // A real worker fails the job (as an old attempt's delivery would end).
    const worker = new Worker<ExplainJobData>(EXPLAIN_QUEUE, async () => {
      throw new UnrecoverableError('old attempt');
    }, { connection: redisConnection(REDIS_URL), prefix });
    await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await worker.close();
    expect(await (await queue.getJob(e.id))?.getState()).toBe('failed');
    const r = await reconcileOnce(deps);
    expect(r.enqueued).toEqual([e.id]);
    expect(await (await queue.getJob(e.id))?.getState()).toBe('prioritized');
  });

  it('retries a dead RUNNING attempt (no job, no heartbeat, past the grace) and adds its job', async () => {
    const id = await running(60_000, 1);
    const r = await reconcileOnce(deps);
    expect(r.retried).toEqual([id]);
    expect(await row(id)).toMatchObject({ status: 'QUEUED', attempts: 1 });
    expect((await row(id)).error).toMatch(/engine stopped during attempt 1/);
    expect(await (await queue.getJob(id))?.getState()).toBe('prioritized');
  });

  it('FAILS a dead attempt once ENGINE_MAX_ATTEMPTS are used, with a reason a person can read', async () => {
    const id = await running(60_000, 3);
    const r = await reconcileOnce(deps);
    expect(r.failed).toEqual([id]);
    const after = await row(id);
    expect(after.status).toBe('FAILED');
    expect(after.error).toMatch(/each of its 3 attempts/);
    expect(await queue.getJob(id)).toBeFalsy();
  });

  it('the failure notifies its requester: a Notification row (lifecycle) and a ping on their channel', async () => {
    const id = await running(60_000, 3);
    const sub = new Redis(REDIS_URL);
    try {
      const channel = notificationChannel(base.requestedById);
      const ping = new Promise<string>((resolve) => sub.on('message', (c, m) => c === channel && resolve(m)));
      await sub.subscribe(channel);
      expect((await reconcileOnce(deps)).failed).toEqual([id]);
      expect(JSON.parse(await ping)).toEqual({ userId: base.requestedById });
      const n = await h.prisma.notification.findMany({ where: { subjectId: id } });
      expect(n.map((x) => [x.userId, x.kind, x.teamId])).toEqual([[base.requestedById, 'EXPLANATION_FAILED', base.teamId]]);
    } finally {
      sub.disconnect();
    }
  });

  it('leaves alone an attempt within its grace, one with a live heartbeat, and one with a live job', async () => {
    const young = await running(1000);
    const beating = await running(60_000);
    await redis.set(heartbeatKey(beating), '1', 'PX', 10_000);
    const withJob = await running(60_000);
    await queue.add('explain', { explanationId: withJob }, { jobId: withJob });
    try {
      const r = await reconcileOnce(deps);
      expect(r.retried).toEqual([]);
      expect(r.failed).toEqual([]);
      for (const id of [young, beating, withJob]) expect((await row(id)).status).toBe('RUNNING');
    } finally {
      await redis.del(heartbeatKey(beating));
    }
  });
});

describe('startReconciler', () => {
  it('runs on start, and one process at a time holds the round', async () => {
    const e = await fresh();
    const a = startReconciler({ ...deps, prefix, intervalMs: 60_000 });
    const b = startReconciler({ ...deps, prefix, intervalMs: 60_000 });
    try {
      const [ra, rb] = await Promise.all([a.runNow(), b.runNow()]);
      // Each started a round on start; exactly one of the two got the lock for it.
      expect([ra, rb].filter((r) => r !== null)).toHaveLength(1);
      expect([ra, rb].find((r) => r)!.enqueued).toEqual([e.id]);
      // The lock was released: a later round runs.
      expect(await a.runNow()).toMatchObject({ enqueued: [] });
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
