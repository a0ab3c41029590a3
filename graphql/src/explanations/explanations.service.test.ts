/**
 * requestExplanation refuses hostile parameters before writing, keeps a team's queue bounded,
 * answers a retried or racing submit with one row, and leaves no row behind when it answers
 * with an error.
 */
import { createRedis, DEFAULT_LIMITS } from '@fep/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../context.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { requestExplanation } from './explanations.service.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let teamId: string;
let videoId: string;
let modelId: string;

const REQUEST = `mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id status } }`;

async function counts() {
  const db = api.runtime.db;
  return {
    explanations: await db.explanation.count({ where: { teamId } }),
    audit: await db.auditEvent.count({ where: { teamId, action: 'explanation.requested' } }),
    jobs: await api.runtime.queue.count(),
  };
}

function serviceContext(overrides: Partial<ApiContext> = {}): ApiContext {
  return {
    ...api.runtime,
    caller: { userId: owner.userId },
    roleCache: new Map(),
    request: { ip: 'test', userAgent: undefined },
    cookies: null,
    ...overrides,
  };
}

async function cancelAll() {
  await api.runtime.db.explanation.updateMany({ where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } }, data: { status: 'CANCELLED' } });
}

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Requester');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Requests" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes for request tests'));
  const video = await db.video.create({
    data: {
      teamId,
      uploadedById: owner.userId,
      title: 'clip',
      filename: 'clip.mp4',
      sha256: stored.sha256,
      sizeBytes: BigInt(stored.size),
      status: 'READY',
      fps: 8,
      frameCount: 16,
      durationSec: 2,
      width: 112,
      height: 112,
      probe: { firstFrameTime: 0 },
    },
  });
  videoId = video.id;
  const model = await db.model.create({
    data: { teamId, name: 'req-model', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'e'.repeat(64) },
  });
  modelId = model.id;
});
afterAll(async () => {
  await api?.close();
});

describe('parameters are checked against the method catalogue before any row is written', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['params.iterations 100000000', { params: { iterations: 100_000_000 } }, 'params.iterations'],
    ['params.areas [2]', { params: { areas: [2] } }, 'params.areas.0'],
    ['windowStartSec 1e308', { windowStartSec: 1e308 }, 'windowStartSec'],
    ['windowStartSec past the end of the 2 s video', { windowStartSec: 2.5 }, 'windowStartSec'],
    ['top-level iterations past the limit', { iterations: DEFAULT_LIMITS.maxIterations + 1 }, 'iterations'],
    ['more areas than the limit', { params: { areas: [0.05, 0.1, 0.2, 0.3, 0.4] } }, 'params.areas'],
    ['an unknown parameter', { params: { volume: 11 } }, 'params.volume'],
    ['a parameter of another method', { method: 'gradient', params: { iterations: 10 } }, 'params.iterations'],
    ['iterations for a method without them', { method: 'occlusion', iterations: 10 }, 'iterations'],
    ['occlusion strides that would mean ~100 000 forward passes', { method: 'occlusion', params: { stride: [1, 1, 1] } }, 'params.stride.1'],
    ['an unknown method', { method: 'telepathy' }, 'method'],
  ];
  for (const [name, extra, field] of cases) {
    it(`refuses ${name} (BAD_USER_INPUT, field ${field}) and writes nothing`, async () => {
      const before = await counts();
      const res = await owner.client.gql(REQUEST, { i: { teamId, videoId, modelId, ...extra } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(Object.keys(res.errors?.[0]?.extensions?.fields ?? {})).toContain(field);
      expect(await counts()).toEqual(before);
    });
  }

  it('accepts the catalogue defaults and stores the parameters as submitted', async () => {
    const res = await owner.client.ok<any>(REQUEST, { i: { teamId, videoId, modelId, method: 'ep', iterations: 20, params: { areas: [0.05, 0.1] }, windowStartSec: 0 } });
    const row = await api.runtime.db.explanation.findUniqueOrThrow({ where: { id: res.requestExplanation.id } });
    expect(row.params).toEqual({ areas: [0.05, 0.1], iterations: 20 });
    expect(row.status).toBe('QUEUED');
    await cancelAll();
  });

  it('keeps a job-level seed off deterministic methods instead of refusing it', async () => {
    const res = await owner.client.ok<any>(REQUEST, { i: { teamId, videoId, modelId, method: 'gradient', seed: 3 } });
    const row = await api.runtime.db.explanation.findUniqueOrThrow({ where: { id: res.requestExplanation.id } });
    expect(row.params).toEqual({});
    await cancelAll();
  });
});

describe('per-team queue limit', () => {
  it('answers RATE_LIMITED once the team has maxQueuedPerTeam explanations queued or running', async () => {
    await cancelAll();
    const saved = api.runtime.config.limits;
    api.runtime.config.limits = { ...saved, maxQueuedPerTeam: 2 };
    try {
      for (let i = 0; i < 2; i++) await owner.client.ok(REQUEST, { i: { teamId, videoId, modelId, method: 'random' } });
      const before = await counts();
      const res = await owner.client.gql(REQUEST, { i: { teamId, videoId, modelId, method: 'random' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(res.errors?.[0]?.message).toMatch(/2 explanations queued or running \(the limit is 2\)/);
      expect(await counts()).toEqual(before);
      await cancelAll();
      await owner.client.ok(REQUEST, { i: { teamId, videoId, modelId, method: 'random' } });
    } finally {
      api.runtime.config.limits = saved;
      await cancelAll();
    }
  });
});

describe('idempotency key', () => {
  it('a retry with the same key returns the same explanation: one row, one audit event, one job', async () => {
    const before = await counts();
    const i = { teamId, videoId, modelId, method: 'random', idempotencyKey: 'submit-1' };
    const a = await owner.client.ok<any>(REQUEST, { i });
    const b = await owner.client.ok<any>(REQUEST, { i });
    expect(b.requestExplanation.id).toBe(a.requestExplanation.id);
    expect(await counts()).toEqual({ explanations: before.explanations + 1, audit: before.audit + 1, jobs: before.jobs + 1 });
    await cancelAll();
  });

  it('racing duplicates with one key create one row', async () => {
    const before = await counts();
    const i = { teamId, videoId, modelId, method: 'random', idempotencyKey: 'submit-race' };
    const results = await Promise.all(Array.from({ length: 8 }, () => owner.client.gql<any>(REQUEST, { i })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data!.requestExplanation.id));
    expect(ids.size).toBe(1);
    expect(await counts()).toEqual({ explanations: before.explanations + 1, audit: before.audit + 1, jobs: before.jobs + 1 });
    await cancelAll();
  });

  it('keys are per user: another member with the same key gets their own explanation', async () => {
    const member = await api.signUp('Member');
    const { inviteMember } = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: member.email, role: 'ADMIN' },
    });
    await member.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inviteMember.token });
    const i = { teamId, videoId, modelId, method: 'random', idempotencyKey: 'shared-key' };
    const a = await owner.client.ok<any>(REQUEST, { i });
    const b = await member.client.ok<any>(REQUEST, { i });
    expect(b.requestExplanation.id).not.toBe(a.requestExplanation.id);
    await cancelAll();
  });
});

describe('no row is left behind by a request that answers with an error', () => {
  it('Redis unreachable: UNAVAILABLE before the transaction, nothing written', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1', { failFast: true });
    deadRedis.on('error', () => {});
    try {
      const before = await counts();
      const started = Date.now();
      const err = await requestExplanation(serviceContext({ redis: deadRedis }), { userId: owner.userId }, { teamId, videoId, modelId, method: 'random' }).then(
        () => null,
        (e: unknown) => e as { code?: string },
      );
      expect(err?.code).toBe('UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await counts()).toEqual(before);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('a queue.add that fails after the commit is logged; the client still gets the QUEUED row', async () => {
    const failingQueue = Object.create(api.runtime.queue, {
      add: { value: () => Promise.reject(new Error('connection lost')) },
    }) as typeof api.runtime.queue;
    const before = await counts();
    const row = await requestExplanation(serviceContext({ queue: failingQueue }), { userId: owner.userId }, { teamId, videoId, modelId, method: 'random' });
    expect(row.status).toBe('QUEUED');
    expect(await api.runtime.db.explanation.findUnique({ where: { id: row.id } })).not.toBeNull();
    expect(await counts()).toEqual({ explanations: before.explanations + 1, audit: before.audit + 1, jobs: before.jobs });
    await cancelAll();
  });
});

describe('cancelExplanation: cancel works in every unfinished state, including a stuck one', () => {
  const CANCEL = `mutation($id: ID!) { cancelExplanation(id: $id) { id status finishedAt } }`;
  const request = async () => (await owner.client.ok<any>(REQUEST, { i: { teamId, videoId, modelId, method: 'random' } })).requestExplanation.id as string;

  it('a QUEUED row is CANCELLED at once, its waiting job removed, the person recorded as actor', async () => {
    const id = await request();
    expect(await (await api.runtime.queue.getJob(id))?.getState()).toBe('prioritized');
    const res = await owner.client.ok<any>(CANCEL, { id });
    expect(res.cancelExplanation).toMatchObject({ id, status: 'CANCELLED' });
    expect(res.cancelExplanation.finishedAt).toBeTruthy();
    expect(await api.runtime.queue.getJob(id)).toBeFalsy();
    const ev = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: id, action: 'explanation.cancelled' } });
    expect(ev.actorId).toBe(owner.userId);
    expect(ev.payload).toEqual({ previousStatus: 'QUEUED' });
  });

  it('a row stuck RUNNING (its engine gone, its job lost) is CANCELLED at once, and the engine is told', async () => {
    const id = await request();
    await (await api.runtime.queue.getJob(id))?.remove();
    await api.runtime.db.$executeRaw`UPDATE "Explanation" SET status = 'RUNNING', attempts = 1, "startedAt" = now() WHERE id = ${id}`;
    const res = await owner.client.ok<any>(CANCEL, { id });
    expect(res.cancelExplanation.status).toBe('CANCELLED');
    expect(await api.runtime.redis.get(`fep:cancel:${id}`)).toBe('1');
  });

  it('a finished row answers CONFLICT and stays as it was', async () => {
    const id = await request();
    await owner.client.ok<any>(CANCEL, { id });
    const again = await owner.client.gql(CANCEL, { id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await api.runtime.db.auditEvent.count({ where: { subjectId: id, action: 'explanation.cancelled' } })).toBe(1);
  });
});
