/**
 * Query-cost attacks on a real API server (PostgreSQL + Redis): a nested
 * list bomb, alias floods (signed in and anonymous), repeated expensive audit checks, and a
 * heavy-but-allowed query in a loop while another user works. Each is refused before any
 * resolver runs, or bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';
import { QUERY_LIMITS } from '@fep/api/server/query-limits.ts';
import { EXPENSIVE_LIMITS } from '@fep/api/common/rate-limit.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;

beforeAll(async () => {
  api = await startTestApi();
  owner = (await api.signUp('Owner')).client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Cost" }) { id } }`)).createTeam.id;
  // A 12-member team, as in the finding.
  for (let i = 0; i < 11; i++) {
    const { client, email } = await api.signUp(`Member${i}`);
    const inv = await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email, role: 'REVIEWER' },
    });
    await client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
  }
});

afterAll(async () => {
  await api?.close();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

describe('query costs', () => {
  it('refuses team{members{team{members{…}}}} (depth 9) by cost, fast, before any resolver', async () => {
    // Within the depth limit, so only the cost model can refuse it: 100 × 100 × 100 member rows.
    let inner = 'user { id name email }';
    for (let i = 0; i < 2; i++) inner = `team { members { nodes { ${inner} } } }`;
    const query = `query($t: ID!) { team(id: $t) { members { nodes { ${inner} } } } }`;
    const { ms, value: res } = await timed(() => owner.gql(query, { t: teamId }));
    console.log(`deep members attack refused in ${ms.toFixed(0)} ms: ${res.errors?.[0]?.message}`);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.cost).toBeGreaterThan(QUERY_LIMITS.maxCost);
    expect(ms).toBeLessThan(1000);
  });

  it('refuses 100 aliases', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `t${i}: team(id: $t) { id name }`).join(' ');
    const res = await owner.gql(`query($t: ID!) { ${aliases} }`, { t: teamId });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.aliases).toBe(100);
  });

  it('refuses 500 aliased anonymous health fields, and 5 aliases run the probes once', async () => {
    const calls = { database: 0, queue: 0, storage: 0 };
    const probes = api.runtime.probes as unknown as Record<keyof typeof calls, () => Promise<boolean>>;
    for (const name of Object.keys(calls) as (keyof typeof calls)[]) {
      const real = probes[name]!.bind(probes);
      probes[name] = () => {
        calls[name]++;
        return real();
      };
    }
    const anon = api.client();
    const flood = await anon.gql(`{ ${Array.from({ length: 500 }, (_, i) => `h${i}: health { ok database queue storage }`).join(' ')} }`);
    expect(flood.data ?? null).toBeNull();
    expect(flood.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls).toEqual({ database: 0, queue: 0, storage: 0 });

    const five = await anon.gql(`{ ${Array.from({ length: 5 }, (_, i) => `h${i}: health { ok database queue storage }`).join(' ')} }`);
    expect(five.errors).toBeUndefined();
    expect(Object.keys(five.data!)).toHaveLength(5);
    expect(calls).toEqual({ database: 1, queue: 1, storage: 1 });
  });

  it(`verifyAuditChain: the call after ${EXPENSIVE_LIMITS.verifyAuditChain.limit} in a minute is RATE_LIMITED`, async () => {
    const q = `query($t: ID!) { verifyAuditChain(teamId: $t) { ok checked } }`;
    for (let i = 0; i < EXPENSIVE_LIMITS.verifyAuditChain.limit; i++) {
      const ok = await owner.gql(q, { t: teamId });
      expect(ok.errors, `call ${i + 1}`).toBeUndefined();
    }
    const limited = await owner.gql(q, { t: teamId });
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.errors?.[0]?.extensions?.retryAfterSec).toBeGreaterThan(0);
    expect(limited.errors?.[0]?.extensions?.retryAfterSec).toBeLessThanOrEqual(60);
  });

  it("keeps another user's simple query fast while an attacker loops the heaviest allowed query", async () => {
    const attacker = await api.signUp('Attacker');
    const inv = await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId, email: attacker.email, role: 'RATER' },
    });
    await attacker.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inv.inviteMember.token });
    const victim = await api.signUp('Victim');

    // As many full member pages as the limits allow (aliases ≤ 20, cost ≤ maxCost).
    const one = (i: number) =>
      `m${i}: team(id: $t) { id members(first: 100) { nodes { id role createdAt user { id name email createdAt } team { id name slug createdAt } } pageInfo { hasNextPage } } }`;
    let n = 1;
    const heavy = (k: number) => `query($t: ID!) { ${Array.from({ length: k }, (_, i) => one(i)).join(' ')} }`;
    while (n < QUERY_LIMITS.maxAliases) {
      const probe = await attacker.client.gql(heavy(n + 1), { t: teamId });
      if (probe.errors?.length) break;
      n++;
    }
    const heaviest = heavy(n);
    const check = await attacker.client.gql(heaviest, { t: teamId });
    expect(check.errors).toBeUndefined();

    let stop = false;
    let attackerRequests = 0;
    const loops = Array.from({ length: 4 }, async () => {
      const c = api.client();
      c.cookie = attacker.client.cookie;
      while (!stop) {
        await c.gql(heaviest, { t: teamId });
        attackerRequests++;
      }
    });
    const latencies: number[] = [];
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      const { ms, value } = await timed(() => victim.client.gql(`{ viewer { user { id name } } }`));
      expect(value.errors).toBeUndefined();
      latencies.push(ms);
    }
    stop = true;
    await Promise.all(loops);
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const p95 = latencies[Math.floor(latencies.length * 0.95)]!;
    console.log(
      `heaviest allowed query: ${n} aliased member pages; attacker sent ${attackerRequests} in 8 s over 4 connections; ` +
        `victim ${latencies.length} requests, p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`,
    );
    expect(p50).toBeLessThan(1000);
  });
});
