import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../testing/test-api.ts';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { user { id email } } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { user { id } } }`;
const VIEWER = `{ viewer { user { id email } } }`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('sign-up, login, logout', () => {
  it('signs up with a hashed password and an httpOnly session cookie', async () => {
    const { client, email, userId } = await api.signUp('Ada');
    expect(client.cookie).toMatch(/^fep_session=/);
    const me = await client.ok<{ viewer: { user: { id: string; email: string } } }>(VIEWER);
    expect(me.viewer.user).toEqual({ id: userId, email });
    const row = await api.runtime.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('sets HttpOnly and SameSite on the cookie', async () => {
    const res = await fetch(`${api.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: SIGN_UP,
        variables: { input: { email: `c${Date.now()}@example.com`, password: 'long enough pw', name: 'C' } },
      }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('fep_session='))!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('rejects an invalid email with BAD_USER_INPUT and creates nothing', async () => {
    const before = await api.runtime.db.user.count();
    const res = await api.client().gql(SIGN_UP, { input: { email: 'not-an-email', password: 'long enough pw', name: 'X' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.fields).toHaveProperty('email');
    expect(await api.runtime.db.user.count()).toBe(before);
  });

  it('refuses a duplicate email with CONFLICT', async () => {
    const { email } = await api.signUp('Dup');
    const res = await api.client().gql(SIGN_UP, { input: { email, password: 'another password', name: 'Dup' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('logs in, and logout revokes the session server-side', async () => {
    const { email, password } = await api.signUp('Lin');
    const client = api.client();
    await client.ok(LOGIN, { input: { email, password } });
    const stolenCookie = client.cookie;
    expect((await client.ok<{ viewer: unknown }>(VIEWER)).viewer).not.toBeNull();
    await client.ok(`mutation { logout }`);
    expect(client.cookie).toBeUndefined();
    // Replaying the old cookie no longer authenticates: the session row is revoked.
    client.cookie = stolenCookie;
    expect((await client.ok<{ viewer: unknown }>(VIEWER)).viewer).toBeNull();
  });

  it('wrong passwords are UNAUTHENTICATED, then RATE_LIMITED even with the right password', async () => {
    const { email, password } = await api.signUp('Rate');
    const client = api.client();
    for (let i = 0; i < 5; i++) {
      const res = await client.gql(LOGIN, { input: { email, password: 'wrong password' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const blocked = await client.gql(LOGIN, { input: { email, password } });
    expect(blocked.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(blocked.errors?.[0]?.extensions?.retryAfterSec).toBeGreaterThan(0);
    expect(client.cookie).toBeUndefined();
  });

  it('an unknown email gives the same error as a wrong password', async () => {
    const res = await api.client().gql(LOGIN, { input: { email: 'nobody@example.com', password: 'whatever1' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.message).toBe('Email or password is incorrect.');
  });
});

describe('API tokens', () => {
  const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id prefix } } }`;

  it('shows the secret once, stores only a hash, authenticates as Bearer, and stops after revocation', async () => {
    const { client, userId } = await api.signUp('Tok');
    const { createApiToken } = await client.ok<any>(CREATE, { input: { name: 'ci' } });
    expect(createApiToken.token).toMatch(/^fep_pat_/);
    const row = await api.runtime.db.apiToken.findUniqueOrThrow({ where: { id: createApiToken.apiToken.id } });
    expect(row.tokenHash).not.toContain(createApiToken.token);
    expect(JSON.stringify(row)).not.toContain(createApiToken.token);

    const bearer = api.client();
    bearer.bearer = createApiToken.token;
    expect((await bearer.ok<any>(VIEWER)).viewer.user.id).toBe(userId);

    await client.ok(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: createApiToken.apiToken.id });
    const res = await bearer.gql(VIEWER);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.message).toMatch(/revoked/);
  });

  it('an expired or unknown token is UNAUTHENTICATED', async () => {
    const { client } = await api.signUp('Exp');
    const { createApiToken } = await client.ok<any>(CREATE, { input: { name: 'old', expiresInDays: 1 } });
    await api.runtime.db.apiToken.update({
      where: { id: createApiToken.apiToken.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const bearer = api.client();
    bearer.bearer = createApiToken.token;
    const expired = await bearer.gql(VIEWER);
    expect(expired.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expired.errors?.[0]?.message).toMatch(/expired/);
    bearer.bearer = 'fep_pat_nonsense';
    expect((await bearer.gql(VIEWER)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
