/**
 * Fair scheduling (@fep/db explanation-queue.ts) against real BullMQ on Redis and an embedded
 * PostgreSQL: the order in which a real worker receives the jobs. One team's backlog of F-EP runs
 * does not keep another team waiting, and quick methods run before waiting optimisations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker, type Queue } from 'bullmq';
import { createExplanation, enqueueExplanationJob, jobPriority, MINUTES_OFFSET, openDatabase, RANK_CAP, type DatabaseHandle } from '@fep/db';
import { EXPLAIN_QUEUE, createExplainQueue, redisConnection, type ExplainJobData } from '@fep/shared';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-scheduling-${process.pid}`;
let h: DatabaseHandle;
let queue: Queue<ExplainJobData>;
const teams: Record<'A' | 'B', { teamId: string; videoId: string; modelId: string; requestedById: string }> = {} as never;

beforeAll(async () => {
  h = await openDatabase({ databaseUrl: 'memory://', dataDir: '/nonexistent' });
  const db = h.prisma;
  const model = await db.model.create({ data: { name: 'm', version: '1', format: 'layers', manifest: {}, labels: [], weightsSha256: 'd'.repeat(64) } });
  for (const name of ['A', 'B'] as const) {
    const user = await db.user.create({ data: { email: `${name}@example.org`, name, passwordHash: 'x' } });
    const team = await db.team.create({ data: { name, slug: name.toLowerCase() } });
    const video = await db.video.create({ data: { teamId: team.id, uploadedById: user.id, title: 'v', filename: 'v.mp4', sha256: name.repeat(64).toLowerCase().slice(0, 64), sizeBytes: 1n } });
    teams[name] = { teamId: team.id, videoId: video.id, modelId: model.id, requestedById: user.id };
  }
  queue = createExplainQueue(REDIS_URL, prefix);
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await h?.close();
});

/** A request of `team` for `method`, enqueued as the API does; returns a readable name for it. */
async function request(team: 'A' | 'B', method: string, names: Map<string, string>, name: string) {
  const e = await createExplanation(h.prisma, { ...teams[team], method, params: {} }, { actorId: teams[team].requestedById, action: 'explanation.requested', payload: {} });
  names.set(e.id, name);
  await enqueueExplanationJob(h.prisma, queue, e.id);
}

describe('fair scheduling', () => {
  it('orders quick methods first, then each team’s k-th run after every team’s (k−1)-th', async () => {
    const names = new Map<string, string>();
    // Team A queues four F-EP runs, then B one F-EP and one Grad-CAM, then A a gradient.
    for (const n of ['a1', 'a2', 'a3', 'a4']) await request('A', 'fep', names, n);
    await request('B', 'fep', names, 'b1');
    await request('B', 'gradcam', names, 'b2');
    await request('A', 'gradient', names, 'a5');

    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      const worker = new Worker<ExplainJobData>(
        EXPLAIN_QUEUE,
        async (job) => {
          seen.push(names.get(job.data.explanationId)!);
          if (seen.length === names.size) setImmediate(() => void worker.close().then(resolve));
        },
        { connection: redisConnection(REDIS_URL), prefix, concurrency: 1 },
      );
    });
    await done;
    // Without priorities BullMQ would hand them out as added: a1 a2 a3 a4 b1 b2 a5.
    expect(seen).toEqual(['b2', 'a5', 'a1', 'b1', 'a2', 'a3', 'a4']);
  });

  it('keeps every priority within BullMQ’s range and the quick class above the slow one', () => {
    expect(jobPriority('seconds', 0)).toBe(1);
    expect(jobPriority('seconds', 1e9)).toBe(1 + RANK_CAP);
    expect(jobPriority('minutes', 0)).toBe(1 + MINUTES_OFFSET);
    expect(jobPriority('minutes', 1e9)).toBeLessThan(2 ** 21);
    expect(jobPriority('minutes', 0)).toBeGreaterThan(jobPriority('seconds', 1e9));
  });
});
