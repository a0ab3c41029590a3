import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/**
 * Degenerate designs through the real API: one video, one rater, all ties, one method unrated,
 * every judgement identical, pairwise with one option always chosen, rankings of one video. Every
 * statistic answers with a value or a typed "not enough data (n = …)" reason, never INTERNAL.
 */
let api: TestApi;
let owner: TestClient;
let teamId: string;
let modelId: string;
const videos: string[] = [];
const raters: { client: TestClient; userId: string }[] = [];

const NEXT = `query($s: ID!) { nextStudyItem(studyId: $s) { ref options { alias } } }`;
const SUBMIT = `mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { judged } }`;
const RESULTS = `query($id: ID!) { study(id: $id) { results { judgements fleissKappa fleissKappaReason notes cautions
  methods { method n estimate lower upper reason }
  alpha { level method alpha pairableValues reason }
  bradleyTerry { method strength logStrength lower upper separation }
  bradleyTerryFit { method priorSd mleExists comparisons separatedResamples B caution }
  pairedTests { methodA methodB pairs pValue reason } }
  export { bundle } } }`;

async function markAllDone() {
  const npy = await api.runtime.storage.putBuffer(Buffer.from('fake npy saliency'));
  await api.runtime.db.explanation.updateMany({
    where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'DONE', progress: 1, saliencySha256: npy.sha256, saliencyShape: [4, 8, 8], finishedAt: new Date() },
  });
}

async function openStudy(input: Record<string, unknown>, who = raters) {
  const { createStudy } = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: { teamId, modelId, raterIds: who.map((r) => r.userId), videoIds: [videos[0]], methods: ['gradcam', 'occlusion'], overlap: who.length, seed: 11, ...input },
  });
  await markAllDone();
  await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: createStudy.id });
  return createStudy.id as string;
}

async function judgeAll(studyId: string, judge: (options: { alias: string }[], rater: number, seen: number) => Record<string, unknown>, who = raters) {
  for (const [r, { client }] of who.entries()) {
    for (let seen = 0; ; seen++) {
      const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: studyId });
      if (!item) break;
      await client.ok(SUBMIT, { i: { studyId, ref: item.ref, timeOnItemMs: 400, ...judge(item.options, r, seen) } });
    }
  }
}

async function results(studyId: string) {
  const { study } = await owner.ok<any>(RESULTS, { id: studyId });
  // The export carries the same statistics, reasons and cautions.
  expect(study.export.bundle.results.cautions).toEqual(study.results.cautions);
  return study.results;
}

beforeAll(async () => {
  api = await startTestApi();
  const o = await api.signUp('Owner');
  owner = o.client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Degenerate team" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  for (let i = 0; i < 2; i++) {
    const r = await api.signUp(`Rater${i}`);
    await db.membership.create({ data: { teamId, userId: r.userId, role: 'RATER' } });
    raters.push({ client: r.client, userId: r.userId });
  }
  for (const [title, status] of [['clip 1', 'READY'], ['clip 2', 'READY'], ['broken clip', 'FAILED']] as const) {
    const stored = await api.runtime.storage.putBuffer(Buffer.from(`video ${title}`));
    videos.push(
      (
        await db.video.create({
          data: { teamId, uploadedById: o.userId, title, filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status, fps: 25, frameCount: 16 },
        })
      ).id,
    );
  }
  modelId = (
    await db.model.create({ data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'f'.repeat(64) } })
  ).id;
});

afterAll(async () => {
  await api?.close();
});

describe('statistics on degenerate designs', () => {
  it('one rater, one video (Likert): α, κ and intervals say "not enough data" with n', async () => {
    const id = await openStudy({ name: 'One rater', design: 'LIKERT' }, [raters[0]!]);
    await judgeAll(id, (_o, _r, seen) => ({ rating: seen === 0 ? 4 : 2 }), [raters[0]!]);
    const r = await results(id);
    expect(r.judgements).toBe(2);
    for (const m of r.methods) {
      expect(m.estimate).not.toBeNull();
      expect(m.lower).toBeNull();
      expect(m.reason).toBe('not enough data: needs ≥ 2 judged items for an interval (n = 1 item)');
    }
    expect(r.alpha.length).toBeGreaterThan(0);
    for (const a of r.alpha) {
      expect(a.alpha).toBeNull();
      expect(a.reason).toBe('not enough data: needs an item rated by ≥ 2 raters (n = 0 pairable values)');
    }
    expect(r.fleissKappa).toBeNull();
    expect(r.fleissKappaReason).toMatch(/^not enough data: needs items rated exactly overlap = 1 ≥ 2 times \(n = 0/);
    expect(r.pairedTests[0].reason).toBe('needs ≥ 2 paired videos (n = 1)');
    expect(r.cautions[0]).toMatch(/^Small sample: 2 judged items/);
  });

  it('every judgement identical (Likert, two raters, two videos): α and κ undefined for lack of variation', async () => {
    const id = await openStudy({ name: 'All threes', design: 'LIKERT', videoIds: [videos[0], videos[1]] });
    await judgeAll(id, () => ({ rating: 3 }));
    const r = await results(id);
    expect(r.judgements).toBe(8);
    for (const m of r.methods) expect(m).toMatchObject({ estimate: 3, lower: 3, upper: 3, reason: null });
    for (const a of r.alpha) expect(a).toMatchObject({ alpha: null, pairableValues: a.method ? 4 : 8, reason: expect.stringMatching(/^not defined: no variation .*\(n = \d pairable values\)$/) });
    expect(r.fleissKappa).toBeNull();
    expect(r.fleissKappaReason).toBe('not defined: every rating falls in one category (n = 4 items)');
    // Two videos, zero differences: the test runs (p = 1) rather than dividing by zero.
    expect(r.pairedTests[0]).toMatchObject({ pairs: 2, pValue: 1, reason: null });
  });

  it('all ties (pairwise with "can\'t tell"): strengths equal, agreement undefined, nothing throws', async () => {
    const id = await openStudy({ name: 'All ties', design: 'PAIRWISE', allowTie: true });
    await judgeAll(id, () => ({ choice: 'TIE' }));
    const r = await results(id);
    expect(r.methods.map((m: any) => m.estimate)).toEqual([0.5, 0.5]);
    expect(r.bradleyTerryFit).toMatchObject({ method: 'maximum likelihood', mleExists: true, separatedResamples: 0, caution: null });
    for (const b of r.bradleyTerry) expect(b).toMatchObject({ strength: 0.5, separation: null });
    expect(r.alpha[0]).toMatchObject({ alpha: null, reason: expect.stringMatching(/no variation/) });
    expect(r.fleissKappaReason).toMatch(/one category/);
  });

  it('pairwise, one option always chosen: separation detected, prior fit named, intervals bounded, caution in UI data and export', async () => {
    const id = await openStudy({ name: 'Always gradcam', design: 'PAIRWISE', videoIds: [videos[0], videos[1]] });
    const { study } = await owner.ok<any>(`query($id: ID!) { study(id: $id) { items { nodes { id explanations { id method } } } } }`, { id });
    const gradcamIds = new Set(study.items.nodes.flatMap((i: any) => i.explanations.filter((e: any) => e.method === 'gradcam').map((e: any) => e.id)));
    const db = api.runtime.db;
    // Find which alias is gradcam through the rater's plan (blinded: aliases are opaque).
    for (const { client, userId } of raters) {
      const a = await db.studyAssignment.findUniqueOrThrow({ where: { studyId_raterId: { studyId: id, raterId: userId } } });
      for (;;) {
        const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: id });
        if (!item) break;
        const entry = (a.plan as any).entries.find((e: any) => e.ref === item.ref);
        const it = await db.studyItem.findUniqueOrThrow({ where: { id: entry.itemId } });
        const shown = entry.placement.map((p: number) => it.explanationIds[p]);
        const slot = shown.findIndex((e: string) => gradcamIds.has(e));
        await client.ok(SUBMIT, { i: { studyId: id, ref: item.ref, choice: item.options[slot].alias, timeOnItemMs: 400 } });
      }
    }
    const r = await results(id);
    expect(r.methods.find((m: any) => m.method === 'gradcam').estimate).toBe(1);
    expect(r.bradleyTerryFit).toMatchObject({ method: 'posterior mode, Gaussian prior on log-strengths', priorSd: 2.5, mleExists: false, comparisons: 4 });
    expect(r.bradleyTerry.find((b: any) => b.method === 'gradcam').separation).toBe('wins-all');
    expect(r.bradleyTerry.find((b: any) => b.method === 'occlusion').separation).toBe('loses-all');
    for (const b of r.bradleyTerry) {
      expect(Number.isFinite(b.logStrength)).toBe(true);
      expect(Math.abs(b.lower)).toBeLessThan(10);
      expect(Math.abs(b.upper)).toBeLessThan(10);
    }
    expect(r.cautions.join(' ')).toMatch(/gradcam won all its comparisons, occlusion lost all its comparisons.*N\(0, 2\.5²\)/);
    expect(r.notes.join(' ')).toMatch(/posterior mode/);
  });

  it('one method unrated (manual assignment): its estimate is null with n = 0; tests say why', async () => {
    const { createStudy } = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
      i: { teamId, modelId, name: 'Unrated', design: 'LIKERT', raterIds: raters.map((r) => r.userId), videoIds: [videos[0], videos[1]], methods: ['gradcam', 'occlusion', 'gradient'], overlap: 2, seed: 5 },
    });
    const id = createStudy.id as string;
    const db = api.runtime.db;
    const items = await db.studyItem.findMany({ where: { studyId: id }, orderBy: { position: 'asc' } });
    const methodOf = new Map((await db.explanation.findMany({ where: { id: { in: items.flatMap((i) => i.explanationIds) } } })).map((e) => [e.id, e.method]));
    const rated = items.filter((i) => methodOf.get(i.explanationIds[0]!) !== 'gradient').map((i) => i.id);
    await owner.ok(`mutation($id: ID!, $a: [RaterItemsInput!]!) { setStudyAssignment(id: $id, assignments: $a) { id } }`, {
      id,
      a: raters.map((r) => ({ raterId: r.userId, itemIds: rated })),
    });
    await markAllDone();
    await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id });
    await judgeAll(id, (_o, r, seen) => ({ rating: 1 + ((r + seen) % 5) }));
    const r = await results(id);
    const unrated = r.methods.find((m: any) => m.method === 'gradient');
    expect(unrated).toMatchObject({ n: 0, estimate: null, lower: null, upper: null, reason: 'not enough data: needs a judgement (n = 0 items)' });
    expect(r.alpha.find((a: any) => a.method === 'gradient')).toMatchObject({ alpha: null, pairableValues: 0, reason: expect.stringMatching(/n = 0 pairable values/) });
    const withRise = r.pairedTests.filter((t: any) => t.methodA === 'gradient' || t.methodB === 'gradient');
    expect(withRise).toHaveLength(2);
    for (const t of withRise) expect(t).toMatchObject({ pairs: 0, pValue: null, reason: 'needs ≥ 2 paired videos (n = 0)' });
  });

  it('ranking of one video: mean ranks answer, intervals say n = 1, Bradley–Terry is bounded', async () => {
    const id = await openStudy({ name: 'Rank one', design: 'RANKING', methods: ['gradcam', 'occlusion', 'gradient'], rankK: 3 });
    await judgeAll(id, (o) => ({ ranking: o.map((x) => x.alias) }));
    const r = await results(id);
    expect(r.methods).toHaveLength(3);
    for (const m of r.methods) {
      expect(m.estimate).toBeGreaterThanOrEqual(1);
      expect(m.reason).toBe('not enough data: needs ≥ 2 judged items for an interval (n = 1 item)');
    }
    expect(r.fleissKappaReason).toBe('not defined for rankings');
    for (const b of r.bradleyTerry) expect(Number.isFinite(b.logStrength)).toBe(true);
    expect(r.bradleyTerryFit.comparisons).toBe(6);
  });
});

describe('study builder on the server', () => {
  const create = `mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`;

  it('refuses a FAILED video with BAD_USER_INPUT naming the entry (videos × methods and explanation ids)', async () => {
    const base = { teamId, modelId, name: 'Failed', design: 'LIKERT', raterIds: raters.map((r) => r.userId), methods: ['gradcam'], overlap: 1 };
    const refused = await owner.gql(create, { i: { ...base, videoIds: [videos[0], videos[2]] } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.extensions?.fields).toEqual({ 'videoIds.1': 'Video “broken clip” is failed, not ready; only READY videos can be studied.' });
    // No explanation was requested for the refused study.
    expect(await api.runtime.db.explanation.count({ where: { videoId: videos[2] } })).toBe(0);
    const e = await api.runtime.db.explanation.create({
      data: { teamId, videoId: videos[2]!, modelId, method: 'gradcam', target: 'top1', params: {}, status: 'FAILED', requestedById: (await api.runtime.db.user.findFirstOrThrow({ where: { name: 'Owner' } })).id },
    } as any);
    const ok = (await api.runtime.db.explanation.findFirstOrThrow({ where: { teamId, videoId: videos[0] } })).id;
    const byIds = await owner.gql(create, { i: { teamId, name: 'Failed ids', design: 'LIKERT', raterIds: [raters[0]!.userId], overlap: 1, explanationIds: [ok, e.id] } });
    expect(byIds.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(byIds.errors?.[0]?.extensions?.fields as any)).toEqual(['explanationIds.1']);
  });

  it('deletes a draft (audited), refuses to delete an open study', async () => {
    const { createStudy } = await owner.ok<any>(create, {
      i: { teamId, modelId, name: 'Scratch', design: 'LIKERT', raterIds: [raters[0]!.userId], videoIds: [videos[0]], methods: ['gradcam'], overlap: 1 },
    });
    const del = `mutation($id: ID!) { deleteStudy(id: $id) }`;
    // A rater may not delete it.
    const asRater = await raters[0]!.client.gql(del, { id: createStudy.id });
    expect(asRater.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await owner.ok<any>(del, { id: createStudy.id })).deleteStudy).toBe(createStudy.id);
    expect(await api.runtime.db.study.count({ where: { id: createStudy.id } })).toBe(0);
    expect(await api.runtime.db.studyItem.count({ where: { studyId: createStudy.id } })).toBe(0);
    const audit = await api.runtime.db.auditEvent.findMany({ where: { subjectId: createStudy.id }, orderBy: { seq: 'asc' } } as any);
    expect(audit.map((a: any) => a.action)).toEqual(['study.created', 'study.deleted']);
    const open = await openStudy({ name: 'Opened', design: 'LIKERT' }, [raters[0]!]);
    const refused = await owner.gql(del, { id: open });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
