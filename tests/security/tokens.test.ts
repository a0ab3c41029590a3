/**
 * Token scopes, as attacks on a real API server (PostgreSQL + Redis): a token restricted
 * to team B minted an unrestricted token that renamed team C, and revoked the user's other
 * tokens. Now a token never mints, lists or revokes a token broader than itself, and each scope
 * does exactly what docs/permissions.md#api-tokens says, across the scope × team matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';

type Scope = 'READ' | 'WRITE' | 'ADMIN';
const SCOPES: Scope[] = ['READ', 'WRITE', 'ADMIN'];

let api: TestApi;
let owner: TestClient;
let userId: string;
let teamB: string;
let teamC: string;

async function mint(as: TestClient, input: { scope: Scope; teamId?: string | null }) {
  return as.gql<any>(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token apiToken { id teamId scope } } }`, {
    i: { name: `t-${input.scope}`, ...input },
  });
}

function tokenClient(secret: string): TestClient {
  const c = api.client();
  c.bearer = secret;
  return c;
}

async function newVideo(teamId: string): Promise<string> {
  const stored = await api.runtime.storage.putBuffer(Buffer.from(`clip ${Math.random()}`));
  const v = await api.runtime.db.video.create({
    data: { teamId, uploadedById: userId, title: 'clip', filename: 'clip.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY' },
  });
  return v.id;
}

beforeAll(async () => {
  api = await startTestApi();
  const u = await api.signUp('Owner');
  owner = u.client;
  userId = u.userId;
  teamB = (await owner.ok<any>(`mutation { createTeam(input: { name: "Team B" }) { id } }`)).createTeam.id;
  teamC = (await owner.ok<any>(`mutation { createTeam(input: { name: "Team C" }) { id } }`)).createTeam.id;
});
afterAll(async () => {
  await api?.close();
});

describe('a team-restricted token cannot escape its team', () => {
  let restricted: TestClient;
  let unrestrictedId: string;
  beforeAll(async () => {
    const r = await mint(owner, { scope: 'ADMIN', teamId: teamB });
    restricted = tokenClient(r.data.createApiToken.token);
    unrestrictedId = (await mint(owner, { scope: 'ADMIN', teamId: null })).data.createApiToken.apiToken.id;
  });

  it('cannot mint an unrestricted token, nor one for another team', async () => {
    for (const teamId of [null, undefined, teamC]) {
      const res = await mint(restricted, { scope: 'READ', teamId });
      expect(res.errors?.[0]?.extensions?.code, `teamId ${teamId}`).toBe('FORBIDDEN');
    }
    expect(await api.runtime.db.apiToken.count({ where: { userId, teamId: null, name: 't-READ' } })).toBe(0);
  });

  it('cannot rename team C, directly or through a minted token', async () => {
    const res = await restricted.gql(`mutation($t: ID!) { renameTeam(teamId: $t, name: "pwned") { id } }`, { t: teamC });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await api.runtime.db.team.findUniqueOrThrow({ where: { id: teamC } })).name).toBe('Team C');
  });

  it('cannot revoke or even see the user’s broader tokens', async () => {
    const res = await restricted.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: unrestrictedId });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await api.runtime.db.apiToken.findUniqueOrThrow({ where: { id: unrestrictedId } })).revokedAt).toBeNull();
    const list = await restricted.ok<any>(`{ apiTokens(first: 100) { nodes { id teamId } } }`);
    expect(list.apiTokens.nodes.length).toBeGreaterThan(0);
    for (const t of list.apiTokens.nodes) expect(t.teamId).toBe(teamB);
  });

  it('may mint and revoke tokens within its own reach', async () => {
    const res = await mint(restricted, { scope: 'WRITE', teamId: teamB });
    expect(res.errors).toBeUndefined();
    const id = res.data.createApiToken.apiToken.id;
    const rev = await restricted.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id });
    expect(rev.data?.revokeApiToken?.revokedAt).toBeTruthy();
  });

  it('cannot create or join teams', async () => {
    const res = await restricted.gql(`mutation { createTeam(input: { name: "Escape" }) { id } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('scope × team matrix', () => {
  const outcome = (res: { errors?: { extensions?: Record<string, any> }[] }) => res.errors?.[0]?.extensions?.code ?? 'OK';
  for (const scope of SCOPES) {
    for (const restriction of ['team B', 'none'] as const) {
      it(`${scope} token restricted to ${restriction}`, async () => {
        const minted = await mint(owner, { scope, teamId: restriction === 'none' ? null : teamB });
        const c = tokenClient(minted.data.createApiToken.token);
        const writes = scope !== 'READ';
        const admin = scope === 'ADMIN';
        // Reads in its team.
        expect(outcome(await c.gql(`query($t: ID!) { team(id: $t) { id name } }`, { t: teamB }))).toBe('OK');
        // A WRITE mutation in its team.
        expect(outcome(await c.gql(`mutation($v: ID!) { deleteVideo(id: $v) { id } }`, { v: await newVideo(teamB) }))).toBe(writes ? 'OK' : 'FORBIDDEN');
        // Team administration in its team.
        expect(outcome(await c.gql(`mutation($t: ID!) { renameTeam(teamId: $t, name: "Team B") { id } }`, { t: teamB }))).toBe(admin ? 'OK' : 'FORBIDDEN');
        expect(outcome(await c.gql(`query($t: ID!) { team(id: $t) { invitations { nodes { id } } } }`, { t: teamB }))).toBe(admin ? 'OK' : 'FORBIDDEN');
        // Token management.
        expect(outcome(await c.gql(`{ apiTokens { nodes { id } } }`))).toBe(admin ? 'OK' : 'FORBIDDEN');
        // Team C: outside a team-B token's reach whatever its scope.
        const inC = restriction === 'none';
        expect(outcome(await c.gql(`query($t: ID!) { team(id: $t) { id } }`, { t: teamC }))).toBe(inC ? 'OK' : 'NOT_FOUND');
        expect(outcome(await c.gql(`mutation($t: ID!) { renameTeam(teamId: $t, name: "Team C") { id } }`, { t: teamC }))).toBe(
          inC && admin ? 'OK' : 'FORBIDDEN',
        );
        expect(outcome(await c.gql(`mutation($v: ID!) { deleteVideo(id: $v) { id } }`, { v: await newVideo(teamC) }))).toBe(
          !writes ? 'FORBIDDEN' : inC ? 'OK' : 'NOT_FOUND',
        );
      });
    }
  }

  it('a token creates no token with a broader scope or reach than its own', async () => {
    const adminB = tokenClient((await mint(owner, { scope: 'ADMIN', teamId: teamB })).data.createApiToken.token);
    for (const scope of SCOPES) expect(outcome(await mint(adminB, { scope, teamId: teamB }))).toBe('OK');
    for (const scope of SCOPES) expect(outcome(await mint(adminB, { scope, teamId: teamC }))).toBe('FORBIDDEN');
    const writeAll = tokenClient((await mint(owner, { scope: 'WRITE', teamId: null })).data.createApiToken.token);
    for (const scope of SCOPES) expect(outcome(await mint(writeAll, { scope, teamId: null }))).toBe('FORBIDDEN');
  });
});
