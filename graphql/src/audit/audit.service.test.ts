import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgConfigFromUrl } from '@fep/db';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { canonicalJson } from '@fep/db';
import { appendAuditEvent, eventHash, GENESIS_HASH } from './audit.service.ts';

let api: TestApi;
let owner: TestClient;
let ownerId: string;
let teamId: string;
let sql: pg.Client;

beforeAll(async () => {
  api = await startTestApi();
  const signedUp = await api.signUp('Auditee');
  owner = signedUp.client;
  ownerId = signedUp.userId;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Audited" }) { id } }`)).createTeam.id;
  for (const name of ['One', 'Two', 'Three']) {
    await owner.ok(`mutation($id: ID!, $n: String!) { renameTeam(teamId: $id, name: $n) { id } }`, { id: teamId, n: name });
  }
  sql = new pg.Client(pgConfigFromUrl(api.runtime.config.databaseUrl!));
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await api?.close();
});

const VERIFY = `query($id: ID!) { verifyAuditChain(teamId: $id) { ok checked firstBrokenEventId } }`;

describe('canonical JSON and hashing', () => {
  it('sorts keys and drops undefined, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: undefined })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ z: { y: 2, x: 1 } })).toBe(canonicalJson({ z: { x: 1, y: 2 } }));
  });

  it('matches a hand-computed sha256 for the first event of a chain', () => {
    const event = {
      chain: 't1',
      seq: 1,
      teamId: 't1',
      actorId: 'u1',
      action: 'team.created',
      subjectType: 'Team',
      subjectId: 't1',
      payload: { name: 'A' },
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
    };
    // echo -n '0000…0000{"action":"team.created",…}' | sha256sum
    const body =
      '{"action":"team.created","actorId":"u1","chain":"t1","createdAt":"2026-01-01T00:00:00.000Z","payload":{"name":"A"},"seq":1,"subjectId":"t1","subjectType":"Team","teamId":"t1"}';
    const expected = createHash('sha256').update(GENESIS_HASH + body).digest('hex');
    expect(eventHash(GENESIS_HASH, event)).toBe(expected);
  });
});

describe('audit chain', () => {
  it('records every state change of the team as a linked chain', async () => {
    const { auditEvents } = await owner.ok<any>(`query($id: ID!) { auditEvents(teamId: $id, first: 100) { nodes { seq action prevHash hash } pageInfo { hasNextPage } } }`, { id: teamId });
    expect(auditEvents.nodes.map((e: any) => e.action)).toEqual(['team.created', 'team.renamed', 'team.renamed', 'team.renamed']);
    expect(auditEvents.nodes.map((e: any) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(auditEvents.pageInfo.hasNextPage).toBe(false);
    for (let i = 1; i < auditEvents.nodes.length; i++) {
      expect(auditEvents.nodes[i].prevHash).toBe(auditEvents.nodes[i - 1].hash);
    }
    expect((await owner.ok<any>(VERIFY, { id: teamId })).verifyAuditChain).toEqual({ ok: true, checked: 4, firstBrokenEventId: null });
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(sql.query(`UPDATE "AuditEvent" SET action = 'x' WHERE "teamId" = $1`, [teamId])).rejects.toThrow(/append-only/);
    await expect(sql.query(`DELETE FROM "AuditEvent" WHERE "teamId" = $1`, [teamId])).rejects.toThrow(/append-only/);
    await expect(sql.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    expect((await sql.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "teamId" = $1`, [teamId])).rows[0].n).toBe(4);
  });

  it('an edit made by a superuser bypassing the trigger is detected and named', async () => {
    const { rows } = await sql.query(`SELECT id FROM "AuditEvent" WHERE chain = $1 AND seq = 3`, [teamId]);
    const tampered = rows[0].id as string;
    await sql.query(`SET session_replication_role = replica`);
    await sql.query(`UPDATE "AuditEvent" SET payload = '{"name":"Forged"}' WHERE id = $1`, [tampered]);
    await sql.query(`SET session_replication_role = origin`);
    const { verifyAuditChain } = await owner.ok<any>(VERIFY, { id: teamId });
    expect(verifyAuditChain).toEqual({ ok: false, checked: 2, firstBrokenEventId: tampered });
  });

  it('concurrent writers never fork the chain', async () => {
    const other = (await api.signUp('Busy')).client;
    const id = (await other.ok<any>(`mutation { createTeam(input: { name: "Busy" }) { id } }`)).createTeam.id;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        other.ok(`mutation($id: ID!, $n: String!) { renameTeam(teamId: $id, name: $n) { id } }`, { id, n: `n${i}` }),
      ),
    );
    expect((await other.ok<any>(VERIFY, { id })).verifyAuditChain).toEqual({ ok: true, checked: 13, firstBrokenEventId: null });
  });
});

describe('listing with filters (the audit-log page)', () => {
  const LIST = `query($id: ID!, $action: String, $actorId: ID, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
    auditEvents(teamId: $id, action: $action, actorId: $actorId, since: $since, until: $until, first: $first, after: $after) {
      nodes { seq action actorId actor { id name } createdAt }
      pageInfo { hasNextPage endCursor }
    }
  }`;
  let otherId: string;
  const list = async (vars: Record<string, unknown>) => (await owner.ok<any>(LIST, { id: teamId, ...vars })).auditEvents;
  const seqs = async (vars: Record<string, unknown>) => (await list(vars)).nodes.map((e: any) => e.seq);

  beforeAll(async () => {
    // Someone else's event (seq 5) and one the system records with no actor (seq 6).
    otherId = (await api.signUp('Other Person')).userId;
    await api.runtime.db.$transaction(async (tx) => {
      await appendAuditEvent(tx, { teamId, actorId: otherId, action: 'video.uploaded', subjectType: 'Video', subjectId: 'v1', payload: {} });
      await appendAuditEvent(tx, { teamId, actorId: null, action: 'retention.applied', subjectType: 'Team', subjectId: teamId, payload: {} });
    });
  });

  it('names the actor of each event (null for the system)', async () => {
    const { nodes } = await list({});
    expect(nodes.map((e: any) => [e.seq, e.actor?.name ?? null])).toEqual([
      [1, 'Auditee'], [2, 'Auditee'], [3, 'Auditee'], [4, 'Auditee'], [5, 'Other Person'], [6, null],
    ]);
    expect(nodes[0].actor.id).toBe(ownerId);
  });

  it('filters by action (exact or a prefix ending in a dot) and by actor', async () => {
    expect(await seqs({ action: 'team.renamed' })).toEqual([2, 3, 4]);
    expect(await seqs({ action: 'team.' })).toEqual([1, 2, 3, 4]);
    expect(await seqs({ action: 'team' })).toEqual([]);
    expect(await seqs({ actorId: otherId })).toEqual([5]);
    expect(await seqs({ actorId: ownerId, action: 'team.created' })).toEqual([1]);
  });

  it('filters by a time range, both ends inclusive', async () => {
    const { nodes } = await list({});
    const at = (seq: number) => nodes.find((e: any) => e.seq === seq).createdAt as string;
    expect(await seqs({ since: at(5) })).toEqual([5, 6]);
    expect(await seqs({ until: at(1) })).toEqual(nodes.filter((e: any) => e.createdAt <= at(1)).map((e: any) => e.seq));
    expect(await seqs({ since: at(5), until: at(5) })).toEqual(nodes.filter((e: any) => e.createdAt === at(5)).map((e: any) => e.seq));
    const bad = await owner.gql(LIST, { id: teamId, since: at(6), until: '2000-01-01T00:00:00.000Z' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('pages a filtered list with cursors, keeping the filter', async () => {
    const first = await list({ action: 'team.', first: 3 });
    expect(first.nodes.map((e: any) => e.seq)).toEqual([1, 2, 3]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await list({ action: 'team.', first: 3, after: first.pageInfo.endCursor });
    expect(next.nodes.map((e: any) => e.seq)).toEqual([4]);
    expect(next.pageInfo.hasNextPage).toBe(false);
  });
});
