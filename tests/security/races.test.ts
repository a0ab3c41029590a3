/**
 * Team invariants under concurrency (last owner, invitation acceptance, sign-up), fired in parallel at a real API server on real PostgreSQL:
 * two owners demoting (or removing) each other at once left a team with no owner; racing
 * acceptInvitation/signUp answered INTERNAL. The database now decides (row locks, unique
 * indexes): exactly one racer wins and the others get CONFLICT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';

let api: TestApi;
const codes = (results: { errors?: { extensions?: Record<string, any> }[] }[]) =>
  results.map((r) => r.errors?.[0]?.extensions?.code ?? 'OK').sort();

beforeAll(async () => {
  api = await startTestApi();
  // This file signs up ~40 users from one address; the sign-up limit is tested in limits.test.ts.
  api.runtime.config.rateLimits.signUpsPerAddress = { points: 1000, windowSec: 3600 };
});
afterAll(async () => {
  await api?.close();
});

async function twoOwnerTeam(): Promise<{ teamId: string; a: { client: TestClient; userId: string }; b: { client: TestClient; userId: string } }> {
  const a = await api.signUp('OwnerA');
  const b = await api.signUp('OwnerB');
  const teamId = (await a.client.ok<any>(`mutation { createTeam(input: { name: "Race" }) { id } }`)).createTeam.id;
  const inv = await a.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, { i: { teamId, email: b.email, role: 'OWNER' } });
  await b.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
  return { teamId, a, b };
}

const owners = (teamId: string) => api.runtime.db.membership.count({ where: { teamId, role: 'OWNER' } });
const DEMOTE = `mutation($i: ChangeRoleInput!) { changeMemberRole(input: $i) { role } }`;
const REMOVE = `mutation($t: ID!, $u: ID!) { removeMember(teamId: $t, userId: $u) }`;

describe('last owner under concurrency', () => {
  it('two owners demoting each other at the same moment: exactly one succeeds, the other gets CONFLICT', async () => {
    for (let round = 0; round < 5; round++) {
      const { teamId, a, b } = await twoOwnerTeam();
      const results = await Promise.all([
        a.client.gql(DEMOTE, { i: { teamId, userId: b.userId, role: 'ADMIN' } }),
        b.client.gql(DEMOTE, { i: { teamId, userId: a.userId, role: 'ADMIN' } }),
      ]);
      expect(codes(results), JSON.stringify(results)).toEqual(['CONFLICT', 'OK']);
      expect(await owners(teamId)).toBe(1);
    }
  });

  it('two owners removing each other (or leaving) at the same moment keep one owner', async () => {
    for (let round = 0; round < 5; round++) {
      const { teamId, a, b } = await twoOwnerTeam();
      const results = await Promise.all([
        a.client.gql(REMOVE, { t: teamId, u: b.userId }),
        b.client.gql(REMOVE, { t: teamId, u: round % 2 ? b.userId : a.userId }),
      ]);
      expect(await owners(teamId)).toBe(1);
      expect(codes(results).filter((c) => c === 'OK').length).toBeGreaterThanOrEqual(1);
      for (const c of codes(results)) expect(['OK', 'CONFLICT', 'NOT_FOUND']).toContain(c);
    }
  });
});

describe('single acceptance and unique sign-up', () => {
  it('one invitation accepted 10 times in parallel: one membership, the rest CONFLICT', async () => {
    const owner = await api.signUp('Host');
    const guest = await api.signUp('Guest');
    const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Accept" }) { id } }`)).createTeam.id;
    const inv = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: guest.email, role: 'REVIEWER' },
    });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => guest.client.gql(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token })),
    );
    expect(codes(results), JSON.stringify(results)).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect(await api.runtime.db.membership.count({ where: { teamId, userId: guest.userId } })).toBe(1);
  });

  it('10 parallel sign-ups with one email: one account, the rest CONFLICT (not INTERNAL)', async () => {
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.client().gql(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
          i: { email, password: 'correct horse battery staple', name: 'Racer' },
        }),
      ),
    );
    expect(codes(results), JSON.stringify(results.map((r) => r.errors?.[0]?.message))).toEqual([...Array(9).fill('CONFLICT'), 'OK']);
    expect(await api.runtime.db.user.count({ where: { email } })).toBe(1);
  });
});
