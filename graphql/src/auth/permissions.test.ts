import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@fep/db';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { PERMISSIONS, type Permission } from './permissions.ts';

/**
 * Authorisation matrix: every role of team A against team A's objects (allowed exactly when the
 * permission matrix says so) and against team B's (never allowed, never leaking data).
 */
const ROLES: Role[] = ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'];

interface Fixture {
  teamId: string;
  videoId: string;
  explanationId: string;
  modelId: string;
  /** A fresh video, for operations that consume one (delete). */
  newVideo(): Promise<string>;
}

interface Op {
  name: string;
  permission: Permission;
  run(c: TestClient, f: Fixture): Promise<{ errors?: { extensions?: Record<string, any> }[]; data: any }>;
}

const OPS: Op[] = [
  { name: 'team', permission: 'team.read', run: (c, f) => c.gql(`query($id: ID!) { team(id: $id) { id name } }`, { id: f.teamId }) },
  { name: 'renameTeam', permission: 'team.rename', run: (c, f) => c.gql(`mutation($id: ID!) { renameTeam(teamId: $id, name: "Renamed") { id } }`, { id: f.teamId }) },
  { name: 'team.invitations', permission: 'team.members.manage', run: (c, f) => c.gql(`query($id: ID!) { team(id: $id) { invitations { nodes { id } } } }`, { id: f.teamId }) },
  { name: 'inviteMember', permission: 'team.members.manage', run: (c, f) => c.gql(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, { i: { teamId: f.teamId, email: `x${Math.random()}@example.com`, role: 'RATER' } }) },
  { name: 'auditEvents', permission: 'audit.read', run: (c, f) => c.gql(`query($id: ID!) { auditEvents(teamId: $id) { nodes { id action } } }`, { id: f.teamId }) },
  { name: 'verifyAuditChain', permission: 'audit.read', run: (c, f) => c.gql(`query($id: ID!) { verifyAuditChain(teamId: $id) { ok } }`, { id: f.teamId }) },
  { name: 'videos', permission: 'video.read', run: (c, f) => c.gql(`query($id: ID!) { videos(teamId: $id) { nodes { id title } } }`, { id: f.teamId }) },
  { name: 'video', permission: 'video.read', run: (c, f) => c.gql(`query($id: ID!) { video(id: $id) { id title } }`, { id: f.videoId }) },
  { name: 'models', permission: 'model.read', run: (c, f) => c.gql(`query($id: ID!) { models(teamId: $id) { nodes { id } } }`, { id: f.teamId }) },
  { name: 'explanations', permission: 'explanation.read', run: (c, f) => c.gql(`query($id: ID!) { explanations(teamId: $id) { nodes { id } } }`, { id: f.teamId }) },
  { name: 'explanation', permission: 'explanation.read', run: (c, f) => c.gql(`query($id: ID!) { explanation(id: $id) { id method } }`, { id: f.explanationId }) },
  { name: 'requestExplanation', permission: 'explanation.request', run: (c, f) => c.gql(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, { i: { teamId: f.teamId, videoId: f.videoId, modelId: f.modelId } }) },
  { name: 'deleteVideo', permission: 'video.write', run: async (c, f) => c.gql(`mutation($id: ID!) { deleteVideo(id: $id) { id } }`, { id: await f.newVideo() }) },
];

let api: TestApi;
const clients = new Map<Role, TestClient>();
let teamA: Fixture;
let teamB: Fixture;

async function makeTeam(owner: TestClient, name: string): Promise<Fixture> {
  const { createTeam } = await owner.ok<any>(`mutation($n: String!) { createTeam(input: { name: $n }) { id } }`, { n: name });
  const db = api.runtime.db;
  const ownerRow = await db.membership.findFirstOrThrow({ where: { teamId: createTeam.id } });
  const stored = await api.runtime.storage.putBuffer(Buffer.from(`video bytes for ${name}`));
  const newVideo = async () =>
    (
      await db.video.create({
        data: {
          teamId: createTeam.id,
          uploadedById: ownerRow.userId,
          title: `${name} clip`,
          filename: 'clip.mp4',
          sha256: stored.sha256,
          sizeBytes: BigInt(stored.size),
          status: 'READY',
        },
      })
    ).id;
  const video = await db.video.create({
    data: {
      teamId: createTeam.id,
      uploadedById: ownerRow.userId,
      title: `${name} clip`,
      filename: 'clip.mp4',
      sha256: stored.sha256,
      sizeBytes: BigInt(stored.size),
      status: 'READY',
    },
  });
  const model = await db.model.create({
    data: {
      teamId: createTeam.id,
      name: `${name}-model`,
      version: '1',
      format: 'layers-model',
      manifest: {},
      labels: ['a', 'b'],
      weightsSha256: 'f'.repeat(64),
    },
  });
  const explanation = await db.explanation.create({
    data: { teamId: createTeam.id, videoId: video.id, modelId: model.id, requestedById: ownerRow.userId, method: 'fep', params: {} },
  });
  return { teamId: createTeam.id, videoId: video.id, explanationId: explanation.id, modelId: model.id, newVideo };
}

beforeAll(async () => {
  api = await startTestApi();
  const owner = await api.signUp('Owner');
  clients.set('OWNER', owner.client);
  teamA = await makeTeam(owner.client, 'Alpha');
  for (const role of ROLES.filter((r) => r !== 'OWNER')) {
    const member = await api.signUp(role);
    const { inviteMember } = await owner.client.ok<any>(
      `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`,
      { i: { teamId: teamA.teamId, email: member.email, role } },
    );
    await member.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: inviteMember.token });
    clients.set(role, member.client);
  }
  const other = await api.signUp('Other');
  teamB = await makeTeam(other.client, 'Beta');
});

afterAll(async () => {
  await api?.close();
});

const DENIED = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

describe.each(ROLES)('%s', (role) => {
  for (const op of OPS) {
    const allowed = (PERMISSIONS[op.permission] as readonly Role[]).includes(role);
    it(`${op.name} on own team is ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
      const res = await op.run(clients.get(role)!, teamA);
      const code = res.errors?.[0]?.extensions?.code;
      if (allowed) expect(DENIED.has(code), JSON.stringify(res.errors)).toBe(false);
      else expect(code).toBe('FORBIDDEN');
    });
    it(`${op.name} on another team is refused without data`, async () => {
      const res = await op.run(clients.get(role)!, teamB);
      expect(['FORBIDDEN', 'NOT_FOUND']).toContain(res.errors?.[0]?.extensions?.code);
      const payload = res.data ? Object.values(res.data).filter((v) => v !== null) : [];
      expect(payload).toEqual([]);
    });
  }
});

describe('role management rules', () => {
  it('an ADMIN cannot make someone OWNER; only an OWNER can', async () => {
    const admin = clients.get('ADMIN')!;
    const rater = await api.runtime.db.membership.findFirstOrThrow({ where: { teamId: teamA.teamId, role: 'RATER' } });
    const res = await admin.gql(`mutation($i: ChangeRoleInput!) { changeMemberRole(input: $i) { role } }`, {
      i: { teamId: teamA.teamId, userId: rater.userId, role: 'OWNER' },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the last OWNER cannot be demoted', async () => {
    const owner = await api.runtime.db.membership.findFirstOrThrow({ where: { teamId: teamA.teamId, role: 'OWNER' } });
    const res = await clients.get('OWNER')!.gql(`mutation($i: ChangeRoleInput!) { changeMemberRole(input: $i) { role } }`, {
      i: { teamId: teamA.teamId, userId: owner.userId, role: 'ADMIN' },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('a team-restricted API token cannot reach the user’s other teams', async () => {
    const owner = clients.get('OWNER')!;
    const { createTeam } = await owner.ok<any>(`mutation { createTeam(input: { name: "Gamma" }) { id } }`);
    const { createApiToken } = await owner.ok<any>(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
      { i: { name: 'alpha only', teamId: teamA.teamId } },
    );
    const bot = api.client();
    bot.bearer = createApiToken.token;
    expect((await bot.gql(`query($id: ID!) { videos(teamId: $id) { nodes { id } } }`, { id: teamA.teamId })).errors).toBeUndefined();
    const res = await bot.gql(`query($id: ID!) { videos(teamId: $id) { nodes { id } } }`, { id: createTeam.id });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
