import { parse } from 'csv-parse/sync';
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

/**
 * Studies end to end over GraphQL with several raters: building (explanations requested from the
 * engine, opening refused until they are DONE), blinding, seeded randomisation, judgements,
 * results and exports. Method names are distinctive strings so a leak is detectable.
 */
const METHODS = ['gradcam', 'occlusion', 'integrated-gradients'];

let api: TestApi;
let owner: TestClient;
let teamId: string;
let modelId: string;
let videoIds: string[];
const raters: { client: TestClient; userId: string }[] = [];

const STUDY_FIELDS = `id status protocol methods readiness { ready explanations done pending }
  items(first: 100) { nodes { id position isAttentionCheck explanations { id method } video { id } } }`;

async function markAllDone() {
  const db = api.runtime.db;
  const npy = await api.runtime.storage.putBuffer(Buffer.from('fake npy saliency'));
  await db.explanation.updateMany({
    where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } },
    data: { status: 'DONE', progress: 1, saliencySha256: npy.sha256, saliencyShape: [4, 8, 8], finishedAt: new Date() },
  });
}

async function createStudy(input: Record<string, unknown>) {
  const { createStudy } = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { ${STUDY_FIELDS} } }`, {
    i: { teamId, modelId, raterIds: raters.map((r) => r.userId), ...input },
  });
  return createStudy;
}

async function open(id: string) {
  return (await owner.ok<any>(`mutation($id: ID!) { openStudy(id: $id) { ${STUDY_FIELDS} } }`, { id })).openStudy;
}

const NEXT = `query($s: ID!) { nextStudyItem(studyId: $s) { ref index total design prompt videoUrl fps frameCount
  options { alias saliencyUrl saliencyShape windowStartSec label } } }`;
const SUBMIT = `mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { judged total completed } }`;

/** Test-harness knowledge (database): which method a rater's alias stands for. */
async function methodOfAlias(studyId: string, userId: string, ref: string, alias: string) {
  const db = api.runtime.db;
  const a = await db.studyAssignment.findUniqueOrThrow({ where: { studyId_raterId: { studyId, raterId: userId } } });
  const entry = (a.plan as any).entries.find((e: any) => e.ref === ref);
  const item = await db.studyItem.findUniqueOrThrow({ where: { id: entry.itemId } });
  const e = await db.explanation.findUniqueOrThrow({ where: { id: item.explanationIds[entry.placement[entry.aliases.indexOf(alias)]]! } });
  return e.method;
}

beforeAll(async () => {
  api = await startTestApi();
  const o = await api.signUp('Owner');
  owner = o.client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Study team" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  for (let i = 0; i < 4; i++) {
    const r = await api.signUp(`Rater${i}`);
    await db.membership.create({ data: { teamId, userId: r.userId, role: 'RATER' } });
    raters.push({ client: r.client, userId: r.userId });
  }
  const stored = await api.runtime.storage.putBuffer(Buffer.from('video bytes'));
  videoIds = [];
  for (let v = 0; v < 2; v++) {
    const video = await db.video.create({
      data: { teamId, uploadedById: o.userId, title: `clip ${v}`, filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY', fps: 25, frameCount: 16 },
    });
    videoIds.push(video.id);
  }
  modelId = (
    await db.model.create({
      data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'f'.repeat(64) },
    })
  ).id;
});

afterAll(async () => {
  await api?.close();
});

describe('Likert study end to end', () => {
  let study: any;

  it('requests missing explanations from the engine and cannot open until they are DONE', async () => {
    study = await createStudy({ name: 'Plausibility', instructions: '# Rate\nHow plausible?', design: 'LIKERT', videoIds, methods: METHODS, overlap: 3, attentionChecks: 1, seed: 1234 });
    expect(study.status).toBe('DRAFT');
    expect(study.items.nodes).toHaveLength(7);
    expect(study.items.nodes.filter((i: any) => i.isAttentionCheck)).toHaveLength(1);
    expect(study.readiness).toMatchObject({ ready: false, explanations: 6, done: 0, pending: 6 });
    expect(await api.runtime.queue.getJobCounts('waiting', 'prioritized')).toMatchObject({ prioritized: 6 });
    const refused = await owner.gql(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: study.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    await markAllDone();
    study = await open(study.id);
    expect(study.status).toBe('OPEN');
    expect(study.protocol.seed).toBe(1234);
    expect(study.protocol.items).toHaveLength(7);
    const audit = await api.runtime.db.auditEvent.findMany({ where: { subjectId: study.id }, orderBy: { seq: 'asc' } });
    expect(audit.map((e) => e.action)).toEqual(['study.created', 'study.opened']);
    expect((audit[1]!.payload as any).protocolSha256).toMatch(/^[0-9a-f]{64}$/);
    const frozen = await owner.gql(`mutation($id: ID!) { updateStudy(id: $id, input: { name: "x" }) { id } }`, { id: study.id });
    expect(frozen.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('results of an open study nobody has judged yet: every method listed with n 0 and no estimate', async () => {
    const { study: s } = await owner.ok<any>(
      `query($id: ID!) { study(id: $id) { results { judgements methods { method n estimate lower upper distribution } alpha { alpha } raters { judged } } } }`,
      { id: study.id },
    );
    expect(s.results.judgements).toBe(0);
    expect(s.results.methods.map((m: any) => m.method).sort()).toEqual([...METHODS].sort());
    for (const m of s.results.methods) expect(m).toMatchObject({ n: 0, estimate: null, lower: null, upper: null, distribution: [0, 0, 0, 0, 0] });
    expect(s.results.raters.every((r: any) => r.judged === 0)).toBe(true);
  });

  it('raters judge every item; resume, duplicates, attention checks and progress', async () => {
    const rating: Record<string, number> = { gradcam: 5, occlusion: 3, 'integrated-gradients': 1 };
    for (const [r, { client, userId }] of raters.entries()) {
      let seen = 0;
      for (;;) {
        const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: study.id });
        if (!item) break;
        seen++;
        expect(item.index).toBe(seen);
        expect(item.options).toHaveLength(1);
        expect(item.options[0].label).toBeNull();
        let value: number;
        if (item.prompt) value = r === 3 ? 1 + (Number(item.prompt.match(/answer (\d)/)[1]) % 5) : Number(item.prompt.match(/answer (\d)/)[1]);
        else value = Math.max(1, Math.min(5, rating[await methodOfAlias(study.id, userId, item.ref, item.options[0].alias)]! - (r % 2)));
        const res = await client.ok<any>(SUBMIT, { i: { studyId: study.id, ref: item.ref, rating: value, timeOnItemMs: 1000 + 100 * seen + r } });
        expect(res.submitStudyJudgement.judged).toBe(seen);
        if (seen === 2) {
          // Resume: a fresh request continues at the third item; judging the same item again is refused.
          const again = await client.gql(SUBMIT, { i: { studyId: study.id, ref: item.ref, rating: 2, timeOnItemMs: 5 } });
          expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
          const next = await client.ok<any>(NEXT, { s: study.id });
          expect(next.nextStudyItem.index).toBe(3);
        }
      }
      // 6 regular items × overlap 3 / 4 raters = 4.5 → 4 or 5, plus the attention check.
      expect([5, 6]).toContain(seen);
      const { raterStudy } = await client.ok<any>(`query($s: ID!) { raterStudy(studyId: $s) { progress { judged total completed } } }`, { s: study.id });
      expect(raterStudy.progress).toEqual({ judged: seen, total: seen, completed: true });
    }
    const bad = await raters[0]!.client.gql(SUBMIT, { i: { studyId: study.id, ref: 'nope', rating: 9, timeOnItemMs: 1 } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('results: per-method means with bootstrap CIs, alpha, Fleiss kappa, Holm-corrected Wilcoxon, rater quality', async () => {
    const { study: s } = await owner.ok<any>(
      `query($id: ID!) { study(id: $id) { results { design judgements bootstrap methods { method n estimate lower upper distribution }
        alpha { level alpha method } fleissKappa pairedTests { methodA methodB n statistic pValue pAdjusted test } correction
        raters { pseudonym assigned judged completion attentionChecks attentionPassRate medianTimeMs } notes } } }`,
      { id: study.id },
    );
    const r = s.results;
    expect(r.judgements).toBe(18);
    const byMethod = Object.fromEntries(r.methods.map((m: any) => [m.method, m]));
    // Raters 0 and 2 give 5/3/1, raters 1 and 3 give 4/2/1.
    expect(byMethod.gradcam.estimate).toBeGreaterThan(4);
    expect(byMethod.gradcam.estimate).toBeLessThan(5);
    expect(byMethod['integrated-gradients']).toMatchObject({ estimate: 1, lower: 1, upper: 1, n: 6 });
    expect(byMethod.gradcam.lower).toBeLessThanOrEqual(byMethod.gradcam.estimate);
    expect(byMethod.gradcam.distribution.reduce((a: number, b: number) => a + b, 0)).toBe(6);
    expect(r.bootstrap).toMatchObject({ B: 2000, level: 0.95, seed: 1234 });
    const overall = r.alpha.filter((a: any) => a.method === null);
    expect(overall.map((a: any) => a.level)).toEqual(['nominal', 'ordinal', 'interval']);
    expect(overall.find((a: any) => a.level === 'interval').alpha).toBeGreaterThan(0.8);
    expect(r.alpha.filter((a: any) => a.method === 'gradcam')).toHaveLength(3);
    expect(typeof r.fleissKappa).toBe('number');
    expect(r.pairedTests).toHaveLength(3);
    expect(r.correction).toMatch(/Holm/);
    for (const t of r.pairedTests) {
      expect(t.test).toMatch(/Wilcoxon signed-rank/);
      expect(t.pAdjusted).toBeGreaterThanOrEqual(t.pValue);
    }
    const quality = Object.fromEntries(r.raters.map((q: any) => [q.pseudonym, q]));
    const pseudoOf = async (userId: string) =>
      (await api.runtime.db.studyAssignment.findUniqueOrThrow({ where: { studyId_raterId: { studyId: study.id, raterId: userId } } })).pseudonym;
    expect(quality[await pseudoOf(raters[3]!.userId)].attentionPassRate).toBe(0);
    expect(quality[await pseudoOf(raters[0]!.userId)].attentionPassRate).toBe(1);
    for (const q of r.raters) expect(q.completion).toBe(1);
  });

  it('CSV export rows equal the stored judgements (GraphQL and the download route)', async () => {
    const { study: s } = await owner.ok<any>(`query($id: ID!) { study(id: $id) { export { csv csvUrl bundle } } }`, { id: study.id });
    const rows: Record<string, string>[] = parse(s.export.csv, { columns: true });
    const db = api.runtime.db;
    const stored = await db.judgement.findMany({ where: { studyId: study.id }, include: { item: true, assignment: true } });
    expect(rows).toHaveLength(stored.length);
    for (const j of stored) {
      const row = rows.find((x) => x.judgement_id === j.id)!;
      const e = await db.explanation.findUniqueOrThrow({ where: { id: j.item.explanationIds[0]! } });
      expect(row).toMatchObject({
        study_id: study.id,
        item_id: j.itemId,
        video_id: j.item.videoId,
        method: e.method,
        rater: j.assignment.pseudonym,
        value: String((j.value as any).rating),
        time_on_item_ms: String(j.timeOnItemMs),
        submitted_at: j.createdAt.toISOString(),
        started_at: new Date(j.createdAt.getTime() - j.timeOnItemMs).toISOString(),
        attention_check: String(j.item.isAttentionCheck),
      });
    }
    expect(s.export.bundle.protocol).toEqual(study.protocol);
    const res = await fetch(`${api.url}${s.export.csvUrl}`, { headers: { cookie: owner.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await res.text()).toBe(s.export.csv);
    const asRater = await fetch(`${api.url}${s.export.csvUrl}`, { headers: { cookie: raters[0]!.client.cookie! } });
    expect(asRater.status).toBe(403);
  });

  it('closing stops the flow', async () => {
    await owner.ok(`mutation($id: ID!) { closeStudy(id: $id) { status } }`, { id: study.id });
    const { nextStudyItem } = await raters[0]!.client.ok<any>(NEXT, { s: study.id });
    expect(nextStudyItem).toBeNull();
  });
});

describe('pairwise study: blinding and randomisation', () => {
  let study: any;
  let twin: any;

  it('builds pairs per video and opens', async () => {
    const input = { name: 'Pairs', design: 'PAIRWISE', allowTie: true, videoIds, methods: METHODS, overlap: 4, seed: 99 };
    const draft = await createStudy(input);
    const draftTwin = await createStudy({ ...input, name: 'Pairs twin' });
    await markAllDone();
    study = await open(draft.id);
    twin = await open(draftTwin.id);
    expect(study.items.nodes).toHaveLength(6);
    // The twin reused the same explanations: nothing new was requested.
    expect(twin.items.nodes.map((i: any) => i.explanations.map((e: any) => e.id))).toEqual(study.items.nodes.map((i: any) => i.explanations.map((e: any) => e.id)));
  });

  it('same seed → same order; different raters → different orders; left/right balanced within every item', async () => {
    const db = api.runtime.db;
    const orderOf = async (s: any, userId: string) => {
      const a = await db.studyAssignment.findUniqueOrThrow({ where: { studyId_raterId: { studyId: s.id, raterId: userId } } });
      const pos = new Map(s.items.nodes.map((i: any) => [i.id, i.position]));
      return (a.plan as any).entries.map((e: any) => pos.get(e.itemId));
    };
    const orders = await Promise.all(raters.map((r) => orderOf(study, r.userId)));
    const twinOrders = await Promise.all(raters.map((r) => orderOf(twin, r.userId)));
    expect(twinOrders).toEqual(orders);
    // Each rater's order is drawn from (study seed, rater id), and rater ids are new every run:
    // two of the 4 raters share one of the 6! = 720 orders with probability ≈ 0.8 %, so the test
    // asks that the orders are not all one (all equal: p ≈ 3e-9 by chance).
    expect(new Set(orders.map((o) => o.join(','))).size).toBeGreaterThan(1);
    const assignments = await db.studyAssignment.findMany({ where: { studyId: study.id } });
    for (const item of study.items.nodes) {
      const lefts = assignments.map((a) => (a.plan as any).entries.find((e: any) => e.itemId === item.id).placement[0]);
      expect(lefts.filter((l) => l === 0)).toHaveLength(2);
      expect(lefts.filter((l) => l === 1)).toHaveLength(2);
    }
  });

  it('raters judge; Bradley–Terry strengths and the win-rate matrix come out', async () => {
    const rank: Record<string, number> = { gradcam: 3, occlusion: 2, 'integrated-gradients': 1 };
    for (const [r, { client, userId }] of raters.entries()) {
      for (;;) {
        const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: study.id });
        if (!item) break;
        expect(item.options).toHaveLength(2);
        const [a, b] = await Promise.all(item.options.map((o: any) => methodOfAlias(study.id, userId, item.ref, o.alias)));
        // Rater 3 says "can't tell" about gradcam vs occlusion; otherwise the better method wins.
        const tie = r === 3 && [a, b].includes('gradcam') && [a, b].includes('occlusion');
        const choice = tie ? 'TIE' : rank[a]! > rank[b]! ? item.options[0].alias : item.options[1].alias;
        await client.ok(SUBMIT, { i: { studyId: study.id, ref: item.ref, choice, timeOnItemMs: 800 } });
      }
    }
    const { study: s } = await owner.ok<any>(
      `query($id: ID!) { study(id: $id) { methods results { methods { method estimate } bradleyTerry { method strength logStrength lower upper }
        winRates fleissKappa alpha { level alpha method } pairedTests { methodA methodB pAdjusted } notes } } }`,
      { id: study.id },
    );
    const bt = Object.fromEntries(s.results.bradleyTerry.map((x: any) => [x.method, x.strength]));
    expect(bt.gradcam).toBeGreaterThan(bt.occlusion);
    expect(bt.occlusion).toBeGreaterThan(bt['integrated-gradients']);
    const i = s.methods.indexOf('gradcam');
    const j = s.methods.indexOf('occlusion');
    // gradcam vs occlusion: 2 videos × 4 raters, rater 3 ties twice → (6 + 2·½) / 8.
    expect(s.results.winRates[i][j]).toBeCloseTo(7 / 8, 12);
    expect(s.results.winRates[i][i]).toBeNull();
    // Separated (a method never lost): fitted as a posterior mode under a weak Gaussian prior, and said so.
    expect(s.results.notes.join(' ')).toMatch(/posterior mode with θ ~ N\(0, 2\.5²\)/);
  });

  it('blinding: no method name or explanation id is reachable by a rater through any query', async () => {
    const rater = raters[0]!;
    const secrets = new Set<string>(METHODS);
    for (const s of [study, twin]) for (const item of s.items.nodes) for (const e of item.explanations) secrets.add(e.id);
    for (const v of videoIds) secrets.add(v);
    const schema = buildSchema();
    const ids = [twin.id, study.id, teamId, rater.userId];
    /** Every field (depth ≤ 4, no type repeated along a path), arguments filled from `ids`. */
    const selection = (type: GraphQLObjectType, depth: number, path: string[]): string => {
      const parts: string[] = [];
      for (const f of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        if (f.args.some((a) => isNonNullType(a.type))) continue;
        const named = getNamedType(f.type);
        if (isScalarType(named) || isEnumType(named)) parts.push(f.name);
        else if (isObjectType(named) && depth < 4 && !path.includes(named.name)) {
          const inner = selection(named, depth + 1, [...path, named.name]);
          if (inner) parts.push(`${f.name} { ${inner} }`);
        }
      }
      return parts.join(' ');
    };
    const query = schema.getQueryType()!;
    let checked = 0;
    let served = 0;
    // The twin study is open and unjudged, so nextStudyItem really serves an item during the walk.
    for (const f of Object.values(query.getFields())) {
      const idArgs = f.args.filter((a) => isNonNullType(a.type) && getNamedType(a.type).name === 'ID');
      const otherRequired = f.args.filter((a) => isNonNullType(a.type) && getNamedType(a.type).name !== 'ID');
      if (otherRequired.length || idArgs.some((a) => isListType((a.type as any).ofType))) continue;
      const named = getNamedType(f.type);
      const sel = isObjectType(named) ? `{ ${selection(named, 1, [named.name])} }` : '';
      const combos = idArgs.length ? ids.map((id) => Object.fromEntries(idArgs.map((a) => [a.name, id]))) : [{}];
      for (const vars of combos) {
        const decl = idArgs.length ? `(${idArgs.map((a) => `$${a.name}: ID!`).join(', ')})` : '';
        const args = idArgs.length ? `(${idArgs.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
        const res = await rater.client.raw(JSON.stringify({ query: `query${decl} { ${f.name}${args} ${sel} }`, variables: vars }));
        const text = JSON.stringify(res.json);
        for (const secret of secrets) expect(text.includes(secret), `${f.name} ${JSON.stringify(vars)} leaks ${secret}: ${text.slice(0, 400)}`).toBe(false);
        checked++;
        if (f.name === 'nextStudyItem' && res.json.data?.nextStudyItem?.options?.length === 2) served++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(served).toBe(1);
    // The rater's own view really was served (not just errors).
    const { myStudies } = await rater.client.ok<any>(`query($t: ID!) { myStudies(teamId: $t, first: 100) { nodes { id name progress { judged total } } } }`, { t: teamId });
    expect(myStudies.nodes.map((s: any) => s.id)).toContain(study.id);
  });

  it('media: study-scoped URLs stream for the rater; the direct routes stay closed to them', async () => {
    const rater = raters[1]!;
    const { nextStudyItem: item } = await rater.client.ok<any>(NEXT, { s: twin.id });
    expect(item.videoUrl).not.toContain(videoIds[0]);
    const video = await fetch(`${api.url}${item.videoUrl}`, { headers: { cookie: rater.client.cookie! } });
    expect(video.status).toBe(200);
    expect(await video.text()).toBe('video bytes');
    const sal = await fetch(`${api.url}${item.options[1].saliencyUrl}`, { headers: { cookie: rater.client.cookie! } });
    expect(sal.status).toBe(200);
    expect(sal.headers.get('content-disposition')).toBe('inline; filename="saliency.npy"');
    const other = await fetch(`${api.url}${item.videoUrl}`, { headers: { cookie: raters[2]!.client.cookie! } });
    expect(other.status).toBe(404);
    const anonymous = await fetch(`${api.url}${item.videoUrl}`);
    expect(anonymous.status).toBe(401);
    const direct = await fetch(`${api.url}/api/media/videos/${videoIds[0]}`, { headers: { cookie: rater.client.cookie! } });
    expect(direct.status).toBe(403);
  });
});

describe('ranking study with manual assignment', () => {
  it('assigns manually, ranks, and reports mean ranks, alpha and Bradley–Terry', async () => {
    const draft = await createStudy({ name: 'Ranks', design: 'RANKING', videoIds, methods: METHODS, overlap: 2, seed: 5 });
    expect(draft.items.nodes).toHaveLength(2);
    expect(draft.items.nodes[0].explanations).toHaveLength(3);
    const [r0, r1] = raters;
    const set = await owner.gql(`mutation($id: ID!, $a: [RaterItemsInput!]!) { setStudyAssignment(id: $id, assignments: $a) { assignmentMode } }`, {
      id: draft.id,
      a: [
        { raterId: r0!.userId, itemIds: draft.items.nodes.map((i: any) => i.id) },
        { raterId: r1!.userId, itemIds: [draft.items.nodes[0].id] },
      ],
    });
    expect(set.data?.setStudyAssignment.assignmentMode).toBe('MANUAL');
    await markAllDone();
    await open(draft.id);
    const best: Record<string, number> = { gradcam: 0, occlusion: 1, 'integrated-gradients': 2 };
    for (const { client, userId } of [r0!, r1!]) {
      for (;;) {
        const { nextStudyItem: item } = await client.ok<any>(NEXT, { s: draft.id });
        if (!item) break;
        const methods = await Promise.all(item.options.map((o: any) => methodOfAlias(draft.id, userId, item.ref, o.alias)));
        const ranking = item.options.map((o: any, i: number) => [o.alias, best[methods[i]]!] as const).sort((a: any, b: any) => a[1] - b[1]).map((x: any) => x[0]);
        await client.ok(SUBMIT, { i: { studyId: draft.id, ref: item.ref, ranking, timeOnItemMs: 2000 } });
      }
    }
    const unassigned = await raters[2]!.client.gql(NEXT, { s: draft.id });
    expect(unassigned.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { study: s } = await owner.ok<any>(
      `query($id: ID!) { study(id: $id) { assignments(first: 100) { nodes { pseudonym items judged } } export { csv }
        results { judgements methods { method estimate distribution } alpha { level alpha method } bradleyTerry { method strength } fleissKappa } } }`,
      { id: draft.id },
    );
    expect(s.assignments.nodes.map((a: any) => a.items).sort()).toEqual([1, 2]);
    expect(s.results.judgements).toBe(3);
    const mean = Object.fromEntries(s.results.methods.map((m: any) => [m.method, m.estimate]));
    expect(mean).toEqual({ gradcam: 1, occlusion: 2, 'integrated-gradients': 3 });
    expect(s.results.alpha.find((a: any) => a.level === 'ordinal' && a.method === null).alpha).toBe(1);
    expect(s.results.fleissKappa).toBeNull();
    const rows = parse(s.export.csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.value)).toEqual(['gradcam>occlusion>integrated-gradients', 'gradcam>occlusion>integrated-gradients', 'gradcam>occlusion>integrated-gradients']);
  });
});
