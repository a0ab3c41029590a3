/**
 * Review-session decisions in the audit report: a live session's decisions come from the
 * ReviewDecision table, an ended session's from its saved summary — the same way the
 * `reviewSession { decisions }` query reads them — and the bundle still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { verifyBundle, type BundleManifest } from './report-render.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let teamId: string;
let modelId: string;
let explanationIds: string[];

const DECISIONS = `decisions { explanationId verdict note decidedBy { userId name isHost } decidedAt }`;

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Reporter');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Reported" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video'));
  const video = await db.video.create({
    data: { teamId, uploadedById: owner.userId, title: 'v', filename: 'v.mp4', sha256: stored.sha256, sizeBytes: 5n, status: 'READY' },
  });
  const model = await db.model.create({
    data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'e'.repeat(64) },
  });
  modelId = model.id;
  explanationIds = [];
  for (const method of ['fep', 'ep']) {
    const e = await db.explanation.create({
      data: { teamId, videoId: video.id, modelId, requestedById: owner.userId, method, params: {}, status: 'DONE', provenance: { seed: 1 } },
    });
    explanationIds.push(e.id);
  }
});

afterAll(async () => {
  await api?.close();
});

/** Generates a report through the API and returns report.json, after checking the bundle against its manifest. */
async function report(): Promise<any> {
  const { generateAuditReport: r } = await owner.client.ok<any>(
    `mutation($t: ID!, $m: ID!) { generateAuditReport(teamId: $t, modelId: $m) { id files { name sha256 } } }`,
    { t: teamId, m: modelId },
  );
  const files: Record<string, Buffer> = {};
  for (const f of r.files) files[f.name] = await api.runtime.storage.read(f.sha256);
  const { 'manifest.json': manifest, ...rest } = files;
  expect(verifyBundle(JSON.parse(manifest!.toString()) as BundleManifest, rest)).toEqual({ ok: true, problems: [] });
  return { json: JSON.parse(files['report.json']!.toString()), html: files['report.html']!.toString() };
}

describe('audit report: review-session decisions', () => {
  it('shows a live session’s decisions (from the table), and the same ones once it has ended (from the summary)', async () => {
    const [e1, e2] = explanationIds as [string, string];
    const started = await owner.client.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId, title: 'Friday review', explanationIds },
    });
    const id = started.startReviewSession.id;
    const decide = (explanationId: string, verdict: string, note?: string) =>
      owner.client.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
        id,
        i: { explanationId, verdict, note },
      });
    await decide(e1, 'REJECT', 'first look');
    await decide(e2, 'NEEDS_WORK');
    await decide(e1, 'ACCEPT', 'holds up on a second look'); // the latest per explanation counts

    const live = await report();
    const liveSession = live.json.reviewSessions.find((r: any) => r.id === id);
    expect(liveSession).toMatchObject({ title: 'Friday review', endedAt: null });
    expect(liveSession.decisions.map((d: any) => [d.explanationId, d.verdict, d.note])).toEqual([
      [e1, 'ACCEPT', 'holds up on a second look'],
      [e2, 'NEEDS_WORK', null],
    ]);
    expect(liveSession.decisions[0].decidedBy).toEqual({ userId: owner.userId, name: 'Reporter', isHost: true });
    // Exactly what the API answers for the live session.
    const query = await owner.client.ok<any>(`query($id: ID!) { reviewSession(id: $id) { ${DECISIONS} } }`, { id });
    expect(liveSession.decisions).toEqual(query.reviewSession.decisions);
    expect(live.html).toContain('holds up on a second look');
    expect(live.html).not.toContain('&quot;first look&quot;');
    // Decisions read as sentences and people by name, never as JSON or user ids.
    expect(live.html).toContain('<strong>Accepted</strong> — explanation');
    expect(live.html).toContain('by Reporter (host)');
    expect(live.html).not.toContain('&quot;verdict&quot;');
    expect(live.json.auditLog.events.filter((e: any) => e.actorId === owner.userId).every((e: any) => e.actorName === 'Reporter')).toBe(true);
    expect(live.html).not.toContain(`<code>${owner.userId}</code>`);

    await owner.client.ok(`mutation($id: ID!) { endReviewSession(id: $id) { status } }`, { id });
    const ended = await report();
    const endedSession = ended.json.reviewSessions.find((r: any) => r.id === id);
    expect(endedSession.endedAt).not.toBeNull();
    const row = await api.runtime.db.reviewSession.findUniqueOrThrow({ where: { id } });
    expect(endedSession.decisions).toEqual((row.summary as any).decisions);
    expect(endedSession.decisions).toEqual(liveSession.decisions);
  });

  it('an ended session reads its saved summary (sessions ended before the tables existed have no rows)', async () => {
    const [e1] = explanationIds as [string];
    const decisions = [
      { explanationId: e1, verdict: 'REJECT', note: 'from the summary', decidedBy: { userId: owner.userId, name: 'Reporter', isHost: true }, decidedAt: '2026-01-01T10:00:00.000Z' },
    ];
    const s = await api.runtime.db.reviewSession.create({
      data: {
        teamId,
        hostId: owner.userId,
        title: 'Before the upgrade',
        explanationIds: [e1],
        status: 'ENDED',
        startedAt: new Date('2026-01-01T09:00:00Z'),
        endedAt: new Date('2026-01-01T11:00:00Z'),
        summary: { title: 'Before the upgrade', hostId: owner.userId, explanationIds: [e1], attendees: [], decisions, comments: [] },
      },
    });
    const { json } = await report();
    expect(json.reviewSessions.find((r: any) => r.id === s.id).decisions).toEqual(decisions);
  });
});

describe('audit report: reproductions', () => {
  it('lists each reproduction with its agreement and who asked for it', async () => {
    const [e1] = explanationIds as [string];
    const db = api.runtime.db;
    const original = await db.explanation.findUniqueOrThrow({ where: { id: e1 } });
    const comparison = { originalId: e1, identical: true, pearson: 1, maxAbsDiff: 0, topAreaIoU: 1, area: 0.1, voxels: 8, sameBackend: true, original: { backend: 'wasm', device: 'cpu' }, reproduction: { backend: 'wasm', device: 'cpu' } };
    const repro = await db.explanation.create({
      data: {
        teamId, videoId: original.videoId, modelId, requestedById: owner.userId, method: 'fep', params: {}, status: 'DONE', provenance: { seed: 1 }, reproducesId: e1, comparison,
      },
    });
    const { json, html } = await report();
    expect(json.reproductions).toEqual([{ id: repro.id, originalId: e1, status: 'DONE', requestedBy: 'Reporter', comparison }]);
    expect(json.provenance.find((p: any) => p.id === repro.id)).toMatchObject({ reproducesId: e1, requestedBy: 'Reporter' });
    expect(html).toContain(`<td><code>${repro.id}</code></td><td><code>${e1}</code> (fep)</td><td>Reporter</td><td>DONE</td><td><span class="ok">yes</span></td><td>1.0000</td><td>0.0000</td><td>1.000 (a = 0.10)</td><td>yes</td><td>wasm on cpu → wasm on cpu</td>`);
  });
});
