import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/**
 * Degenerate designs that real studies start with: a one-video, two-method pilot. Results and
 * exports must answer (statistics that cannot run say why) instead of failing the whole query.
 */
const METHODS = ['gradcam', 'occlusion'];

let api: TestApi;
let owner: TestClient;
let teamId: string;
let modelId: string;
let videoId: string;
const raters: { client: TestClient; userId: string }[] = [];

const NEXT = `query($s: ID!) { nextStudyItem(studyId: $s) { ref options { alias } } }`;
const SUBMIT = `mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { judged } }`;
const RESULTS = `query($id: ID!) { study(id: $id) { results { judgements fleissKappa notes
  methods { method n estimate }
  pairedTests { methodA methodB pairs n statistic pValue pAdjusted test reason } }
  export { csv csvUrl bundle } } }`;

async function markAllDone() {
  const npy = await api.runtime.storage.putBuffer(Buffer.from('fake npy saliency'));
  await api.runtime.db.explanation.updateMany({
    where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'DONE', progress: 1, saliencySha256: npy.sha256, saliencyShape: [4, 8, 8], finishedAt: new Date() },
  });
}

async function openStudy(input: Record<string, unknown>) {
  const { createStudy } = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: { teamId, modelId, raterIds: raters.map((r) => r.userId), videoIds: [videoId], methods: METHODS, overlap: 2, seed: 7, ...input },
  });
  await markAllDone();
  await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: createStudy.id });
  return createStudy.id as string;
}

/** Every rater judges every item they are given, with the value `judge` picks. */
async function judgeAll(studyId: string, judge: (options: { alias: string }[], rater: number, seen: number) => Record<string, unknown>) {
  for (const [r, { client }] of raters.entries()) {
    for (let seen = 0; ; seen++) {
      const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: studyId });
      if (!item) break;
      await client.ok(SUBMIT, { i: { studyId, ref: item.ref, timeOnItemMs: 500, ...judge(item.options, r, seen) } });
    }
  }
}

async function expectResultsAndExports(studyId: string, judgements: number) {
  const { study } = await owner.ok<any>(RESULTS, { id: studyId });
  const r = study.results;
  expect(r.judgements).toBe(judgements);
  expect(r.pairedTests).toHaveLength(1);
  expect(r.pairedTests[0]).toMatchObject({
    pairs: 1,
    statistic: null,
    pValue: null,
    pAdjusted: null,
    reason: 'needs ≥ 2 paired videos (n = 1)',
  });
  expect(r.notes.join(' ')).toMatch(/not computable/);
  expect(study.export.bundle.results.pairedTests[0].reason).toBe('needs ≥ 2 paired videos (n = 1)');
  expect(study.export.bundle.judgements).toHaveLength(judgements);
  const rows = parse(study.export.csv, { columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(judgements);
  const res = await fetch(`${api.url}${study.export.csvUrl}`, { headers: { cookie: owner.cookie! } });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(study.export.csv);
  return r;
}

beforeAll(async () => {
  api = await startTestApi();
  const o = await api.signUp('Owner');
  owner = o.client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Pilot team" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  for (let i = 0; i < 2; i++) {
    const r = await api.signUp(`Rater${i}`);
    await db.membership.create({ data: { teamId, userId: r.userId, role: 'RATER' } });
    raters.push({ client: r.client, userId: r.userId });
  }
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes'));
  videoId = (
    await db.video.create({
      data: { teamId, uploadedById: o.userId, title: 'pilot clip', filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY', fps: 25, frameCount: 16 },
    })
  ).id;
  modelId = (
    await db.model.create({
      data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'f'.repeat(64) },
    })
  ).id;
});

afterAll(async () => {
  await api?.close();
});

describe('one-video, two-method pilot studies', () => {
  it('Likert: results and exports answer; the paired test is reported as not computable', async () => {
    const id = await openStudy({ name: 'Likert pilot', design: 'LIKERT' });
    // Rater 0 gives 5 then 1, rater 1 gives 2 to both: the two methods' means on the video differ.
    await judgeAll(id, (_o, r, seen) => ({ rating: r === 0 ? (seen === 0 ? 5 : 1) : 2 }));
    const r = await expectResultsAndExports(id, 4);
    expect(r.methods.map((m: any) => m.n)).toEqual([2, 2]);
    expect(r.methods[0].estimate).not.toBe(r.methods[1].estimate);
  });

  it('pairwise: results and exports answer; the paired test is reported as not computable', async () => {
    const id = await openStudy({ name: 'Pairwise pilot', design: 'PAIRWISE' });
    // Placement is balanced, so the two raters see the pair in opposite order: both pick one method.
    await judgeAll(id, (o, r) => ({ choice: o[r]!.alias }));
    const r = await expectResultsAndExports(id, 2);
    expect(r.methods.map((m: any) => m.estimate).sort()).toEqual([0, 1]);
    // Both raters chose the same method: one category only, so κ is 0/0 — null with a note, not INTERNAL.
    expect(r.fleissKappa).toBeNull();
    expect(r.notes.join(' ')).toMatch(/κ is undefined/);
  });
});

describe("Fleiss' κ", () => {
  it('does not depend on submission order (items with other rating counts are left out whole)', async () => {
    const db = api.runtime.db;
    const third = await api.signUp('Rater2');
    await db.membership.create({ data: { teamId, userId: third.userId, role: 'RATER' } });
    const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes'));
    const second = await db.video.create({
      data: { teamId, uploadedById: (await db.user.findFirstOrThrow({ where: { name: 'Owner' } })).id, title: 'clip 2', filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY', fps: 25, frameCount: 16 },
    });
    const all = [...raters, { client: third.client, userId: third.userId }];
    const { createStudy } = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
      i: { teamId, modelId, name: 'Kappa', design: 'LIKERT', raterIds: all.map((r) => r.userId), videoIds: [videoId, second.id], methods: METHODS, overlap: 2, seed: 3 },
    });
    const studyId = createStudy.id as string;
    const items = await db.studyItem.findMany({ where: { studyId, isAttentionCheck: false }, orderBy: { position: 'asc' } });
    expect(items).toHaveLength(4);
    // Items 0–2 are rated by raters 0 and 1 (exactly overlap = 2); item 3 by all three.
    await owner.ok(`mutation($id: ID!, $a: [RaterItemsInput!]!) { setStudyAssignment(id: $id, assignments: $a) { id } }`, {
      id: studyId,
      a: [
        { raterId: all[0]!.userId, itemIds: items.map((i) => i.id) },
        { raterId: all[1]!.userId, itemIds: items.map((i) => i.id) },
        { raterId: all[2]!.userId, itemIds: [items[3]!.id] },
      ],
    });
    await markAllDone();
    await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: studyId });
    // rating[rater][item]: items 0–2 give κ = 1/3 on their own; item 3's 1, 1, 5 changes κ depending
    // on which two of its three ratings are kept (the old code kept the first two submitted).
    const rating = [
      [1, 5, 3, 1],
      [1, 5, 1, 1],
      [0, 0, 0, 5],
    ];
    for (const [r, { client, userId }] of all.entries()) {
      const a = await db.studyAssignment.findUniqueOrThrow({ where: { studyId_raterId: { studyId, raterId: userId } } });
      const itemOfRef = new Map((a.plan as any).entries.map((e: any) => [e.ref, e.itemId]));
      for (;;) {
        const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: studyId });
        if (!item) break;
        const k = items.findIndex((i) => i.id === itemOfRef.get(item.ref));
        await client.ok(SUBMIT, { i: { studyId, ref: item.ref, rating: rating[r]![k]!, timeOnItemMs: 500 } });
      }
    }
    const kappa = async () => (await owner.ok<any>(`query($id: ID!) { study(id: $id) { results { fleissKappa notes } } }`, { id: studyId })).study.results;
    const forward = await kappa();
    // Reverse the submission order: the last judgement becomes the first.
    const js = await db.judgement.findMany({ where: { studyId } });
    const t0 = Math.min(...js.map((j) => j.createdAt.getTime()));
    const t1 = Math.max(...js.map((j) => j.createdAt.getTime()));
    for (const j of js) await db.judgement.update({ where: { id: j.id }, data: { createdAt: new Date(t0 + t1 - j.createdAt.getTime()) } });
    const reversed = await kappa();
    expect(reversed.fleissKappa).toBe(forward.fleissKappa);
    // Hand-computed over items 0–2 (ratings {1,1}, {5,5}, {3,1}): P̄ = 2/3, p = (3/6, 1/6, 2/6) for
    // ratings 1, 3, 5 → P̄_e = 14/36, κ = (2/3 − 14/36) / (1 − 14/36) = 10/22.
    expect(forward.fleissKappa).toBeCloseTo(10 / 22, 12);
    expect(forward.notes.join(' ')).toMatch(/1 items with another number of ratings are left out/);
  });
});

describe('study setup refuses dead ends at build time', () => {
  it('an overlap larger than the number of raters: BAD_USER_INPUT on create and update, with the field', async () => {
    const base = { teamId, modelId, name: 'Overlap', design: 'LIKERT', videoIds: [videoId], methods: METHODS };
    const create = `mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`;
    const refused = await owner.gql(create, { i: { ...base, raterIds: raters.map((r) => r.userId), overlap: 3 } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((refused.errors?.[0]?.extensions?.fields as any)?.overlap).toMatch(/Overlap \(3\) exceeds the number of raters \(2\)/);
    const { createStudy } = await owner.ok<any>(create, { i: { ...base, raterIds: raters.map((r) => r.userId), overlap: 2 } });
    const update = `mutation($id: ID!, $i: UpdateStudyInput!) { updateStudy(id: $id, input: $i) { id } }`;
    const tooMany = await owner.gql(update, { id: createStudy.id, i: { overlap: 3 } });
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(tooMany.errors?.[0]?.extensions?.fields as any)).toEqual(['overlap']);
    const fewer = await owner.gql(update, { id: createStudy.id, i: { raterIds: [raters[0]!.userId] } });
    expect(fewer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.keys(fewer.errors?.[0]?.extensions?.fields as any)).toEqual(['raterIds']);
    await owner.ok(update, { id: createStudy.id, i: { overlap: 1, raterIds: [raters[0]!.userId] } });
  });
});
