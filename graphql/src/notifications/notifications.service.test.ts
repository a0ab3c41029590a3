import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { claim, complete, createExplanation, fail } from '@fep/db';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/**
 * In-app notifications over HTTP and graphql-ws against real PostgreSQL + Redis: who gets one
 * (mentions of members, replies, study raters, finished explanations), that nobody else can read or
 * mark them, that a team's notifications go away with the membership, and that the bell's
 * subscription delivers a new unread count live.
 */
let api: TestApi;
type Member = { client: TestClient; userId: string; email: string };
let owner: Member;
let reviewer: Member;
let rater: Member;
let outsider: Member;
let teamId: string;
let explanationId: string;
let videoId: string;
let modelId: string;

async function join(role: string, name: string) {
  const member = await api.signUp(name);
  const { inviteMember } = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
    i: { teamId, email: member.email, role },
  });
  await member.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inviteMember.token });
  return member;
}

const ADD_COMMENT = `mutation($i: AddCommentInput!) { addComment(input: $i) { id mentions { id } } }`;
const LIST = `query($u: Boolean) { unreadNotificationCount notifications(first: 20, unreadOnly: $u) {
  nodes { id teamId kind message excerpt href subjectType subjectId readAt actor { id } } pageInfo { hasNextPage endCursor } } }`;

async function mine(m: Member, unreadOnly = false) {
  return (await m.client.ok<any>(LIST, { u: unreadOnly })) as { unreadNotificationCount: number; notifications: { nodes: any[] } };
}

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Olga Owner');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Bells" }) { id } }`)).createTeam.id;
  reviewer = await join('REVIEWER', 'Rita Reviewer');
  rater = await join('RATER', 'Ravi Rater');
  outsider = await api.signUp('Oscar Outsider');
  await outsider.client.ok(`mutation { createTeam(input: { name: "Elsewhere" }) { id } }`);
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes'));
  const video = await db.video.create({
    data: { teamId, uploadedById: owner.userId, title: 'kick.mp4', filename: 'kick.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY' },
  });
  const model = await db.model.create({
    data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'f'.repeat(64) },
  });
  videoId = video.id;
  modelId = model.id;
  const e = await db.explanation.create({
    data: { teamId, videoId, modelId, requestedById: owner.userId, method: 'fep', params: {}, status: 'DONE', saliencyShape: [16, 14, 14] },
  });
  explanationId = e.id;
});
afterAll(async () => {
  await api?.close();
});

describe('who is notified', () => {
  it('a mention notifies the mentioned member; a non-member, or a member who cannot open the explanation, is dropped', async () => {
    const before = await mine(outsider);
    const raterBefore = await api.runtime.db.notification.count({ where: { userId: rater.userId } });
    const { addComment } = await owner.client.ok<any>(ADD_COMMENT, {
      i: { explanationId, body: '@Rita the mask sits on the ball, @Oscar?', mentions: [reviewer.userId, outsider.userId, 'no-such-user', rater.userId] },
    });
    // A RATER has no explanation.read: the link would lead nowhere, so the mention is dropped.
    expect(await api.runtime.db.notification.count({ where: { userId: rater.userId } })).toBe(raterBefore);
    // Only the team member is kept; the author learns nothing about the other ids.
    expect(addComment.mentions).toEqual([{ id: reviewer.userId }]);
    const row = await api.runtime.db.comment.findUniqueOrThrow({ where: { id: addComment.id } });
    expect(row.mentions).toEqual([reviewer.userId]);

    const r = await mine(reviewer);
    expect(r.unreadNotificationCount).toBe(1);
    expect(r.notifications.nodes[0]).toMatchObject({
      teamId,
      kind: 'MENTION',
      message: 'Olga Owner mentioned you in a comment on the F-EP explanation of “kick.mp4”',
      excerpt: '@Rita the mask sits on the ball, @Oscar?',
      href: `/explanations/${explanationId}#comment-${addComment.id}`,
      subjectType: 'Comment',
      subjectId: addComment.id,
      readAt: null,
      actor: { id: owner.userId },
    });
    expect(await mine(outsider)).toEqual(before);
    // The author is not notified of their own comment.
    expect((await mine(owner)).notifications.nodes.filter((n) => n.subjectId === addComment.id)).toEqual([]);
  });

  it('a reply notifies the parent comment’s author once (a mention of them does not double it)', async () => {
    const { addComment: root } = await reviewer.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'Is the window right?' } });
    await owner.client.ok(ADD_COMMENT, { i: { explanationId, body: 'Yes.', parentId: root.id } });
    await owner.client.ok(ADD_COMMENT, { i: { explanationId, body: '@Rita see the start too', parentId: root.id, mentions: [reviewer.userId] } });
    const about = (await mine(reviewer)).notifications.nodes.filter((n) => n.href.startsWith(`/explanations/${explanationId}`) && n.excerpt !== '@Rita the mask sits on the ball, @Oscar?');
    expect(about.map((n) => [n.kind, n.excerpt])).toEqual([
      ['MENTION', '@Rita see the start too'],
      ['REPLY', 'Yes.'],
    ]);
    expect(about[1].message).toBe('Olga Owner replied to your comment on the F-EP explanation of “kick.mp4”');
    // Replying to one's own comment notifies nobody.
    const count = (await mine(reviewer)).unreadNotificationCount;
    await reviewer.client.ok(ADD_COMMENT, { i: { explanationId, body: 'Noted.', parentId: root.id } });
    expect((await mine(reviewer)).unreadNotificationCount).toBe(count);
  });

  it('an edit notifies only the people it newly mentions', async () => {
    const { addComment: c } = await owner.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'draft' } });
    const count = (await mine(reviewer)).unreadNotificationCount;
    const edit = `mutation($id: ID!, $i: EditCommentInput!) { editComment(id: $id, input: $i) { id body edited } }`;
    await owner.client.ok(edit, { id: c.id, i: { body: 'draft @Rita', mentions: [reviewer.userId, outsider.userId] } });
    await owner.client.ok(edit, { id: c.id, i: { body: 'draft, @Rita', mentions: [reviewer.userId] } });
    expect((await mine(reviewer)).unreadNotificationCount).toBe(count + 1);
  });

  it('the engine finishing or failing an explanation notifies its requester, in the lifecycle transaction', async () => {
    const db = api.runtime.db;
    const make = () =>
      createExplanation(db, { teamId, videoId, modelId, requestedById: reviewer.userId, method: 'fep', params: {} }, { actorId: reviewer.userId, action: 'explanation.requested', payload: {} });
    const done = await make();
    await claim(db, done.id);
    expect((await complete(db, done.id, { saliencySha256: 'a'.repeat(64) } as never, {})).changed).toBe(true);
    const failed = await make();
    await claim(db, failed.id);
    await fail(db, failed.id, 'The video could not be decoded.');
    // A refused transition (already DONE) writes no second notification.
    expect((await complete(db, done.id, { saliencySha256: 'a'.repeat(64) } as never, {})).changed).toBe(false);
    const rows = await db.notification.findMany({ where: { subjectId: { in: [done.id, failed.id] } }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.subjectId, r.kind, r.userId, r.actorId])).toEqual([
      [done.id, 'EXPLANATION_DONE', reviewer.userId, null],
      [failed.id, 'EXPLANATION_FAILED', reviewer.userId, null],
    ]);
    const listed = (await mine(reviewer)).notifications.nodes;
    expect(listed.find((n) => n.subjectId === done.id)).toMatchObject({ message: 'Your F-EP explanation of “kick.mp4” is done', href: `/explanations/${done.id}`, actor: null });
    expect(listed.find((n) => n.subjectId === failed.id)).toMatchObject({ message: 'Your F-EP explanation of “kick.mp4” failed', href: `/videos/${videoId}?team=${teamId}` });
  });
});

describe('privacy', () => {
  it('nobody else can read or mark a notification, and ids of others’ are ignored', async () => {
    const theirs = (await mine(reviewer, true)).notifications.nodes[0];
    expect(theirs).toBeTruthy();
    expect(await owner.client.ok<any>(`mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`, { ids: [theirs.id] })).toEqual({ markNotificationsRead: 0 });
    expect(await outsider.client.ok<any>(`mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`, { ids: [theirs.id] })).toEqual({ markNotificationsRead: 0 });
    expect((await mine(owner)).notifications.nodes.map((n) => n.id)).not.toContain(theirs.id);
    expect((await api.runtime.db.notification.findUniqueOrThrow({ where: { id: theirs.id } })).readAt).toBeNull();
    const anon = await api.client().gql(LIST);
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('marks one read, then all; the count follows', async () => {
    const unread = (await mine(reviewer, true)).notifications.nodes;
    expect(unread.length).toBeGreaterThan(1);
    expect(await reviewer.client.ok<any>(`mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }`, { ids: [unread[0].id] })).toEqual({ markNotificationsRead: 1 });
    expect((await mine(reviewer)).unreadNotificationCount).toBe(unread.length - 1);
    expect((await mine(reviewer, true)).notifications.nodes.map((n) => n.id)).not.toContain(unread[0].id);
    expect(await reviewer.client.ok<any>(`mutation { markNotificationsRead(all: true) }`)).toEqual({ markNotificationsRead: unread.length - 1 });
    expect((await mine(reviewer)).unreadNotificationCount).toBe(0);
    const none = await reviewer.client.gql(`mutation { markNotificationsRead }`);
    expect(none.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a removed member no longer sees that team’s notifications', async () => {
    const temp = await join('REVIEWER', 'Tess Temp');
    await owner.client.ok(ADD_COMMENT, { i: { explanationId, body: '@Tess look', mentions: [temp.userId] } });
    expect((await mine(temp)).unreadNotificationCount).toBe(1);
    await owner.client.ok(`mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }`, { t: teamId, u: temp.userId });
    expect(await mine(temp)).toMatchObject({ unreadNotificationCount: 0, notifications: { nodes: [] } });
  });
});

describe('studies', () => {
  it('opening a study notifies each rater it assigns', async () => {
    const s = await owner.client.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
      i: { teamId, name: 'Plausibility', design: 'LIKERT', explanationIds: [explanationId], raterIds: [rater.userId], overlap: 1, seed: 1 },
    });
    await owner.client.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: s.createStudy.id });
    const r = await mine(rater);
    expect(r.notifications.nodes[0]).toMatchObject({
      kind: 'STUDY_ASSIGNED',
      message: 'Olga Owner made you a rater of the study “Plausibility”',
      href: `/studies/${s.createStudy.id}/rate`,
    });
  });
});

describe('live bell', () => {
  it('notificationsChanged delivers the new unread count and the notification to its recipient only', async () => {
    const open = (m: Member) => {
      const got: any[] = [];
      const waiters: ((e: any) => void)[] = [];
      const client: Client = createClient({
        url: api.url.replace('http', 'ws') + '/api/graphql',
        webSocketImpl: class extends WebSocket {
          constructor(u: string, protocols?: string | string[]) {
            super(u, protocols, { headers: { cookie: m.client.cookie! } });
          }
        },
      });
      client.subscribe(
        { query: `subscription { notificationsChanged { unreadCount notification { kind excerpt } } }` },
        { next: (msg) => { const e = (msg.data as any)?.notificationsChanged; if (e) { got.push(e); waiters.splice(0).forEach((w) => w(e)); } }, error: () => {}, complete: () => {} },
      );
      return {
        got,
        next: () => new Promise<any>((resolve) => waiters.push(resolve)),
        /** The first event (the current count) comes once the subscription is live. */
        first: new Promise<any>((resolve) => waiters.push(resolve)),
        dispose: () => client.dispose(),
      };
    };
    const bell = open(reviewer);
    const other = open(outsider);
    try {
      const base = (await mine(reviewer)).unreadNotificationCount;
      expect(await bell.first).toEqual({ unreadCount: base, notification: null });
      await other.first;
      const seenByOther = other.got.length;
      const next = bell.next();
      await owner.client.ok(ADD_COMMENT, { i: { explanationId, body: '@Rita live one', mentions: [reviewer.userId] } });
      expect(await next).toEqual({ unreadCount: base + 1, notification: { kind: 'MENTION', excerpt: '@Rita live one' } });
      const read = bell.next();
      await reviewer.client.ok(`mutation { markNotificationsRead(all: true) }`);
      expect(await read).toEqual({ unreadCount: 0, notification: null });
      expect(other.got.length).toBe(seenByOther);
    } finally {
      await bell.dispose();
      await other.dispose();
    }
  });
});
