import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@fep/db';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/**
 * Feedback API end to end over HTTP against real PostgreSQL + Redis: annotations, threaded
 * time-range comments with mentions, one rating per rater (upsert), audit events, and access.
 */
let api: TestApi;
let owner: { client: TestClient; userId: string };
let reviewer: { client: TestClient; userId: string };
let auditor: { client: TestClient; userId: string };
let rater: { client: TestClient; userId: string };
let outsider: { client: TestClient; userId: string };
let teamId: string;
let explanationId: string;

async function join(role: string, name: string) {
  const member = await api.signUp(name);
  const { inviteMember } = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
    i: { teamId, email: member.email, role },
  });
  await member.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inviteMember.token });
  return member;
}

const CREATE_ANNOTATION = `mutation($i: CreateAnnotationInput!) { createAnnotation(input: $i) { id shape geometry frameStart frameEnd label author { id } } }`;
const ADD_COMMENT = `mutation($i: AddCommentInput!) { addComment(input: $i) { id parentId body timeStartSec timeEndSec mentions { id } author { id } } }`;
const RATE = `mutation($i: RateExplanationInput!) { rateExplanation(input: $i) { id plausibility confidence comment rater { id } } }`;
const FEEDBACK = `query($id: ID!) { explanation(id: $id) {
  annotations(first: 100) { nodes { id shape geometry frameStart frameEnd label } }
  comments(first: 20) { nodes { id body timeStartSec timeEndSec mentions { id } replies(first: 20) { nodes { id body parentId } } } }
  ratings(first: 100) { nodes { plausibility confidence comment rater { id } } }
  myRating { plausibility }
} }`;

async function auditActions() {
  const events = await api.runtime.db.auditEvent.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' } });
  return events.map((e) => e.action);
}

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Owner');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Feedback" }) { id } }`)).createTeam.id;
  reviewer = await join('REVIEWER', 'Reviewer');
  auditor = await join('AUDITOR', 'Auditor');
  rater = await join('RATER', 'Rater');
  outsider = await api.signUp('Outsider');
  await outsider.client.ok(`mutation { createTeam(input: { name: "Elsewhere" }) { id } }`);
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes'));
  const video = await db.video.create({
    data: { teamId, uploadedById: owner.userId, title: 'clip', filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY' },
  });
  const model = await db.model.create({
    data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'f'.repeat(64) },
  });
  const explanation = await db.explanation.create({
    data: { teamId, videoId: video.id, modelId: model.id, requestedById: owner.userId, method: 'fep', params: {}, status: 'DONE', saliencyShape: [16, 14, 14] },
  });
  explanationId = explanation.id;
});
afterAll(async () => {
  await api?.close();
});

describe('annotations', () => {
  it('stores a rectangle and a polygon in normalised coordinates on a frame range, audited', async () => {
    const rect = await reviewer.client.ok<any>(CREATE_ANNOTATION, {
      i: { explanationId, shape: 'RECTANGLE', rect: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 }, frameStart: 2, frameEnd: 5, label: 'hand' },
    });
    expect(rect.createAnnotation).toMatchObject({
      shape: 'RECTANGLE',
      geometry: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 },
      frameStart: 2,
      frameEnd: 5,
      label: 'hand',
      author: { id: reviewer.userId },
    });
    const poly = await owner.client.ok<any>(CREATE_ANNOTATION, {
      i: { explanationId, shape: 'POLYGON', points: [[0, 0], [1, 0], [0.5, 1]], frameStart: 0, frameEnd: 15 },
    });
    expect(poly.createAnnotation.geometry).toEqual({ points: [[0, 0], [1, 0], [0.5, 1]] });
    const { explanation } = await auditor.client.ok<any>(FEEDBACK, { id: explanationId });
    expect(explanation.annotations.nodes.map((a: any) => a.shape)).toEqual(['RECTANGLE', 'POLYGON']);
    expect((await auditActions()).filter((a) => a === 'annotation.created')).toHaveLength(2);
  });

  it('refuses shapes outside the frame, inverted or out-of-range frame ranges, and thin polygons', async () => {
    const bad = [
      { shape: 'RECTANGLE', rect: { x: 0.8, y: 0, w: 0.5, h: 0.5 }, frameStart: 0, frameEnd: 1 },
      { shape: 'RECTANGLE', rect: { x: 0, y: 0, w: 0, h: 0.5 }, frameStart: 0, frameEnd: 1 },
      { shape: 'RECTANGLE', frameStart: 0, frameEnd: 1 },
      { shape: 'RECTANGLE', rect: { x: 0, y: 0, w: 0.5, h: 0.5 }, frameStart: 5, frameEnd: 1 },
      { shape: 'RECTANGLE', rect: { x: 0, y: 0, w: 0.5, h: 0.5 }, frameStart: 0, frameEnd: 16 },
      { shape: 'POLYGON', points: [[0, 0], [1, 1]], frameStart: 0, frameEnd: 1 },
      { shape: 'POLYGON', points: [[0, 0], [1, 1], [1.5, 0]], frameStart: 0, frameEnd: 1 },
    ];
    for (const i of bad) {
      const res = await owner.client.gql(CREATE_ANNOTATION, { i: { explanationId, ...i } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(i)).toBe('BAD_USER_INPUT');
    }
  });

  it('only the author or an admin removes an annotation; removal is soft and audited', async () => {
    const { createAnnotation } = await reviewer.client.ok<any>(CREATE_ANNOTATION, {
      i: { explanationId, shape: 'RECTANGLE', rect: { x: 0, y: 0, w: 0.1, h: 0.1 }, frameStart: 0, frameEnd: 0 },
    });
    const other = await join('REVIEWER', 'Second reviewer');
    const refused = await other.client.gql(`mutation($id: ID!) { deleteAnnotation(id: $id) { id } }`, { id: createAnnotation.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await owner.client.ok(`mutation($id: ID!) { deleteAnnotation(id: $id) { id } }`, { id: createAnnotation.id });
    const row = await api.runtime.db.annotation.findUniqueOrThrow({ where: { id: createAnnotation.id } });
    expect(row.deletedAt).not.toBeNull();
    const { explanation } = await owner.client.ok<any>(FEEDBACK, { id: explanationId });
    expect(explanation.annotations.nodes.map((a: any) => a.id)).not.toContain(createAnnotation.id);
    expect(await auditActions()).toContain('annotation.deleted');
  });
});

describe('comments', () => {
  it('threads replies under a time-range comment and resolves mentions of team members', async () => {
    const { addComment: root } = await owner.client.ok<any>(ADD_COMMENT, {
      i: { explanationId, body: 'The mask follows the ball here, @Reviewer?', timeStartSec: 1.5, timeEndSec: 2.25, mentions: [reviewer.userId] },
    });
    expect(root).toMatchObject({ timeStartSec: 1.5, timeEndSec: 2.25, mentions: [{ id: reviewer.userId }], parentId: null });
    const { addComment: reply } = await reviewer.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'Agreed.', parentId: root.id } });
    expect(reply.parentId).toBe(root.id);
    const { explanation } = await owner.client.ok<any>(FEEDBACK, { id: explanationId });
    expect(explanation.comments.nodes).toHaveLength(1);
    expect(explanation.comments.nodes[0].replies.nodes).toEqual([{ id: reply.id, body: 'Agreed.', parentId: root.id }]);
    expect((await auditActions()).filter((a) => a === 'comment.added')).toHaveLength(2);
  });

  it('refuses empty bodies, inverted ranges and foreign parents', async () => {
    const cases = [
      { body: '   ' },
      { body: 'x', timeStartSec: 3, timeEndSec: 1 },
      { body: 'x', timeEndSec: 1 },
      { body: 'x', parentId: 'no-such-comment' },
    ];
    for (const c of cases) {
      const res = await owner.client.gql(ADD_COMMENT, { i: { explanationId, ...c } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(c)).toBe('BAD_USER_INPUT');
    }
  });

  it('drops mentions of non-members without a word: an outsider and an unknown id get the same answer', async () => {
    const outsiderMention = await owner.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'x @Outsider', mentions: [outsider.userId, reviewer.userId] } });
    const unknownMention = await owner.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'x @Nobody', mentions: ['no-such-user', reviewer.userId] } });
    expect(outsiderMention.addComment.mentions).toEqual([{ id: reviewer.userId }]);
    expect(unknownMention.addComment.mentions).toEqual([{ id: reviewer.userId }]);
    expect(await api.runtime.db.notification.count({ where: { userId: outsider.userId } })).toBe(0);
  });
});

describe('editing and resolving comments', () => {
  const EDIT = `mutation($id: ID!, $i: EditCommentInput!) { editComment(id: $id, input: $i) { id body edited editedAt mentions { id } } }`;
  const RESOLVE = `mutation($id: ID!, $r: Boolean!) { resolveComment(id: $id, resolved: $r) { id resolved resolvedAt resolvedBy { id } } }`;

  it('the author edits their own comment: edited flag and time, audited with the previous body; nobody else may', async () => {
    const { addComment: c } = await reviewer.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'Mask on the hand' } });
    const { editComment: e } = await reviewer.client.ok<any>(EDIT, { id: c.id, i: { body: 'Mask on the left hand, @Owner', mentions: [owner.userId] } });
    expect(e).toMatchObject({ id: c.id, body: 'Mask on the left hand, @Owner', edited: true, mentions: [{ id: owner.userId }] });
    expect(new Date(e.editedAt).getTime()).toBeGreaterThan(0);
    const audit = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: c.id, action: 'comment.edited' } });
    expect(audit.payload).toMatchObject({ body: 'Mask on the left hand, @Owner', previousBody: 'Mask on the hand' });
    // Not even an owner edits someone else's words.
    const byOwner = await owner.client.gql(EDIT, { id: c.id, i: { body: 'rewritten' } });
    expect(byOwner.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byAuditor = await auditor.client.gql(EDIT, { id: c.id, i: { body: 'rewritten' } });
    expect(byAuditor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byOutsider = await outsider.client.gql(EDIT, { id: c.id, i: { body: 'rewritten' } });
    expect(byOutsider.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const empty = await reviewer.client.gql(EDIT, { id: c.id, i: { body: '  ' } });
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fresh = await reviewer.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'untouched' } });
    expect((await reviewer.client.ok<any>(`query($id: ID!) { explanation(id: $id) { comments(first: 100) { nodes { id edited editedAt } } } }`, { id: explanationId })).explanation.comments.nodes.find((n: any) => n.id === fresh.addComment.id)).toEqual({ id: fresh.addComment.id, edited: false, editedAt: null });
  });

  it('resolve and reopen: by the author or a role with comment.resolve, audited; auditors and outsiders cannot', async () => {
    const { addComment: c } = await owner.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'Check frame 12' } });
    // A reviewer (comment.resolve) resolves someone else's thread.
    const { resolveComment: r } = await reviewer.client.ok<any>(RESOLVE, { id: c.id, r: true });
    expect(r).toMatchObject({ resolved: true, resolvedBy: { id: reviewer.userId } });
    const { resolveComment: reopened } = await owner.client.ok<any>(RESOLVE, { id: c.id, r: false });
    expect(reopened).toEqual({ id: c.id, resolved: false, resolvedAt: null, resolvedBy: null });
    const actions = (await api.runtime.db.auditEvent.findMany({ where: { subjectId: c.id }, orderBy: { seq: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['comment.added', 'comment.resolved', 'comment.reopened']);
    expect((await auditor.client.gql(RESOLVE, { id: c.id, r: true })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await rater.client.gql(RESOLVE, { id: c.id, r: true })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await outsider.client.gql(RESOLVE, { id: c.id, r: true })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    // A reply is resolved with its thread, not on its own.
    const { addComment: reply } = await reviewer.client.ok<any>(ADD_COMMENT, { i: { explanationId, body: 'Done.', parentId: c.id } });
    expect((await reviewer.client.gql(RESOLVE, { id: reply.id, r: true })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('ratings', () => {
  it('keeps one rating per rater: a second call updates it, and both are audited', async () => {
    const first = await reviewer.client.ok<any>(RATE, { i: { explanationId, plausibility: 6, confidence: 4, comment: 'Looks at the hands.' } });
    const second = await reviewer.client.ok<any>(RATE, { i: { explanationId, plausibility: 3, confidence: 2 } });
    expect(second.rateExplanation.id).toBe(first.rateExplanation.id);
    expect(second.rateExplanation).toMatchObject({ plausibility: 3, confidence: 2, comment: null });
    await owner.client.ok(RATE, { i: { explanationId, plausibility: 7 } });
    const { explanation } = await reviewer.client.ok<any>(FEEDBACK, { id: explanationId });
    expect(explanation.ratings.nodes).toHaveLength(2);
    expect(explanation.myRating).toEqual({ plausibility: 3 });
    const actions = await auditActions();
    expect(actions.filter((a) => a === 'rating.created')).toHaveLength(2);
    expect(actions.filter((a) => a === 'rating.updated')).toHaveLength(1);
    expect((await verifyChain(api.runtime.db, teamId)).ok).toBe(true);
  });

  it('refuses values outside 1–7 and confidence outside 1–5', async () => {
    for (const i of [{ plausibility: 0 }, { plausibility: 8 }, { plausibility: 4, confidence: 6 }, { plausibility: 2.5 }]) {
      const res = await owner.client.gql(RATE, { i: { explanationId, ...i } });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(i)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('access', () => {
  it('auditors read but cannot write; raters (no explanation.read) can do neither', async () => {
    const res = await auditor.client.gql(RATE, { i: { explanationId, plausibility: 5 } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const raterWrite = await rater.client.gql(ADD_COMMENT, { i: { explanationId, body: 'hi' } });
    expect(raterWrite.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const raterRead = await rater.client.gql(FEEDBACK, { id: explanationId });
    expect(raterRead.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(raterRead.data).toBeNull();
  });

  it("another team's user gets NOT_FOUND for every feedback operation and learns nothing", async () => {
    const annotation = await api.runtime.db.annotation.findFirstOrThrow({ where: { explanationId, deletedAt: null } });
    const comment = await api.runtime.db.comment.findFirstOrThrow({ where: { explanationId } });
    const attempts = [
      outsider.client.gql(FEEDBACK, { id: explanationId }),
      outsider.client.gql(CREATE_ANNOTATION, { i: { explanationId, shape: 'RECTANGLE', rect: { x: 0, y: 0, w: 0.1, h: 0.1 }, frameStart: 0, frameEnd: 0 } }),
      outsider.client.gql(ADD_COMMENT, { i: { explanationId, body: 'hi' } }),
      outsider.client.gql(RATE, { i: { explanationId, plausibility: 1 } }),
      outsider.client.gql(`mutation($id: ID!) { deleteAnnotation(id: $id) { id } }`, { id: annotation.id }),
      outsider.client.gql(`mutation($id: ID!) { deleteComment(id: $id) { id } }`, { id: comment.id }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(res.data).toBeNull();
    }
  });
});
