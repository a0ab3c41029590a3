/**
 * The explanation lifecycle against a real (embedded, in-memory) PostgreSQL: the transition
 * table, the guards that refuse illegal moves, attempt fencing, and the audit events written
 * beside each change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from './client.ts';
import {
  cancel,
  claim,
  complete,
  createExplanation,
  EXPLANATION_STATES,
  fail,
  nextState,
  release,
  requeue,
  retryOrFail,
  TRANSITIONS,
  type ExplanationResults,
  type LifecycleEvent,
} from './explanation-lifecycle.ts';
import { resolveQueuePrefix } from './instance-identity.ts';

let h: DatabaseHandle;
let base: { teamId: string; videoId: string; modelId: string; requestedById: string };

const RESULTS: ExplanationResults = {
  saliencySha256: 'a'.repeat(64),
  saliencyShape: [2, 2, 2],
  prediction: { label: 'x' },
  metrics: {},
  provenance: {},
  provenanceSha256: 'b'.repeat(64),
  timings: {},
};

beforeAll(async () => {
  h = await openDatabase({ databaseUrl: 'memory://', dataDir: '/nonexistent' });
  const db = h.prisma;
  const user = await db.user.create({ data: { email: 'l@example.org', name: 'L', passwordHash: 'x' } });
  const team = await db.team.create({ data: { name: 'T', slug: 't' } });
  const video = await db.video.create({ data: { teamId: team.id, uploadedById: user.id, title: 'v', filename: 'v.mp4', sha256: 'c'.repeat(64), sizeBytes: 1n } });
  const model = await db.model.create({ data: { name: 'm', version: '1', format: 'layers', manifest: {}, labels: [], weightsSha256: 'd'.repeat(64) } });
  base = { teamId: team.id, videoId: video.id, modelId: model.id, requestedById: user.id };
});
afterAll(async () => h?.close());

async function fresh() {
  return createExplanation(h.prisma, { ...base, method: 'fep', params: {} }, { actorId: base.requestedById, action: 'explanation.requested', payload: {} });
}
const status = async (id: string) => (await h.prisma.explanation.findUniqueOrThrow({ where: { id } })).status;
const actions = async (id: string) =>
  (await h.prisma.auditEvent.findMany({ where: { subjectId: id }, orderBy: { seq: 'asc' } })).map((e) => e.action);

describe('the transition table', () => {
  it('lists exactly the legal moves; everything else is refused', () => {
    const legal: Record<string, string> = {};
    for (const s of EXPLANATION_STATES) for (const e of Object.keys(TRANSITIONS) as LifecycleEvent[]) {
      const to = nextState(s, e);
      if (to) legal[`${s} ${e}`] = to;
    }
    expect(legal).toEqual({
      'QUEUED claim': 'RUNNING',
      'QUEUED cancel': 'CANCELLED',
      'RUNNING complete': 'DONE',
      'RUNNING fail': 'FAILED',
      'RUNNING requeue': 'QUEUED',
      'RUNNING release': 'QUEUED',
      'RUNNING cancel': 'CANCELLED',
    });
    // Final states have no way out.
    for (const s of ['DONE', 'FAILED', 'CANCELLED'] as const) for (const e of Object.keys(TRANSITIONS) as LifecycleEvent[]) expect(nextState(s, e)).toBeNull();
  });
});

describe('guarded transitions', () => {
  it('QUEUED → RUNNING → DONE, with one audit event per person-visible change', async () => {
    const e = await fresh();
    expect(e.status).toBe('QUEUED');
    const c = await claim(h.prisma, e.id);
    expect(c).toMatchObject({ changed: true, from: 'QUEUED' });
    expect(c.row!.attempts).toBe(1);
    expect(c.row!.startedAt).toBeInstanceOf(Date);
    const d = await complete(h.prisma, e.id, RESULTS, { method: 'fep' }, 1);
    expect(d.changed).toBe(true);
    expect(d.row).toMatchObject({ status: 'DONE', progress: 1, saliencySha256: RESULTS.saliencySha256 });
    expect(await actions(e.id)).toEqual(['explanation.requested', 'explanation.completed']);
  });

  it('a second claim, a late complete after a cancel, and moves out of a final state change nothing', async () => {
    const e = await fresh();
    await claim(h.prisma, e.id);
    expect((await claim(h.prisma, e.id)).changed).toBe(false);
    const x = await cancel(h.prisma, e.id, base.requestedById);
    expect(x).toMatchObject({ changed: true, from: 'RUNNING' });
    const late = await complete(h.prisma, e.id, RESULTS, {}, 1);
    expect(late).toMatchObject({ changed: false, from: 'CANCELLED', row: null });
    for (const move of [() => fail(h.prisma, e.id, 'x'), () => requeue(h.prisma, e.id, 'x'), () => cancel(h.prisma, e.id, base.requestedById), () => claim(h.prisma, e.id)]) {
      expect((await move()).changed).toBe(false);
    }
    expect(await status(e.id)).toBe('CANCELLED');
    const a = await actions(e.id);
    expect(a).toEqual(['explanation.requested', 'explanation.cancelled']);
    const ev = await h.prisma.auditEvent.findFirstOrThrow({ where: { subjectId: e.id, action: 'explanation.cancelled' } });
    expect(ev.actorId).toBe(base.requestedById);
    expect(ev.payload).toEqual({ previousStatus: 'RUNNING' });
  });

  it('cancel works from QUEUED too; an unknown id changes nothing', async () => {
    const e = await fresh();
    expect((await cancel(h.prisma, e.id, base.requestedById)).changed).toBe(true);
    expect(await status(e.id)).toBe('CANCELLED');
    expect(await claim(h.prisma, 'no-such-id')).toEqual({ changed: false, from: null, row: null });
  });

  it('attempt fencing: an attempt that was given up on cannot finish the next one', async () => {
    const e = await fresh();
    await claim(h.prisma, e.id); // attempt 1 (its engine "dies")
    await requeue(h.prisma, e.id, 'engine died', 1);
    const second = await claim(h.prisma, e.id);
    expect(second.row!.attempts).toBe(2);
    expect((await complete(h.prisma, e.id, RESULTS, {}, 1)).changed).toBe(false);
    expect((await fail(h.prisma, e.id, 'stale', 1)).changed).toBe(false);
    expect(await status(e.id)).toBe('RUNNING');
    expect((await complete(h.prisma, e.id, RESULTS, {}, 2)).changed).toBe(true);
  });

  it('retryOrFail requeues while attempts remain, then FAILS with the final reason', async () => {
    const e = await fresh();
    const outcomes: string[] = [];
    for (let i = 1; i <= 3; i++) {
      await claim(h.prisma, e.id);
      const r = await retryOrFail(h.prisma, e.id, { reason: 'crash', maxAttempts: 3, attempt: i, finalReason: (n) => `gave up after ${n}` });
      outcomes.push(r.outcome);
    }
    expect(outcomes).toEqual(['requeued', 'requeued', 'failed']);
    const row = await h.prisma.explanation.findUniqueOrThrow({ where: { id: e.id } });
    expect(row).toMatchObject({ status: 'FAILED', error: 'gave up after 3', attempts: 3 });
    expect(await actions(e.id)).toEqual(['explanation.requested', 'explanation.requeued', 'explanation.requeued', 'explanation.failed']);
  });

  it('release (an outage) gives the attempt back', async () => {
    const e = await fresh();
    await claim(h.prisma, e.id);
    const r = await release(h.prisma, e.id, 'database unreachable', 1);
    expect(r.row).toMatchObject({ status: 'QUEUED', attempts: 0 });
    expect((await claim(h.prisma, e.id)).row!.attempts).toBe(1);
  });

  it('two racing claims: exactly one wins', async () => {
    const e = await fresh();
    const rs = await Promise.all([claim(h.prisma, e.id), claim(h.prisma, e.id), claim(h.prisma, e.id)]);
    expect(rs.filter((r) => r.changed)).toHaveLength(1);
    expect((await h.prisma.explanation.findUniqueOrThrow({ where: { id: e.id } })).attempts).toBe(1);
  });
});

describe('instance identity', () => {
  it('derives one stable queue prefix per database; QUEUE_PREFIX wins', async () => {
    const a = await resolveQueuePrefix(h.prisma, undefined);
    expect(a).toMatch(/^fep-[0-9a-f]{12}$/);
    expect(await resolveQueuePrefix(h.prisma, undefined)).toBe(a);
    expect(await resolveQueuePrefix(h.prisma, 'mine')).toBe('mine');
    const other = await openDatabase({ databaseUrl: 'memory://', dataDir: '/nonexistent' });
    try {
      expect(await resolveQueuePrefix(other.prisma, undefined)).not.toBe(a);
    } finally {
      await other.close();
    }
  });
});
