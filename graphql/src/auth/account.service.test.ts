import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { createOperatorResetLink } from './account.service.ts';

const VIEWER = `{ viewer { user { id email name } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { user { id } } }`;
const UPDATE_PROFILE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name email } }`;
const CHANGE = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { id } otherSessionsRevoked } }`;
const ISSUE = `mutation($input: IssuePasswordResetInput!) { issuePasswordReset(input: $input) { token path expiresAt email } }`;
const RESET = `mutation($input: ResetPasswordInput!) { resetPassword(input: $input) { user { id } } }`;
const NEW_PASSWORD = 'a brand new passphrase';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

async function signedIn(client: TestClient): Promise<boolean> {
  return (await client.ok<{ viewer: unknown }>(VIEWER)).viewer !== null;
}

async function loginClient(email: string, password: string) {
  const client = api.client();
  const res = await client.gql(LOGIN, { input: { email, password } });
  return { client, res };
}

/** A team owned by `owner`, with the given others as members. */
async function team(owner: { client: TestClient }, members: { userId: string; role: 'OWNER' | 'ADMIN' | 'REVIEWER' | 'RATER' | 'AUDITOR' }[]) {
  const { createTeam } = await owner.client.ok<any>(`mutation { createTeam(input: { name: "Team ${Math.random().toString(36).slice(2, 8)}" }) { id } }`);
  for (const m of members) await api.runtime.db.membership.create({ data: { teamId: createTeam.id, userId: m.userId, role: m.role } });
  return createTeam.id as string;
}

describe('profile', () => {
  it('renames the account, audits it, and refuses an empty name with a field error', async () => {
    const me = await api.signUp('Pia');
    const { updateProfile } = await me.client.ok<any>(UPDATE_PROFILE, { input: { name: '  Pia Profile ' } });
    expect(updateProfile).toEqual({ id: me.userId, name: 'Pia Profile', email: me.email });
    expect((await me.client.ok<any>(VIEWER)).viewer.user.name).toBe('Pia Profile');
    const events = await api.runtime.db.auditEvent.findMany({ where: { subjectId: me.userId, action: 'user.profile_updated' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ to: { name: 'Pia Profile' } });

    const bad = await me.client.gql(UPDATE_PROFILE, { input: { name: '   ' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.fields).toHaveProperty('name');
  });
});

describe('change password', () => {
  it('needs the current password, keeps this session, signs out every other one, and the new password logs in', async () => {
    const me = await api.signUp('Cam');
    const laptop = await loginClient(me.email, me.password);
    expect(await signedIn(laptop.client)).toBe(true);

    const wrong = await me.client.gql(CHANGE, { input: { currentPassword: 'not it at all', newPassword: NEW_PASSWORD } });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(wrong.errors?.[0]?.extensions?.fields).toHaveProperty('currentPassword');
    expect(await signedIn(laptop.client)).toBe(true);

    const short = await me.client.gql(CHANGE, { input: { currentPassword: me.password, newPassword: 'short' } });
    expect(short.errors?.[0]?.extensions?.fields).toHaveProperty('newPassword');

    const { changePassword } = await me.client.ok<any>(CHANGE, { input: { currentPassword: me.password, newPassword: NEW_PASSWORD } });
    expect(changePassword.otherSessionsRevoked).toBe(1);
    expect(await signedIn(me.client)).toBe(true);
    expect(await signedIn(laptop.client)).toBe(false);

    const row = await api.runtime.db.user.findUniqueOrThrow({ where: { id: me.userId } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await loginClient(me.email, me.password)).res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await loginClient(me.email, NEW_PASSWORD)).res.errors).toBeUndefined();
    const audit = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: me.userId, action: 'user.password_changed' } });
    expect(audit.payload).toEqual({ otherSessionsRevoked: 1 });
    expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
  });

  it('is refused for an API token, even an ADMIN one', async () => {
    const me = await api.signUp('Tok');
    const { createApiToken } = await me.client.ok<any>(`mutation { createApiToken(input: { name: "all", scope: ADMIN }) { token } }`);
    const bearer = api.client();
    bearer.bearer = createApiToken.token;
    const res = await bearer.gql(CHANGE, { input: { currentPassword: me.password, newPassword: NEW_PASSWORD } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts wrong current passwords per account: RATE_LIMITED after five, even with the right one', async () => {
    const me = await api.signUp('Lim');
    for (let i = 0; i < 5; i++) {
      const res = await me.client.gql(CHANGE, { input: { currentPassword: `wrong ${i} guess`, newPassword: NEW_PASSWORD } });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const blocked = await me.client.gql(CHANGE, { input: { currentPassword: me.password, newPassword: NEW_PASSWORD } });
    expect(blocked.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const row = await api.runtime.db.user.findUniqueOrThrow({ where: { id: me.userId } });
    expect(await (await import('./password.ts')).verifyPassword(row.passwordHash, me.password)).toBe(true);
  });
});

describe('password reset links', () => {
  it('an owner issues a one-time link; it sets the password, signs out every session, signs in, and never works twice', async () => {
    const owner = await api.signUp('Own');
    const member = await api.signUp('Mem');
    const teamId = await team(owner, [{ userId: member.userId, role: 'REVIEWER' }]);
    const { issuePasswordReset } = await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } });
    expect(issuePasswordReset.token).toMatch(/^fep_reset_[A-Za-z0-9_-]{43}$/);
    expect(issuePasswordReset.path).toBe(`/reset-password#${issuePasswordReset.token}`);
    expect(issuePasswordReset.email).toBe(member.email);
    expect(new Date(issuePasswordReset.expiresAt).getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    const rows = await api.runtime.db.passwordReset.findMany({ where: { userId: member.userId } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(issuePasswordReset.token.slice('fep_reset_'.length));
    const issued = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { teamId, action: 'user.password_reset_issued' } });
    expect(issued.actorId).toBe(owner.userId);
    expect(JSON.stringify(issued)).not.toContain(issuePasswordReset.token);

    const stranger = api.client();
    const { resetPassword } = await stranger.ok<any>(RESET, { input: { token: issuePasswordReset.token, newPassword: NEW_PASSWORD } });
    expect(resetPassword.user.id).toBe(member.userId);
    expect(await signedIn(stranger)).toBe(true);
    expect(await signedIn(member.client)).toBe(false);
    expect((await loginClient(member.email, NEW_PASSWORD)).res.errors).toBeUndefined();
    expect(await api.runtime.db.auditEvent.count({ where: { teamId, action: 'user.password_reset', actorId: member.userId } })).toBe(1);

    const again = await api.client().gql(RESET, { input: { token: issuePasswordReset.token, newPassword: 'yet another passphrase' } });
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toMatch(/not valid/);
    expect((await loginClient(member.email, NEW_PASSWORD)).res.errors).toBeUndefined();
  });

  it('two racing redemptions of one link: exactly one wins', async () => {
    const owner = await api.signUp('Race');
    const member = await api.signUp('Racer');
    const teamId = await team(owner, [{ userId: member.userId, role: 'RATER' }]);
    const { issuePasswordReset } = await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } });
    const results = await Promise.all(
      ['first passphrase!', 'second passphrase'].map((p) => api.client().gql(RESET, { input: { token: issuePasswordReset.token, newPassword: p } })),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT')).toHaveLength(1);
  });

  it('an expired link, an unknown token and a link replaced by a newer one are refused', async () => {
    const owner = await api.signUp('Exp');
    const member = await api.signUp('Expm');
    const teamId = await team(owner, [{ userId: member.userId, role: 'RATER' }]);
    const first = (await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } })).issuePasswordReset.token;
    const second = (await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } })).issuePasswordReset.token;
    expect((await api.client().gql(RESET, { input: { token: first, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await api.runtime.db.passwordReset.updateMany({ where: { userId: member.userId, revokedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await api.client().gql(RESET, { input: { token: second, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await api.client().gql(RESET, { input: { token: 'fep_reset_nonsense', newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await loginClient(member.email, member.password)).res.errors).toBeUndefined();
  });

  it('a password change revokes an outstanding link', async () => {
    const owner = await api.signUp('Chg');
    const member = await api.signUp('Chgm');
    const teamId = await team(owner, [{ userId: member.userId, role: 'RATER' }]);
    const token = (await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } })).issuePasswordReset.token;
    await member.client.ok(CHANGE, { input: { currentPassword: member.password, newPassword: NEW_PASSWORD } });
    expect((await api.client().gql(RESET, { input: { token, newPassword: 'attacker passphrase' } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('who may issue: owners and admins of every team of the member, never for a higher role', async () => {
    const owner = await api.signUp('Boss');
    const admin = await api.signUp('Adm');
    const reviewer = await api.signUp('Rev');
    const elsewhere = await api.signUp('Else');
    const teamId = await team(owner, [
      { userId: admin.userId, role: 'ADMIN' },
      { userId: reviewer.userId, role: 'REVIEWER' },
      { userId: elsewhere.userId, role: 'RATER' },
    ]);
    // The rater also belongs to a team none of them manage.
    await team(elsewhere, []);
    const code = async (who: { client: TestClient }, userId: string) => (await who.client.gql(ISSUE, { input: { teamId, userId } })).errors?.[0]?.extensions?.code;
    expect(await code(reviewer, admin.userId)).toBe('FORBIDDEN');
    expect(await code(admin, owner.userId)).toBe('FORBIDDEN');
    expect(await code(admin, reviewer.userId)).toBeUndefined();
    expect(await code(owner, admin.userId)).toBeUndefined();
    expect(await code(owner, elsewhere.userId)).toBe('FORBIDDEN');
    const outsider = await api.signUp('Out');
    expect(await code(owner, outsider.userId)).toBe('NOT_FOUND');
    expect(await code(owner, owner.userId)).toBe('BAD_USER_INPUT');
    expect(await api.runtime.db.passwordReset.count({ where: { userId: { in: [owner.userId, elsewhere.userId, outsider.userId] } } })).toBe(0);
  });

  it('redemptions are rate-limited per address before the token is looked up', async () => {
    const limits = api.runtime.config.rateLimits;
    const before = limits.passwordResetRedeemPerAddress;
    limits.passwordResetRedeemPerAddress = { points: 3, windowSec: 60 };
    try {
      const owner = await api.signUp('Rl');
      const member = await api.signUp('Rlm');
      const teamId = await team(owner, [{ userId: member.userId, role: 'RATER' }]);
      const token = (await owner.client.ok<any>(ISSUE, { input: { teamId, userId: member.userId } })).issuePasswordReset.token;
      // The test API's address is shared by every earlier redemption in this file: use a fresh window.
      await api.runtime.redis.eval(`for _,k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end`, 0, `${api.runtime.rateLimits.prefix}:reset:ip:*`);
      for (let i = 0; i < 3; i++) {
        expect((await api.client().gql(RESET, { input: { token: `fep_reset_guess${i}`, newPassword: NEW_PASSWORD } })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
      const blocked = await api.client().gql(RESET, { input: { token, newPassword: NEW_PASSWORD } });
      expect(blocked.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(await api.runtime.db.passwordReset.count({ where: { userId: member.userId, usedAt: { not: null } } })).toBe(0);
    } finally {
      limits.passwordResetRedeemPerAddress = before;
    }
  });

  it("the operator's link (scripts/reset-password.ts) works like a team-issued one and is audited without an actor", async () => {
    const member = await api.signUp('Cli');
    const link = await createOperatorResetLink(api.runtime.db, api.runtime.config.tokenPepper, ` ${member.email.toUpperCase()} `, 'http://studio.example:3000');
    expect(link.url).toMatch(/^http:\/\/studio\.example:3000\/reset-password#fep_reset_/);
    const token = link.url.split('#')[1]!;
    const event = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: member.userId, action: 'user.password_reset_issued' } });
    expect(event.actorId).toBeNull();
    expect(event.payload).toMatchObject({ via: 'operator-cli' });
    await api.client().ok(RESET, { input: { token, newPassword: NEW_PASSWORD } });
    expect((await loginClient(member.email, NEW_PASSWORD)).res.errors).toBeUndefined();
    await expect(createOperatorResetLink(api.runtime.db, api.runtime.config.tokenPepper, 'nobody@example.com', 'http://x')).rejects.toThrow(/No account/);
  });
});
