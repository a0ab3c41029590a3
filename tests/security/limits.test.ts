/**
 * Atomic abuse limits, against a real API server and Redis: 40 simultaneous wrong passwords for
 * one account were all verified (limit 5 per 15 min) because the check read, then penalised.
 * Every limit now counts the attempt atomically in Redis before the work it guards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '@fep/api/testing/test-api.ts';

let api: TestApi;
const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { user { id } } }`;
const codeOf = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {});

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('atomic limits', () => {
  it('40 parallel wrong passwords for one account: at most 5 are verified, the rest RATE_LIMITED', async () => {
    const { email, password } = await api.signUp('Victim');
    const perAccount = api.runtime.config.rateLimits.loginPerAccount.points;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => api.client().gql(LOGIN, { i: { email, password: `wrong-${i}` } })),
    );
    const t = tally(results.map(codeOf));
    console.log(`40 parallel wrong passwords → ${JSON.stringify(t)}`);
    // Each UNAUTHENTICATED answer is one password verification; a RATE_LIMITED one ran none.
    expect(t.UNAUTHENTICATED).toBe(perAccount);
    expect(t.RATE_LIMITED).toBe(40 - perAccount);
    // The account stays locked for the window, even for the right password.
    expect(codeOf(await api.client().gql(LOGIN, { i: { email, password } }))).toBe('RATE_LIMITED');
    const res = results.find((r) => codeOf(r) === 'RATE_LIMITED')!;
    expect(res.errors![0]!.extensions!.retryAfterSec).toBeGreaterThan(0);
  });

  it('a successful sign-in clears the account counter', async () => {
    const { email, password } = await api.signUp('Forgetful');
    for (let i = 0; i < 3; i++) expect(codeOf(await api.client().gql(LOGIN, { i: { email, password: 'nope-nope' } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await api.client().gql(LOGIN, { i: { email, password } }))).toBe('OK');
    for (let i = 0; i < 5; i++) expect(codeOf(await api.client().gql(LOGIN, { i: { email, password: 'nope-nope' } }))).toBe('UNAUTHENTICATED');
  });

  it('sign-ups per address: 30 in parallel against a limit of 8 → exactly 8 accounts', async () => {
    const saved = api.runtime.config.rateLimits.signUpsPerAddress;
    api.runtime.config.rateLimits.signUpsPerAddress = { points: 8, windowSec: 3600 };
    try {
      // A fresh window: this file's earlier sign-ups used the default rule's counter.
      await api.runtime.redis.del(...(await api.runtime.redis.keys(`${api.runtime.rateLimits.prefix}:signup:ip:*`)));
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          api.client().gql(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
            i: { email: `flood-${i}-${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Flood' },
          }),
        ),
      );
      expect(tally(results.map(codeOf))).toEqual({ OK: 8, RATE_LIMITED: 22 });
      expect(await api.runtime.db.user.count({ where: { email: { startsWith: 'flood-' } } })).toBe(8);
    } finally {
      api.runtime.config.rateLimits.signUpsPerAddress = saved;
    }
  });

  it('invitations per team: 12 in parallel against a limit of 4 → exactly 4 invitations', async () => {
    api.runtime.config.rateLimits.signUpsPerAddress = { points: 1000, windowSec: 3600 };
    const { client } = await api.signUp('Inviter');
    const teamId = (await client.ok<any>(`mutation { createTeam(input: { name: "Invites" }) { id } }`)).createTeam.id;
    api.runtime.config.rateLimits.invitationsPerTeam = { points: 4, windowSec: 3600 };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        client.gql(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, { i: { teamId, email: `inv${i}@example.com`, role: 'RATER' } }),
      ),
    );
    expect(tally(results.map(codeOf))).toEqual({ OK: 4, RATE_LIMITED: 8 });
    expect(await api.runtime.db.invitation.count({ where: { teamId } })).toBe(4);
  });

  it('uploads per user and explanation requests per team use the same atomic counter', async () => {
    api.runtime.config.rateLimits.uploadsPerUser = { points: 3, windowSec: 60 };
    api.runtime.config.rateLimits.explanationsPerTeam = { points: 3, windowSec: 60 };
    for (const run of [(k: string) => api.runtime.rateLimits.upload(k), (k: string) => api.runtime.rateLimits.explanationRequest(k)]) {
      const key = `k-${Math.random()}`;
      const settled = await Promise.allSettled(Array.from({ length: 20 }, () => run(key)));
      const refused = settled.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.code);
      expect(settled.filter((s) => s.status === 'fulfilled').length).toBe(3);
      expect(new Set(refused)).toEqual(new Set(['RATE_LIMITED']));
    }
  });
});
