import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing/test-api.ts';

/**
 * The public invitationPreview query: for a link that can still be accepted it names the team,
 * the role and the inviter — nothing else — to anyone holding it, signed in or not; every other
 * token (unknown, malformed, revoked, used, expired) gets the same null.
 */
let api: TestApi;
let owner: Awaited<ReturnType<TestApi['signUp']>>;
let teamId: string;
const PREVIEW = `query($t: String!) { invitationPreview(token: $t) { teamName role invitedByName expiresAt } }`;

async function invite(email: string, role = 'REVIEWER') {
  const r = await owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token invitation { id } } }`, { i: { teamId, email, role } });
  return { token: r.inviteMember.token as string, id: r.inviteMember.invitation.id as string };
}

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Olga Owner');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Plausibility Lab" }) { id } }`)).createTeam.id;
});
afterAll(async () => {
  await api?.close();
});

describe('invitationPreview', () => {
  it('names the team, the role and the inviter to a signed-out visitor, and only those', async () => {
    const { token } = await invite('newcomer@example.com', 'AUDITOR');
    const res = await api.client().raw(JSON.stringify({ query: PREVIEW, variables: { t: token } }));
    expect(res.json.errors).toBeUndefined();
    const p = res.json.data.invitationPreview;
    expect({ ...p, expiresAt: undefined }).toEqual({ teamName: 'Plausibility Lab', role: 'AUDITOR', invitedByName: 'Olga Owner', expiresAt: undefined });
    expect(new Date(p.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Nothing else: no email, no ids.
    expect(JSON.stringify(res.json)).not.toMatch(/newcomer@example\.com|cm[a-z0-9]{20,}/);
    const more = await api.client().gql(`query($t: String!) { invitationPreview(token: $t) { teamName team { id } } }`, { t: token });
    expect(more.errors?.[0]?.message).toMatch(/Cannot query field "team"/);
  });

  it('answers null, the same for each, to unknown, malformed, revoked, used and expired tokens', async () => {
    const revoked = await invite('revoked@example.com');
    await owner.client.ok(`mutation($id: ID!) { revokeInvitation(id: $id) { id } }`, { id: revoked.id });
    const joiner = await api.signUp('Jo Joiner');
    const used = await invite(joiner.email);
    await joiner.client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: used.token });
    const expired = await invite('late@example.com');
    await api.runtime.db.invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const answers = [];
    for (const t of ['x'.repeat(43), 'short', '', revoked.token, used.token, expired.token]) {
      const res = await api.client().raw(JSON.stringify({ query: PREVIEW, variables: { t } }));
      answers.push(res.json);
    }
    for (const a of answers) expect(a).toEqual({ data: { invitationPreview: null } });
  });
});
