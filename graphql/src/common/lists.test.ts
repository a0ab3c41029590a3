/**
 * Search, filters and sort on the team lists (videos, explanations, studies, review sessions,
 * models) through the real API: every sort walked page by page (no row twice, none missing, the
 * same order as one big page), each filter narrowing to the rows it names, and bad values refused
 * with BAD_USER_INPUT on their field before any query runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let other: { client: TestClient; userId: string };
let teamId: string;
const videoIds: string[] = [];
const explanationIds: string[] = [];
let modelA: string;
let modelB: string;

const T0 = Date.parse('2026-11-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Lister');
  other = await api.signUp('Colleague');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Lists" }) { id } }`)).createTeam.id;
  const db = api.runtime.db;
  await db.membership.create({ data: { teamId, userId: other.userId, role: 'REVIEWER' } });
  // Seven videos; three share one upload time so the id tie-break is exercised, one title has '%'.
  const titles = ['Walking dog', 'running Dog', 'Cat jumps', 'dog 100% fetch', 'Bird', 'Horse trot', 'cat nap'];
  const times = [0, 5, 5, 5, 10, 20, 30];
  for (let i = 0; i < titles.length; i++) {
    const v = await db.video.create({
      data: {
        teamId,
        uploadedById: i % 2 ? other.userId : owner.userId,
        title: titles[i]!,
        filename: `clip${i}.mp4`,
        sha256: String(i).repeat(64).slice(0, 64),
        sizeBytes: 10n,
        status: i === 4 ? 'FAILED' : 'READY',
        createdAt: at(times[i]!),
      },
    });
    videoIds.push(v.id);
  }
  modelA = (await db.model.create({ data: { teamId, name: 'alpha-net', version: '1', format: 'layers-model', manifest: {}, labels: ['a'], weightsSha256: 'a'.repeat(64), createdById: owner.userId, createdAt: at(1) } })).id;
  modelB = (await db.model.create({ data: { teamId, name: 'Beta-net', version: '2', format: 'onnx', manifest: {}, labels: ['a'], weightsSha256: 'b'.repeat(64), createdById: other.userId, createdAt: at(2) } })).id;
  await db.model.create({ data: { teamId, name: 'gamma-net', version: '1', format: 'layers-model', manifest: {}, labels: ['a'], weightsSha256: 'c'.repeat(64), createdById: owner.userId, createdAt: at(2) } });
  // Nine explanations over three videos, two methods, two models, two authors.
  const specs = [
    ['fep', modelA, 0, 'DONE'],
    ['fep', modelA, 0, 'DONE'],
    ['ep', modelB, 0, 'FAILED'],
    ['fep', modelB, 1, 'DONE'],
    ['gradient', modelA, 1, 'QUEUED'],
    ['ep', modelA, 2, 'DONE'],
    ['fep', modelB, 2, 'CANCELLED'],
    ['ep', modelA, 2, 'DONE'],
    ['fep', modelA, 1, 'DONE'],
  ] as const;
  for (let i = 0; i < specs.length; i++) {
    const [method, modelId, v, status] = specs[i]!;
    const e = await db.explanation.create({
      data: { teamId, videoId: videoIds[v]!, modelId, method, params: { area: 0.1 }, status, requestedById: i % 3 ? owner.userId : other.userId, createdAt: at(40 + (i % 4)) },
    });
    explanationIds.push(e.id);
  }
  for (let i = 0; i < 5; i++) {
    await db.study.create({
      data: { teamId, createdById: i % 2 ? other.userId : owner.userId, name: `Study ${['delta', 'Alpha', 'charlie', 'bravo', 'echo'][i]}`, design: i % 2 ? 'PAIRWISE' : 'LIKERT', config: {}, seed: i, status: i === 0 ? 'OPEN' : 'DRAFT', createdAt: at(50 + (i % 2)) },
    });
    await db.reviewSession.create({
      data: { teamId, hostId: i % 2 ? other.userId : owner.userId, title: `Review ${['x', 'Y', 'z', 'w', 'v'][i]}`, explanationIds: [], status: i < 2 ? 'ENDED' : 'LIVE', startedAt: at(60 + (i % 3)) },
    });
  }
});
afterAll(async () => {
  await api?.close();
});

const LISTS = {
  videos: { query: `videos(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort)`, filterType: 'VideoFilter', fields: 'id title createdAt' },
  explanations: { query: `explanations(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort)`, filterType: 'ExplanationFilter', fields: 'id method createdAt' },
  studies: { query: `studies(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort)`, filterType: 'StudyFilter', fields: 'id name createdAt' },
  reviewSessions: { query: `reviewSessions(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort)`, filterType: 'ReviewSessionFilter', fields: 'id title startedAt' },
  models: { query: `models(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort)`, filterType: 'ModelFilter', fields: 'id name builtin createdAt' },
} as const;
type ListName = keyof typeof LISTS;

function op(list: ListName) {
  const l = LISTS[list];
  return `query($teamId: ID!, $first: Int, $after: String, $filter: ${l.filterType}, $sort: ListSort) { list: ${l.query} { nodes { ${l.fields} } pageInfo { hasNextPage endCursor } } }`;
}

async function pageOf(list: ListName, vars: Record<string, unknown>) {
  return (await owner.client.ok<any>(op(list), { teamId, ...vars })).list as { nodes: any[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every page of size `first`, in order; fails on a repeated row or a runaway walk. */
async function walk(list: ListName, vars: Record<string, unknown>, first = 2) {
  const seen: any[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const p = await pageOf(list, { ...vars, first, after });
    seen.push(...p.nodes);
    if (!p.pageInfo.hasNextPage) break;
    after = p.pageInfo.endCursor;
  }
  const ids = seen.map((n) => n.id);
  expect(new Set(ids).size, `${list} ${JSON.stringify(vars)}: a row came twice`).toBe(ids.length);
  return seen;
}

describe('every sort is walked page by page: each row once, in the order of one big page', () => {
  for (const list of Object.keys(LISTS) as ListName[]) {
    for (const sort of ['NEWEST', 'OLDEST', 'NAME'] as const) {
      it(`${list} ${sort}`, async () => {
        const all = (await pageOf(list, { sort, first: 100 })).nodes;
        expect(all.length).toBeGreaterThan(2);
        const walked = await walk(list, { sort }, 2);
        expect(walked.map((n) => n.id)).toEqual(all.map((n) => n.id));
        if (sort !== 'NAME') {
          const dateOf = (n: any) => Date.parse(n.createdAt ?? n.startedAt);
          const groups = list === 'models' ? [all.filter((n) => n.builtin), all.filter((n) => !n.builtin)] : [all];
          for (const g of groups) {
            const dates = g.map(dateOf);
            const sorted = [...dates].sort((a, b) => (sort === 'NEWEST' ? b - a : a - b));
            expect(dates).toEqual(sorted);
          }
        }
      });
    }
  }

  it('NAME orders videos by title and explanations by method', async () => {
    const videos = (await pageOf('videos', { sort: 'NAME', first: 100 })).nodes.map((n) => n.title);
    expect(videos).toHaveLength(7);
    const explanations = (await pageOf('explanations', { sort: 'NAME', first: 100 })).nodes.map((n) => n.method);
    expect(explanations).toEqual([...explanations].sort());
  });

  it('a cursor from one sort is refused under another', async () => {
    const p = await pageOf('videos', { sort: 'NAME', first: 2 });
    const res = await owner.client.gql(op('videos'), { teamId, sort: 'NEWEST', first: 2, after: p.pageInfo.endCursor });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: { after: expect.any(String) } });
  });
});

describe('filters narrow each list', () => {
  it('videos: case-insensitive search on the title, status, uploader, date range', async () => {
    const titles = async (filter: Record<string, unknown>) => (await walk('videos', { filter })).map((n) => n.title).sort();
    expect(await titles({ search: 'DOG' })).toEqual(['Walking dog', 'dog 100% fetch', 'running Dog'].sort());
    expect(await titles({ search: '%' })).toEqual(['dog 100% fetch']);
    expect(await titles({ search: '  cat ' })).toEqual(['Cat jumps', 'cat nap'].sort());
    expect(await titles({ status: 'FAILED' })).toEqual(['Bird']);
    expect(await titles({ authorId: other.userId })).toEqual(['running Dog', 'dog 100% fetch', 'Horse trot'].sort());
    expect(await titles({ since: at(5).toISOString(), until: at(10).toISOString() })).toEqual(['running Dog', 'Cat jumps', 'dog 100% fetch', 'Bird'].sort());
    expect(await titles({ search: 'dog', authorId: owner.userId })).toEqual(['Walking dog']);
    expect(await titles({ search: 'nothing like this' })).toEqual([]);
  });

  it('explanations: status, method, model, video, author, dates and search on video title / model name', async () => {
    const ids = async (filter: Record<string, unknown>) => (await walk('explanations', { filter })).map((n) => n.id).sort();
    const pick = (...i: number[]) => i.map((k) => explanationIds[k]!).sort();
    expect(await ids({ method: 'ep' })).toEqual(pick(2, 5, 7));
    expect(await ids({ status: 'DONE', method: 'fep' })).toEqual(pick(0, 1, 3, 8));
    expect(await ids({ modelId: modelB })).toEqual(pick(2, 3, 6));
    expect(await ids({ videoId: videoIds[1] })).toEqual(pick(3, 4, 8));
    expect(await ids({ authorId: other.userId })).toEqual(pick(0, 3, 6));
    expect(await ids({ since: at(42).toISOString() })).toEqual(pick(2, 3, 6, 7));
    expect(await ids({ search: 'beta' })).toEqual(pick(2, 3, 6));
    expect(await ids({ search: 'cat JUMPS' })).toEqual(pick(5, 6, 7));
  });

  it('studies, review sessions and models: search, status, author', async () => {
    expect((await walk('studies', { filter: { search: 'ALPHA' } })).map((n) => n.name)).toEqual(['Study Alpha']);
    expect((await walk('studies', { filter: { status: 'OPEN' } })).map((n) => n.name)).toEqual(['Study delta']);
    expect((await walk('studies', { filter: { authorId: other.userId } })).length).toBe(2);
    expect((await walk('reviewSessions', { filter: { status: 'ENDED' } })).map((n) => n.title).sort()).toEqual(['Review Y', 'Review x']);
    expect((await walk('reviewSessions', { filter: { search: 'review z' } })).map((n) => n.title)).toEqual(['Review z']);
    expect((await walk('reviewSessions', { filter: { authorId: other.userId } })).length).toBe(2);
    expect((await walk('models', { filter: { search: 'NET' } })).map((n) => n.name).sort()).toEqual(['Beta-net', 'alpha-net', 'gamma-net']);
    expect((await walk('models', { filter: { authorId: other.userId } })).map((n) => n.name)).toEqual(['Beta-net']);
    expect((await walk('models', { filter: { format: 'onnx' } })).map((n) => n.name)).toEqual(['Beta-net']);
  });

  it('filters over the walk under every sort keep the cursor right', async () => {
    for (const sort of ['NEWEST', 'OLDEST', 'NAME'] as const) {
      const all = (await pageOf('explanations', { sort, first: 100, filter: { modelId: modelA } })).nodes.map((n) => n.id);
      expect(all).toHaveLength(6);
      expect((await walk('explanations', { sort, filter: { modelId: modelA } }, 1)).map((n) => n.id)).toEqual(all);
    }
  });
});

describe('bad values are BAD_USER_INPUT on their field, before the database', () => {
  const cases: Array<[ListName, Record<string, unknown>, string]> = [
    ['explanations', { filter: { method: 'no-such-method' } }, 'filter.method'],
    ['videos', { filter: { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' } }, 'filter.until'],
    ['studies', { filter: { search: 'x'.repeat(201) } }, 'filter.search'],
    ['reviewSessions', { filter: { since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' } }, 'filter.until'],
    ['models', { filter: { search: 'y'.repeat(500) } }, 'filter.search'],
  ];
  for (const [list, vars, field] of cases) {
    it(`${list} ${field}`, async () => {
      const res = await owner.client.gql(op(list), { teamId, ...vars });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res.errors)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.fields).toHaveProperty([field]);
    });
  }

  it('an unknown sort or status is refused by the schema (BAD_USER_INPUT)', async () => {
    for (const vars of [{ sort: 'SIDEWAYS' }, { filter: { status: 'LOST' } }, { filter: { since: 'not a date' } }]) {
      const res = await owner.client.gql(op('videos'), { teamId, ...vars });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
      expect(res.data).toBeNull();
    }
  });
});
