/**
 * renameVideo and deleteVideo through the real API: who may call them (the permission matrix's
 * video.write; another team's id is NOT_FOUND), their audit events, and the delete rules — refused
 * with CONFLICT while a study, a review session or an audit report uses the video's explanations;
 * otherwise the video and its explanations leave the lists in one transaction, running ones
 * cancelled through the lifecycle, rows, hashes and blobs kept.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancelKey } from '@fep/shared';
import { runRetention } from '../governance/retention.service.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let rater: { client: TestClient; userId: string };
let auditor: { client: TestClient; userId: string };
let reviewer: { client: TestClient; userId: string };
let stranger: { client: TestClient; userId: string };
let teamId: string;
let modelId: string;
let sha: string;

const RENAME = `mutation($id: ID!, $t: String!) { renameVideo(id: $id, title: $t) { id title } }`;
const DELETE = `mutation($id: ID!) { deleteVideo(id: $id) { id deletedAt } }`;

async function newVideo(title: string, createdAt = new Date()) {
  return api.runtime.db.video.create({
    data: { teamId, uploadedById: owner.userId, title, filename: `${title}.mp4`, sha256: sha, sizeBytes: 4n, status: 'READY', createdAt },
  });
}
async function newExplanation(videoId: string, status: 'QUEUED' | 'RUNNING' | 'DONE' = 'DONE', createdAt = new Date()) {
  return api.runtime.db.explanation.create({ data: { teamId, videoId, modelId, method: 'fep', params: {}, status, requestedById: owner.userId, createdAt } });
}
const code = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Owner');
  rater = await api.signUp('Rater');
  auditor = await api.signUp('Auditor');
  reviewer = await api.signUp('Reviewer');
  stranger = await api.signUp('Stranger');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Library" }) { id } }`)).createTeam.id;
  await stranger.client.ok(`mutation { createTeam(input: { name: "Elsewhere" }) { id } }`);
  const db = api.runtime.db;
  for (const [u, role] of [[rater, 'RATER'], [auditor, 'AUDITOR'], [reviewer, 'REVIEWER']] as const) {
    await db.membership.create({ data: { teamId, userId: u.userId, role } });
  }
  modelId = (await db.model.create({ data: { teamId, name: 'lib-net', version: '1', format: 'layers-model', manifest: {}, labels: ['a'], weightsSha256: 'f'.repeat(64) } })).id;
  sha = (await api.runtime.storage.putBuffer(Buffer.from('shared video bytes'))).sha256;
});
afterAll(async () => {
  await api?.close();
});

describe('renameVideo', () => {
  it('renames, trims, and audits the old and new title', async () => {
    const v = await newVideo('old name');
    const data = await reviewer.client.ok<any>(RENAME, { id: v.id, t: '  New name  ' });
    expect(data.renameVideo).toEqual({ id: v.id, title: 'New name' });
    const ev = await api.runtime.db.auditEvent.findFirst({ where: { subjectId: v.id, action: 'video.renamed' } });
    expect(ev).toMatchObject({ actorId: reviewer.userId, payload: { from: 'old name', to: 'New name' } });
  });

  it('refuses an empty, over-long or control-character title with BAD_USER_INPUT on title', async () => {
    const v = await newVideo('keep');
    for (const t of ['   ', 'x'.repeat(201), 'bad\u0007name']) {
      const res = await owner.client.gql(RENAME, { id: v.id, t });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.fields).toHaveProperty('title');
    }
    expect((await api.runtime.db.video.findUniqueOrThrow({ where: { id: v.id } })).title).toBe('keep');
  });

  it('RATER and AUDITOR are FORBIDDEN, another team is NOT_FOUND, nothing changes', async () => {
    const v = await newVideo('guarded');
    expect(code(await rater.client.gql(RENAME, { id: v.id, t: 'x' }))).toBe('FORBIDDEN');
    expect(code(await auditor.client.gql(RENAME, { id: v.id, t: 'x' }))).toBe('FORBIDDEN');
    expect(code(await stranger.client.gql(RENAME, { id: v.id, t: 'x' }))).toBe('NOT_FOUND');
    expect((await api.runtime.db.video.findUniqueOrThrow({ where: { id: v.id } })).title).toBe('guarded');
    expect(await api.runtime.db.auditEvent.count({ where: { subjectId: v.id, action: 'video.renamed' } })).toBe(0);
  });
});

describe('deleteVideo', () => {
  beforeEach(async () => {
    // Each case starts without reports: a report covers every explanation of its model.
    await api.runtime.db.auditReport.deleteMany({ where: { teamId } });
  });

  it('RATER and AUDITOR are FORBIDDEN, another team is NOT_FOUND, nothing changes', async () => {
    const v = await newVideo('protected');
    expect(code(await rater.client.gql(DELETE, { id: v.id }))).toBe('FORBIDDEN');
    expect(code(await auditor.client.gql(DELETE, { id: v.id }))).toBe('FORBIDDEN');
    expect(code(await stranger.client.gql(DELETE, { id: v.id }))).toBe('NOT_FOUND');
    expect((await api.runtime.db.video.findUniqueOrThrow({ where: { id: v.id } })).deletedAt).toBeNull();
  });

  it('deletes the video and its explanations, cancels running ones through the lifecycle, keeps rows and blobs', async () => {
    const v = await newVideo('to delete', new Date(Date.now() - 10 * 86_400_000));
    const twin = await newVideo('same file, other row');
    const done = await newExplanation(v.id, 'DONE');
    const queued = await newExplanation(v.id, 'QUEUED');
    const running = await newExplanation(v.id, 'RUNNING');
    const data = await owner.client.ok<any>(DELETE, { id: v.id });
    expect(data.deleteVideo.deletedAt).not.toBeNull();
    const db = api.runtime.db;
    const rows = await db.explanation.findMany({ where: { videoId: v.id } });
    expect(rows).toHaveLength(3);
    expect(rows.every((e) => e.deletedAt !== null)).toBe(true);
    expect(Object.fromEntries(rows.map((e) => [e.id, e.status]))).toEqual({ [done.id]: 'DONE', [queued.id]: 'CANCELLED', [running.id]: 'CANCELLED' });
    const cancelled = await db.auditEvent.findMany({ where: { action: 'explanation.cancelled', subjectId: { in: [queued.id, running.id] } } });
    expect(cancelled.map((e) => e.actorId)).toEqual([owner.userId, owner.userId]);
    const ev = await db.auditEvent.findFirstOrThrow({ where: { subjectId: v.id, action: 'video.deleted' } });
    expect(ev.payload).toMatchObject({ sha256: sha, explanations: expect.arrayContaining([done.id, queued.id, running.id]) });
    // The engine is told (the cancel flag), as cancelExplanation does.
    expect(await api.runtime.redis.get(cancelKey(running.id))).toBe('1');

    // Gone from the lists, still readable by id (evidence), the file untouched.
    const list = await owner.client.ok<any>(`query($t: ID!) { videos(teamId: $t, first: 100) { nodes { id } } explanations(teamId: $t, first: 100) { nodes { id } } }`, { t: teamId });
    expect(list.videos.nodes.map((n: any) => n.id)).not.toContain(v.id);
    expect(list.videos.nodes.map((n: any) => n.id)).toContain(twin.id);
    expect(list.explanations.nodes.map((n: any) => n.id)).not.toContain(done.id);
    expect((await owner.client.ok<any>(`query($id: ID!) { video(id: $id) { deletedAt } }`, { id: v.id })).video.deletedAt).not.toBeNull();
    expect(await api.runtime.storage.has(sha)).toBe(true);

    // Retention expires the deleted (old) row's file but keeps the content-addressed blob the twin still uses.
    const kept = await runRetention(db, api.runtime.storage, { videoDays: 5, saliencyDays: null });
    expect(kept.videosExpired).toBeGreaterThanOrEqual(1);
    expect(kept.videoBlobsDeleted).toBe(0);
    expect(await api.runtime.storage.has(sha)).toBe(true);
    expect((await db.video.findUniqueOrThrow({ where: { id: v.id } })).blobDeletedAt).not.toBeNull();

    expect(code(await owner.client.gql(DELETE, { id: v.id }))).toBe('CONFLICT');

    // A deleted video's explanations cannot become evidence afterwards.
    const review = await owner.client.gql(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, { i: { teamId, title: 'Late review', explanationIds: [done.id] } });
    expect(code(review)).toBe('BAD_USER_INPUT');
    const study = await owner.client.gql(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, { i: { teamId, name: 'Late study', design: 'LIKERT', overlap: 1, raterIds: [rater.userId], explanationIds: [done.id] } });
    expect(code(study)).toBe('BAD_USER_INPUT');
    expect(study.errors?.[0]?.extensions?.fields).toEqual({ 'explanationIds.0': expect.stringMatching(/deleted/) });
  });

  it('refuses with CONFLICT while a study uses the video or its explanations', async () => {
    const db = api.runtime.db;
    const v = await newVideo('in a study');
    const e = await newExplanation(v.id);
    const study = await db.study.create({ data: { teamId, createdById: owner.userId, name: 'Plausibility', design: 'LIKERT', config: {}, seed: 1 } });
    await db.studyItem.create({ data: { studyId: study.id, position: 0, explanationIds: [e.id] } });
    const res = await owner.client.gql(DELETE, { id: v.id });
    expect(code(res)).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/study “Plausibility”/);
    expect((await db.video.findUniqueOrThrow({ where: { id: v.id } })).deletedAt).toBeNull();
    expect((await db.explanation.findUniqueOrThrow({ where: { id: e.id } })).deletedAt).toBeNull();
    expect(await db.auditEvent.count({ where: { subjectId: v.id, action: 'video.deleted' } })).toBe(0);

    // An item that shows the video itself counts too.
    const v2 = await newVideo('study video');
    await db.studyItem.create({ data: { studyId: study.id, position: 1, videoId: v2.id, explanationIds: [] } });
    expect(code(await owner.client.gql(DELETE, { id: v2.id }))).toBe('CONFLICT');
  });

  it('refuses with CONFLICT while a review session uses its explanations, even an ended one', async () => {
    const db = api.runtime.db;
    const v = await newVideo('reviewed');
    const e = await newExplanation(v.id);
    await db.reviewSession.create({ data: { teamId, hostId: owner.userId, title: 'Friday review', explanationIds: [e.id], status: 'ENDED' } });
    const res = await owner.client.gql(DELETE, { id: v.id });
    expect(code(res)).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/review session “Friday review”/);
    expect((await db.video.findUniqueOrThrow({ where: { id: v.id } })).deletedAt).toBeNull();
  });

  it('refuses with CONFLICT while an audit report covers its explanations; a later explanation is not covered', async () => {
    const db = api.runtime.db;
    const v = await newVideo('audited');
    await newExplanation(v.id, 'DONE', new Date(Date.now() - 60_000));
    await db.auditReport.create({ data: { teamId, modelId, createdById: owner.userId, title: 'Audit report — lib-net 1', manifest: {}, manifestSha256: 'a'.repeat(64) } });
    const res = await owner.client.gql(DELETE, { id: v.id });
    expect(code(res)).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/audit report “Audit report — lib-net 1”/);

    // Explanations made after the report are not in it: that video may go.
    const later = await newVideo('after the report');
    await newExplanation(later.id, 'DONE', new Date(Date.now() + 60_000));
    expect((await owner.client.ok<any>(DELETE, { id: later.id })).deleteVideo.deletedAt).not.toBeNull();
  });
});
