import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing/test-api.ts';
import { MAX_QUERY_COST, MAX_QUERY_DEPTH } from './apollo.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

async function countRows() {
  const db = api.runtime.db;
  return [await db.user.count(), await db.team.count(), await db.auditEvent.count()];
}

describe('bad input gets a typed error and changes nothing', () => {
  it('health is public and all true', async () => {
    const res = await api.client().ok<any>(`{ health { ok database queue storage } }`);
    expect(res.health).toEqual({ ok: true, database: true, queue: true, storage: true });
  });

  it('malformed GraphQL → BAD_USER_INPUT', async () => {
    const before = await countRows();
    const res = await api.client().gql(`mutation { signUp(input: { email: "a@b.c" `);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countRows()).toEqual(before);
  });

  it('a body that is not JSON → 400', async () => {
    const { status } = await api.client().raw('{not json');
    expect(status).toBe(400);
  });

  it('unknown fields and unknown input fields → BAD_USER_INPUT', async () => {
    const before = await countRows();
    const a = await api.client().gql(`{ health { ok secretField } }`);
    expect(a.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const b = await api.client().gql(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: 'x@example.com', password: 'long enough pw', name: 'X', isAdmin: true },
    });
    expect(b.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await countRows()).toEqual(before);
  });

  it(`queries deeper than ${MAX_QUERY_DEPTH} are refused before resolvers run`, async () => {
    const { client } = await api.signUp('Deep');
    const before = await countRows();
    let deep = 'user { id }';
    for (let i = 0; i < 6; i++) deep = `team { members(first: 1) { nodes { ${deep} } } }`;
    const res = await client.gql(`{ viewer { memberships(first: 1) { nodes { ${deep} } } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/too deep/);
    expect(res.data ?? null).toBeNull();
    expect(await countRows()).toEqual(before);
  });

  it(`queries costing more than ${MAX_QUERY_COST} are refused`, async () => {
    const { client } = await api.signUp('Wide');
    // Within the depth and alias limits: only the page sizes make it expensive (100 × 100 × 3).
    const res = await client.gql(`{ teams { nodes { members { nodes { user { id name email } } } } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/too expensive/);
  });

  it('wrong argument types → BAD_USER_INPUT', async () => {
    const { client } = await api.signUp('Types');
    const res = await client.gql(`query($l: Int) { auditEvents(teamId: "x", first: $l) { pageInfo { hasNextPage } } }`, { l: 'many' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
