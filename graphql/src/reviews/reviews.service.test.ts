import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRuntime, type ApiRuntime } from '../runtime.ts';
import { buildSchema } from '../schema.ts';
import { startApiServer } from '../server/http.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { PRESENCE_TTL_MS } from './reviews.service.ts';

let api: TestApi;
let teamId: string;
let host: { client: TestClient; userId: string };
let member: { client: TestClient; userId: string };
let auditor: { client: TestClient; userId: string };
let outsider: { client: TestClient; userId: string };
let explanationIds: string[];

const SESSION = `id title status isHost explanationIds playback { explanationId playing timeSec updatedAt }
  present { userId name isHost } comments(first: 100) { nodes { id body explanationId timeSec author { userId name } } }
  decisions { explanationId verdict note decidedBy { userId } } summary startedAt endedAt host { id }`;

async function addMember(owner: TestClient, name: string, role: string) {
  const user = await api.signUp(name);
  const inv = await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
    i: { teamId, email: user.email, role },
  });
  await user.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
  return user;
}

/** Events of one session over graphql-ws, authenticated with a session cookie. */
/**
 * A second API process on the same database and Redis: its own runtime (Redis connections, pub/sub)
 * and HTTP server, with the member signed in to it. `close()` leaves the database to server A's
 * test harness (runtime.close also closes B's queue).
 */
async function startServerB(tag: string) {
  const prefix = `${tag}${Date.now()}`;
  const runtime: ApiRuntime = await createApiRuntime(api.runtime.config, { queuePrefix: prefix, redisKeyPrefix: prefix });
  const server = await startApiServer(runtime, buildSchema());
  const memberOnB = new (host.client.constructor as new (url: string) => TestClient)(server.url);
  memberOnB.cookie = member.client.cookie;
  return {
    url: server.url,
    member: memberOnB,
    close: async () => {
      await server.close();
      await runtime.close();
    },
  };
}

function subscribe(url: string, cookie: string, id: string) {
  const events: any[] = [];
  const waiters: { pred: (e: any) => boolean; resolve: (e: any) => void }[] = [];
  const client: Client = createClient({
    url: url.replace('http', 'ws') + '/api/graphql',
    webSocketImpl: class extends WebSocket {
      constructor(u: string, protocols?: string | string[]) {
        super(u, protocols, { headers: { cookie } });
      }
    },
  });
  const errors: unknown[] = [];
  client.subscribe(
    {
      query: `subscription($id: ID!) { reviewSessionEvents(id: $id) {
        __typename
        ... on ReviewPresenceChanged { present { userId isHost } }
        ... on ReviewPlaybackChanged { playback { explanationId playing timeSec } }
        ... on ReviewCommentAdded { comment { body author { userId } } }
        ... on ReviewDecisionMade { decision { explanationId verdict } }
        ... on ReviewSessionEnded { summary }
      } }`,
      variables: { id },
    },
    {
      next: (msg) => {
        if (msg.errors) errors.push(msg.errors);
        const e = (msg.data as any)?.reviewSessionEvents;
        if (!e) return;
        events.push(e);
        for (const w of [...waiters]) if (w.pred(e)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(e));
      },
      error: (err) => errors.push(err),
      complete: () => {},
    },
  );
  return {
    events,
    errors,
    /** The next (or an already received) event matching `pred`. */
    next(pred: (e: any) => boolean): Promise<any> {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    /** Resolves when the subscription is live: `poke` is repeated until its event arrives (a handshake, not a sleep). */
    async ready(poke: () => Promise<unknown>, pred: (e: any) => boolean) {
      let got = false;
      const p = this.next(pred).then(() => (got = true));
      while (!got) {
        await poke();
        await Promise.race([p, new Promise((r) => setTimeout(r, 100))]);
      }
    },
    dispose: () => client.dispose(),
  };
}

beforeAll(async () => {
  api = await startTestApi();
  host = await api.signUp('Host');
  teamId = (await host.client.ok<any>(`mutation { createTeam(input: { name: "Reviewers" }) { id } }`)).createTeam.id;
  member = await addMember(host.client, 'Member', 'REVIEWER');
  auditor = await addMember(host.client, 'Auditor', 'AUDITOR');
  outsider = await api.signUp('Outsider');
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video'));
  const video = await db.video.create({
    data: { teamId, uploadedById: host.userId, title: 'v', filename: 'v.mp4', sha256: stored.sha256, sizeBytes: 5n, status: 'READY' },
  });
  const model = await db.model.create({
    data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a'], weightsSha256: 'e'.repeat(64) },
  });
  explanationIds = [];
  for (const method of ['fep', 'ep']) {
    const e = await db.explanation.create({
      data: { teamId, videoId: video.id, modelId: model.id, requestedById: host.userId, method, params: {}, status: 'DONE', provenance: { seed: 1 } },
    });
    explanationIds.push(e.id);
  }
});

afterAll(async () => {
  await api?.close();
});

const start = (client: TestClient, title = 'Release review') =>
  client.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { ${SESSION} } }`, {
    i: { teamId, title, explanationIds },
  });

describe('live review sessions', () => {
  it('start, join, presence, playback, comments, decisions, end with an audited summary', async () => {
    const { startReviewSession: s } = await start(host.client);
    expect(s).toMatchObject({ status: 'LIVE', isHost: true, explanationIds, playback: { explanationId: explanationIds[0], playing: false, timeSec: 0 } });

    const joined = await member.client.ok<any>(`mutation($id: ID!) { joinReviewSession(id: $id) { ${SESSION} } }`, { id: s.id });
    expect(joined.joinReviewSession.isHost).toBe(false);
    await host.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    const q = await member.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { present { userId isHost } } }`, { id: s.id });
    expect(q.reviewSession.present).toEqual([
      { userId: host.userId, isHost: true },
      { userId: member.userId, isHost: false },
    ]);

    // Only the host drives playback and ends the session.
    const notHost = await member.client.gql(`mutation($id: ID!) { setReviewPlayback(id: $id, input: { playing: true, timeSec: 1 }) { timeSec } }`, { id: s.id });
    expect(notHost.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const notHostEnd = await member.client.gql(`mutation($id: ID!) { endReviewSession(id: $id) { id } }`, { id: s.id });
    expect(notHostEnd.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const pb = await host.client.ok<any>(
      `mutation($id: ID!, $e: ID) { setReviewPlayback(id: $id, input: { explanationId: $e, playing: true, timeSec: 2.5 }) { explanationId playing timeSec } }`,
      { id: s.id, e: explanationIds[1] },
    );
    expect(pb.setReviewPlayback).toEqual({ explanationId: explanationIds[1], playing: true, timeSec: 2.5 });
    const foreign = await host.client.gql(`mutation($id: ID!) { setReviewPlayback(id: $id, input: { explanationId: "nope", playing: true, timeSec: 1 }) { timeSec } }`, { id: s.id });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    await member.client.ok(`mutation($id: ID!, $i: ReviewCommentInput!) { addReviewComment(id: $id, input: $i) { id } }`, {
      id: s.id,
      i: { explanationId: explanationIds[1], body: 'Mask leaks onto the background at 2.5 s', timeSec: 2.5 },
    });
    const empty = await member.client.gql(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "   " }) { id } }`, { id: s.id });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await member.client.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
      id: s.id,
      i: { explanationId: explanationIds[1], verdict: 'REJECT', note: 'first take' },
    });
    // A later decision on the same explanation replaces the earlier one.
    await host.client.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
      id: s.id,
      i: { explanationId: explanationIds[1], verdict: 'NEEDS_WORK', note: 'retrain with more crops' },
    });
    await host.client.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
      id: s.id,
      i: { explanationId: explanationIds[0], verdict: 'ACCEPT' },
    });

    const ended = (await host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { ${SESSION} } }`, { id: s.id })).endReviewSession;
    expect(ended.status).toBe('ENDED');
    expect(ended.endedAt).toBeTruthy();
    expect(ended.present).toEqual([]);
    expect(ended.summary.attendees.map((a: any) => a.userId).sort()).toEqual([host.userId, member.userId].sort());
    expect(ended.summary.decisions.map((d: any) => [d.explanationId, d.verdict, d.note])).toEqual([
      [explanationIds[0], 'ACCEPT', null],
      [explanationIds[1], 'NEEDS_WORK', 'retrain with more crops'],
    ]);
    expect(ended.summary.comments).toHaveLength(1);
    expect(ended.comments.nodes[0].body).toBe('Mask leaks onto the background at 2.5 s');
    expect(ended.decisions).toHaveLength(2);

    const audit = await api.runtime.db.auditEvent.findMany({ where: { subjectId: s.id }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['review.started', 'review.ended']);
    expect((audit[1]!.payload as any).attendees.sort()).toEqual([host.userId, member.userId].sort());
    expect((audit[1]!.payload as any).comments).toBe(1);

    const late = await member.client.gql(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "too late" }) { id } }`, { id: s.id });
    expect(late.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const again = await host.client.gql(`mutation($id: ID!) { endReviewSession(id: $id) { id } }`, { id: s.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const list = await member.client.ok<any>(`query($t: ID!) { reviewSessions(teamId: $t, first: 100) { nodes { id status } } }`, { t: teamId });
    expect(list.reviewSessions.nodes).toContainEqual({ id: s.id, status: 'ENDED' });
  });

  it('auditors may be present and watch but not comment, decide or host; outsiders see nothing', async () => {
    const { startReviewSession: s } = await start(host.client, 'Audited');
    const j = await auditor.client.ok<any>(`mutation($id: ID!) { joinReviewSession(id: $id) { present { userId } } }`, { id: s.id });
    expect(j.joinReviewSession.present.map((p: any) => p.userId)).toContain(auditor.userId);
    const c = await auditor.client.gql(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "hi" }) { id } }`, { id: s.id });
    expect(c.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const d = await auditor.client.gql(`mutation($id: ID!, $e: ID!) { decideReviewExplanation(id: $id, input: { explanationId: $e, verdict: ACCEPT }) { verdict } }`, {
      id: s.id,
      e: explanationIds[0],
    });
    expect(d.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const st = await auditor.client.gql(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId, title: 'x', explanationIds },
    });
    expect(st.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const o = await outsider.client.gql(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    expect(o.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const oq = await outsider.client.gql(`query($id: ID!) { reviewSession(id: $id) { id } }`, { id: s.id });
    expect(oq.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const other = await outsider.client.gql(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId, title: 'x', explanationIds },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('explanations of another team cannot be put in a session', async () => {
    const own = await outsider.client.ok<any>(`mutation { createTeam(input: { name: "Elsewhere" }) { id } }`);
    const res = await outsider.client.gql(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId: own.createTeam.id, title: 'steal', explanationIds },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('presence expires without heartbeats, and the next heartbeat announces who left', async () => {
    const { startReviewSession: s } = await start(host.client, 'Presence');
    await host.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    await member.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    const sub = subscribe(api.url, host.client.cookie!, s.id);
    try {
      await sub.ready(
        () => host.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id }),
        (e) => e.__typename === 'ReviewPresenceChanged',
      );
      // The member's last heartbeat is made older than the presence window (as if their tab closed).
      await api.runtime.redis.zadd(`fep:review:${s.id}:presence`, String(Date.now() - PRESENCE_TTL_MS - 1000), member.userId);
      const gone = sub.next((e) => e.__typename === 'ReviewPresenceChanged' && !e.present.some((p: any) => p.userId === member.userId));
      await host.client.ok(`mutation($id: ID!) { reviewHeartbeat(id: $id) }`, { id: s.id });
      expect((await gone).present).toEqual([{ userId: host.userId, isHost: true }]);
      // Leaving is immediate.
      const left = sub.next((e) => e.__typename === 'ReviewPresenceChanged' && e.present.length === 0);
      await host.client.ok(`mutation($id: ID!) { leaveReviewSession(id: $id) }`, { id: s.id });
      expect((await left).present).toEqual([]);
      expect(sub.errors).toEqual([]);
    } finally {
      await sub.dispose();
    }
  });

  it('subscriptions refuse outsiders', async () => {
    const { startReviewSession: s } = await start(host.client, 'Closed door');
    const errors = await new Promise<unknown[]>((resolve) => {
      const client = createClient({
        url: api.url.replace('http', 'ws') + '/api/graphql',
        webSocketImpl: class extends WebSocket {
          constructor(u: string, protocols?: string | string[]) {
            super(u, protocols, { headers: { cookie: outsider.client.cookie! } });
          }
        },
      });
      client.subscribe(
        { query: `subscription($id: ID!) { reviewSessionEvents(id: $id) { __typename } }`, variables: { id: s.id } },
        { next: (m) => m.errors && (resolve(m.errors as unknown[]), void client.dispose()), error: (e) => (resolve([e]), void client.dispose()), complete: () => {} },
      );
    });
    expect(JSON.stringify(errors)).toContain('Review session not found');
  });

  it('two API processes: the host seeks on server A, a member subscribed on server B receives it (through Redis)', async () => {
    // Server B has its own runtime: its own Redis connections and pub/sub, sharing only the database and Redis.
    const serverB = await startServerB('b');
    try {
      const { startReviewSession: s } = await start(host.client, 'Two servers');
      const memberOnB = serverB.member;
      const sub = subscribe(serverB.url, member.client.cookie!, s.id);
      try {
        await sub.ready(
          () => memberOnB.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id }),
          (e) => e.__typename === 'ReviewPresenceChanged' && e.present.some((p: any) => p.userId === member.userId),
        );
        // Presence written through B is visible on A.
        const onA = await host.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { present { userId } } }`, { id: s.id });
        expect(onA.reviewSession.present.map((p: any) => p.userId)).toContain(member.userId);

        const seek = sub.next((e) => e.__typename === 'ReviewPlaybackChanged' && e.playback.timeSec === 3.25);
        const t0 = performance.now();
        await host.client.ok(`mutation($id: ID!, $e: ID) { setReviewPlayback(id: $id, input: { explanationId: $e, playing: false, timeSec: 3.25 }) { timeSec } }`, {
          id: s.id,
          e: explanationIds[1],
        });
        const got = await seek;
        expect(got.playback).toEqual({ explanationId: explanationIds[1], playing: false, timeSec: 3.25 });
        expect(performance.now() - t0).toBeLessThan(1000);

        const comment = sub.next((e) => e.__typename === 'ReviewCommentAdded');
        await host.client.ok(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "from A" }) { id } }`, { id: s.id });
        expect((await comment).comment).toEqual({ body: 'from A', author: { userId: host.userId } });

        const ended = sub.next((e) => e.__typename === 'ReviewSessionEnded');
        await host.client.ok(`mutation($id: ID!) { endReviewSession(id: $id) { id } }`, { id: s.id });
        expect((await ended).summary.comments).toHaveLength(1);
        expect(sub.errors).toEqual([]);
      } finally {
        await sub.dispose();
      }
    } finally {
      await serverB.close();
    }
  });
});

describe('comments and decisions are durable (PostgreSQL first, Redis only for delivery)', () => {
  const COMMENT = `mutation($id: ID!, $i: ReviewCommentInput!) { addReviewComment(id: $id, input: $i) { id body } }`;
  const DECIDE = `mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { explanationId verdict } }`;

  /** Deletes every Redis key of the session, as a Redis restart without persistence would. */
  async function flushSessionKeys(sessionId: string) {
    const keys = await api.runtime.redis.keys(`fep:review:${sessionId}:*`);
    if (keys.length) await api.runtime.redis.del(...keys);
    expect(await api.runtime.redis.keys(`fep:review:${sessionId}:*`)).toEqual([]);
  }

  it('a comment and a decision survive a Redis flush: still queried, still in the summary and its audit', async () => {
    const { startReviewSession: s } = await start(host.client, 'Flush');
    await host.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    await member.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    const c = await member.client.ok<any>(COMMENT, { id: s.id, i: { explanationId: explanationIds[0], body: 'Saliency sits on the hands', timeSec: 1.5 } });
    await member.client.ok(DECIDE, { id: s.id, i: { explanationId: explanationIds[0], verdict: 'REJECT', note: 'first look' } });
    await member.client.ok(DECIDE, { id: s.id, i: { explanationId: explanationIds[0], verdict: 'ACCEPT' } });

    await flushSessionKeys(s.id);

    const q = (await host.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { ${SESSION} } }`, { id: s.id })).reviewSession;
    expect(q.status).toBe('LIVE');
    expect(q.present).toEqual([]);
    expect(q.comments.nodes).toEqual([
      { id: c.addReviewComment.id, body: 'Saliency sits on the hands', explanationId: explanationIds[0], timeSec: 1.5, author: { userId: member.userId, name: 'Member' } },
    ]);
    expect(q.decisions).toEqual([{ explanationId: explanationIds[0], verdict: 'ACCEPT', note: null, decidedBy: { userId: member.userId } }]);
    // The whole decision history is kept; the latest counts.
    const rows = await api.runtime.db.reviewDecision.findMany({ where: { sessionId: s.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.verdict)).toEqual(['REJECT', 'ACCEPT']);
    const audited = await api.runtime.db.auditEvent.findMany({ where: { subjectId: { in: [c.addReviewComment.id, ...rows.map((r) => r.id)] } }, orderBy: { seq: 'asc' } });
    expect(audited.map((a) => a.action)).toEqual(['review.comment_added', 'review.decided', 'review.decided']);

    const ended = (await host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { ${SESSION} } }`, { id: s.id })).endReviewSession;
    expect(ended.summary.comments.map((x: any) => [x.id, x.body, x.author.userId])).toEqual([[c.addReviewComment.id, 'Saliency sits on the hands', member.userId]]);
    expect(ended.summary.decisions.map((d: any) => [d.explanationId, d.verdict])).toEqual([[explanationIds[0], 'ACCEPT']]);
    // Redis lost the attendee list; the member still attended (their comment proves it).
    expect(ended.summary.attendees.map((a: any) => a.userId)).toContain(member.userId);
    expect(ended.comments.nodes).toHaveLength(1);
    const end = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: s.id, action: 'review.ended' } });
    expect((end.payload as any).comments).toBe(1);
    expect((end.payload as any).decisions).toEqual([{ explanationId: explanationIds[0], verdict: 'ACCEPT', by: member.userId }]);
  });

  it('a comment is stored and answered even when live delivery cannot reach Redis', async () => {
    const { startReviewSession: s } = await start(host.client, 'Redis away');
    const pubsub = api.runtime.pubsub;
    const original = pubsub.publish.bind(pubsub);
    // What ioredis does while Redis is down (maxRetriesPerRequest: null): the command just waits.
    pubsub.publish = () => new Promise<void>(() => {});
    try {
      const c = await host.client.ok<any>(COMMENT, { id: s.id, i: { body: 'typed during the outage' } });
      const d = await host.client.ok<any>(DECIDE, { id: s.id, i: { explanationId: explanationIds[1], verdict: 'NEEDS_WORK' } });
      expect(d.decideReviewExplanation.verdict).toBe('NEEDS_WORK');
      expect(await api.runtime.db.reviewComment.findUnique({ where: { id: c.addReviewComment.id } })).toMatchObject({ body: 'typed during the outage' });
    } finally {
      pubsub.publish = original;
    }
    const q = await member.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { comments(first: 100) { nodes { body } } decisions { verdict } } }`, { id: s.id });
    expect(q.reviewSession).toEqual({ comments: { nodes: [{ body: 'typed during the outage' }] }, decisions: [{ verdict: 'NEEDS_WORK' }] });
  });

  it('concurrent comments through two API servers are each stored exactly once, delivered, and a racing end keeps every accepted one', async () => {
    const serverB = await startServerB('c');
    try {
      const { startReviewSession: s } = await start(host.client, 'Busy');
      const memberOnB = serverB.member;
      const sub = subscribe(serverB.url, member.client.cookie!, s.id);
      try {
        await sub.ready(
          () => memberOnB.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id }),
          (e) => e.__typename === 'ReviewPresenceChanged',
        );
        const N = 12;
        const sent = await Promise.all(
          Array.from({ length: N }, (_, i) =>
            (i % 2 ? memberOnB : host.client).ok<any>(COMMENT, { id: s.id, i: { body: `c${i}` } }).then((r) => r.addReviewComment),
          ),
        );
        expect(new Set(sent.map((c) => c.id)).size).toBe(N);
        const rows = await api.runtime.db.reviewComment.findMany({ where: { sessionId: s.id } });
        expect(rows.map((r) => r.body).sort()).toEqual(Array.from({ length: N }, (_, i) => `c${i}`).sort());
        expect(rows.map((r) => r.id).sort()).toEqual(sent.map((c) => c.id).sort());
        const onB = await memberOnB.ok<any>(`query($id: ID!) { reviewSession(id: $id) { comments(first: 100) { nodes { id } } } }`, { id: s.id });
        expect(onB.reviewSession.comments.nodes.map((c: any) => c.id).sort()).toEqual(sent.map((c) => c.id).sort());
        await sub.next(() => sub.events.filter((e) => e.__typename === 'ReviewCommentAdded').length === N);
        expect(sub.events.filter((e) => e.__typename === 'ReviewCommentAdded').map((e) => e.comment.body).sort()).toEqual(rows.map((r) => r.body).sort());

        // Comments racing the end: each one is either in the summary or refused with CONFLICT.
        const racing = Array.from({ length: 8 }, (_, i) => (i % 2 ? memberOnB : host.client).gql<any>(COMMENT, { id: s.id, i: { body: `race${i}` } }));
        const ending = host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { summary } }`, { id: s.id });
        const results = await Promise.all(racing);
        const { summary } = (await ending).endReviewSession;
        const accepted = results.filter((r) => !r.errors).map((r) => r.data.addReviewComment.body);
        expect(results.filter((r) => r.errors).every((r) => r.errors![0]!.extensions?.code === 'CONFLICT')).toBe(true);
        const stored = await api.runtime.db.reviewComment.findMany({ where: { sessionId: s.id } });
        expect(stored).toHaveLength(N + accepted.length);
        expect(summary.comments.map((c: any) => c.body).sort()).toEqual(stored.map((r) => r.body).sort());
        expect(sub.errors).toEqual([]);
      } finally {
        await sub.dispose();
      }
    } finally {
      await serverB.close();
    }
  });

  it('another team cannot read or add comments and decisions', async () => {
    const { startReviewSession: s } = await start(host.client, 'Private');
    await member.client.ok(COMMENT, { id: s.id, i: { body: 'team only' } });
    await member.client.ok(DECIDE, { id: s.id, i: { explanationId: explanationIds[0], verdict: 'ACCEPT' } });
    const own = await outsider.client.ok<any>(`mutation { createTeam(input: { name: "Other reviewers" }) { id } }`);

    const q = await outsider.client.gql(`query($id: ID!) { reviewSession(id: $id) { comments(first: 100) { nodes { body } } decisions { verdict } } }`, { id: s.id });
    expect(q.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(q.data)).not.toContain('team only');
    const list = await outsider.client.gql(`query($t: ID!) { reviewSessions(teamId: $t, first: 10) { nodes { id comments(first: 10) { nodes { body } } } } }`, { t: teamId });
    expect(list.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const mine = await outsider.client.ok<any>(`query($t: ID!) { reviewSessions(teamId: $t, first: 100) { nodes { id } } }`, { t: own.createTeam.id });
    expect(mine.reviewSessions.nodes).toEqual([]);
    const add = await outsider.client.gql(COMMENT, { id: s.id, i: { body: 'sneaky' } });
    expect(add.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const dec = await outsider.client.gql(DECIDE, { id: s.id, i: { explanationId: explanationIds[0], verdict: 'REJECT' } });
    expect(dec.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await api.runtime.db.reviewComment.count({ where: { sessionId: s.id } })).toBe(1);
    expect(await api.runtime.db.reviewDecision.count({ where: { sessionId: s.id } })).toBe(1);
    // The team's auditor reads them (review.join) but cannot add any.
    const a = await auditor.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { comments(first: 100) { nodes { body } } decisions { verdict } } }`, { id: s.id });
    expect(a.reviewSession).toEqual({ comments: { nodes: [{ body: 'team only' }] }, decisions: [{ verdict: 'ACCEPT' }] });
  });

  it('a session live across the upgrade: comments and decisions an earlier version kept in Redis are moved into the tables once', async () => {
    const { startReviewSession: s } = await start(host.client, 'Upgrade');
    const at = new Date(Date.now() - 60_000).toISOString();
    const legacyComment = { id: '6f1c1f0e-0000-4000-8000-000000000001', explanationId: null, author: { userId: member.userId, name: 'Member', isHost: false }, body: 'typed before the upgrade', timeSec: 4, createdAt: at };
    const legacyDecision = { explanationId: explanationIds[1], verdict: 'REJECT', note: 'old', decidedBy: { userId: member.userId, name: 'Member', isHost: false }, decidedAt: at };
    await api.runtime.redis.rpush(`fep:review:${s.id}:comments`, JSON.stringify(legacyComment));
    await api.runtime.redis.hset(`fep:review:${s.id}:decisions`, explanationIds[1]!, JSON.stringify(legacyDecision));
    await member.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    await host.client.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: s.id });
    expect(await api.runtime.redis.exists(`fep:review:${s.id}:comments`, `fep:review:${s.id}:decisions`)).toBe(0);
    const q = (await host.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { comments(first: 100) { nodes { id body timeSec } } decisions { explanationId verdict note } } }`, { id: s.id })).reviewSession;
    expect(q.comments.nodes).toEqual([{ id: legacyComment.id, body: 'typed before the upgrade', timeSec: 4 }]);
    expect(q.decisions).toEqual([{ explanationId: explanationIds[1], verdict: 'REJECT', note: 'old' }]);
    const ended = (await host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { summary } }`, { id: s.id })).endReviewSession;
    expect(ended.summary.comments).toHaveLength(1);
    expect(ended.summary.decisions).toHaveLength(1);
  });
});

describe('decisions: the host decides, participants vote', () => {
  const DECIDE = `mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { explanationId verdict decidedBy { userId isHost } explanation { id method } } }`;
  const STATE = `query($id: ID!) { reviewSession(id: $id) {
    decisions { explanationId verdict decidedBy { userId isHost } explanation { id } }
    votes(first: 100) { nodes { explanationId verdict decidedBy { userId isHost } } } } }`;

  it('a participant’s vote counts only until the host decides, and never replaces the host’s decision', async () => {
    const { startReviewSession: s } = await start(host.client, 'Host first');
    const [e0, e1] = explanationIds as [string, string];
    // Each decision names its explanation and who made it.
    const vote = await member.client.ok<any>(DECIDE, { id: s.id, i: { explanationId: e0, verdict: 'REJECT' } });
    expect(vote.decideReviewExplanation).toEqual({
      explanationId: e0,
      verdict: 'REJECT',
      decidedBy: { userId: member.userId, isHost: false },
      explanation: { id: e0, method: 'fep' },
    });
    let q = (await host.client.ok<any>(STATE, { id: s.id })).reviewSession;
    expect(q.decisions).toEqual([{ explanationId: e0, verdict: 'REJECT', decidedBy: { userId: member.userId, isHost: false }, explanation: { id: e0 } }]);

    await host.client.ok(DECIDE, { id: s.id, i: { explanationId: e0, verdict: 'ACCEPT' } });
    // The participant votes again, later: the host's decision still counts.
    await member.client.ok(DECIDE, { id: s.id, i: { explanationId: e0, verdict: 'NEEDS_WORK' } });
    await member.client.ok(DECIDE, { id: s.id, i: { explanationId: e1, verdict: 'ACCEPT' } });
    q = (await member.client.ok<any>(STATE, { id: s.id })).reviewSession;
    expect(q.decisions.map((d: any) => [d.explanationId, d.verdict, d.decidedBy.userId])).toEqual([
      [e0, 'ACCEPT', host.userId],
      [e1, 'ACCEPT', member.userId],
    ]);
    // The participant's latest vote per explanation is kept beside it.
    expect(q.votes.nodes.map((d: any) => [d.explanationId, d.verdict, d.decidedBy.userId])).toEqual([
      [e0, 'NEEDS_WORK', member.userId],
      [e1, 'ACCEPT', member.userId],
    ]);

    const ended = (await host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { summary } }`, { id: s.id })).endReviewSession;
    expect(ended.summary.decisions.map((d: any) => [d.explanationId, d.verdict, d.decidedBy.userId])).toEqual([
      [e0, 'ACCEPT', host.userId],
      [e1, 'ACCEPT', member.userId],
    ]);
    expect(ended.summary.votes.map((d: any) => [d.explanationId, d.verdict])).toEqual([
      [e0, 'NEEDS_WORK'],
      [e1, 'ACCEPT'],
    ]);
    const audit = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: s.id, action: 'review.ended' } });
    expect((audit.payload as any).decisions).toEqual([
      { explanationId: e0, verdict: 'ACCEPT', by: host.userId },
      { explanationId: e1, verdict: 'ACCEPT', by: member.userId },
    ]);
    // After the end the queries read the summary: the same answer.
    const after = (await member.client.ok<any>(STATE, { id: s.id })).reviewSession;
    expect(after.decisions.map((d: any) => d.verdict)).toEqual(['ACCEPT', 'ACCEPT']);
    expect(after.votes.nodes.map((d: any) => d.verdict)).toEqual(['NEEDS_WORK', 'ACCEPT']);
  });

  it('a live-review comment mentions team members only, and notifies them', async () => {
    const { startReviewSession: s } = await start(host.client, 'Mentions');
    const c = await host.client.ok<any>(
      `mutation($id: ID!, $i: ReviewCommentInput!) { addReviewComment(id: $id, input: $i) { id mentions { userId name } } }`,
      { id: s.id, i: { body: '@Member look at 2 s', mentions: [member.userId, outsider.userId] } },
    );
    expect(c.addReviewComment.mentions).toEqual([{ userId: member.userId, name: 'Member' }]);
    const n = await api.runtime.db.notification.findMany({ where: { subjectId: c.addReviewComment.id } });
    expect(n.map((x) => [x.userId, x.kind, (x.data as any).sessionId])).toEqual([[member.userId, 'MENTION', s.id]]);
    const listed = await member.client.ok<any>(`{ notifications(first: 5) { nodes { subjectId message href } } }`);
    expect(listed.notifications.nodes.find((x: any) => x.subjectId === c.addReviewComment.id)).toEqual({
      subjectId: c.addReviewComment.id,
      message: 'Host mentioned you in a live review',
      href: `/review/${s.id}`,
    });
    const ended = (await host.client.ok<any>(`mutation($id: ID!) { endReviewSession(id: $id) { summary } }`, { id: s.id })).endReviewSession;
    expect(ended.summary.comments[0].mentions).toEqual([{ userId: member.userId, name: 'Member', isHost: false }]);
  });
});
