/**
 * The HTTP edge of the API on a real server: the origin guard on each cookie-authenticated entry
 * point, JSON errors with a code for body-parser failures and unknown routes, introspection off
 * when configured, security headers, and tus uploads that expire.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fep/shared';
import { buildSchema } from '../schema.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { sweepExpiredUploads, uploadsDirectory } from '../videos/uploads.ts';
import { startApiServer } from './http.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let teamId: string;
const FOREIGN = 'http://127.0.0.1:1';

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Guarded');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Guarded" }) { id } }`)).createTeam.id;
});
afterAll(async () => {
  await api?.close();
});

const gqlBody = JSON.stringify({ query: 'mutation { createApiToken(input: { name: "x" }) { token } }' });

async function post(path: string, headers: Record<string, string>, body: string = gqlBody) {
  return fetch(`${api.url}${path}`, { method: 'POST', headers: { cookie: owner.client.cookie!, ...headers }, body });
}

describe('origin guard on every cookie-authenticated entry point', () => {
  it('GraphQL over HTTP: a foreign Origin is refused with FORBIDDEN in the GraphQL error shape', async () => {
    const res = await post('/api/graphql', { 'content-type': 'application/json', origin: FOREIGN });
    expect(res.status).toBe(403);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(await api.runtime.db.apiToken.count({ where: { userId: owner.userId } })).toBe(0);
  });

  it('GraphQL over HTTP: the app origin, Sec-Fetch-Site same-origin and no headers at all pass', async () => {
    for (const headers of [{ origin: api.url }, { 'sec-fetch-site': 'same-origin' }, {}] as Record<string, string>[]) {
      const res = await post('/api/graphql', { 'content-type': 'application/json', ...headers }, JSON.stringify({ query: '{ viewer { user { id } } }' }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).data.viewer.user.id).toBe(owner.userId);
    }
  });

  it('a same-site request without Origin is refused', async () => {
    const res = await post('/api/graphql', { 'content-type': 'application/json', 'sec-fetch-site': 'same-site' });
    expect(res.status).toBe(403);
  });

  it('model upload, tus and study CSV refuse foreign requests with {error:{code:FORBIDDEN}}', async () => {
    const model = await post(`/api/models/upload?teamId=${teamId}`, { origin: FOREIGN, 'content-type': 'multipart/form-data; boundary=x' }, '--x--');
    const tus = await post('/api/uploads', { origin: FOREIGN, 'tus-resumable': '1.0.0', 'upload-length': '10' }, '');
    const csv = await fetch(`${api.url}/api/studies/none/judgements.csv`, {
      headers: { cookie: owner.client.cookie!, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' },
    });
    const media = await fetch(`${api.url}/api/media/videos/none`, {
      headers: { cookie: owner.client.cookie!, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'video' },
    });
    for (const res of [model, tus, csv, media]) {
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    }
  });

  it('a bearer token without the cookie is exempt', async () => {
    const { createApiToken } = await owner.client.ok<any>(`mutation { createApiToken(input: { name: "ci" }) { token } }`);
    const res = await fetch(`${api.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: FOREIGN, authorization: `Bearer ${createApiToken.token}` },
      body: JSON.stringify({ query: '{ viewer { user { id } } }' }),
    });
    expect(((await res.json()) as any).data.viewer.user.id).toBe(owner.userId);
  });
});

describe('every HTTP error answers JSON with a code', () => {
  it('malformed JSON on /api/graphql → 400 BAD_USER_INPUT', async () => {
    const { status, json } = await api.client().raw('{not json');
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('a body over 1 MB on /api/graphql → 413 BAD_USER_INPUT', async () => {
    const { status, json } = await api.client().raw(JSON.stringify({ query: `{ health { ok } }`, padding: 'x'.repeat(1_100_000) }));
    expect(status).toBe(413);
    expect(json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('unknown /api routes → 404 NOT_FOUND JSON', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${api.url}/api/no-such-route`, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    }
  });
});

describe('security headers on API responses', () => {
  it('sends CSP, frame and sniffing protections', async () => {
    const res = await fetch(`${api.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ health { ok } }"}' });
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    // Not TLS in this test: no HSTS.
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('introspection and upload expiry follow the configuration', () => {
  it('loadConfig: introspection off in production unless GRAPHQL_INTROSPECTION=1', () => {
    expect(loadConfig({ NODE_ENV: 'production' } as NodeJS.ProcessEnv).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: '1' } as NodeJS.ProcessEnv).introspection).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' } as NodeJS.ProcessEnv).introspection).toBe(true);
    expect(loadConfig({} as NodeJS.ProcessEnv).uploadExpiryHours).toBe(24);
  });

  it('with introspection off, __schema is refused for anonymous and signed-in callers', async () => {
    const server = await startApiServer({ ...api.runtime, config: { ...api.runtime.config, introspection: false } }, buildSchema());
    try {
      for (const cookie of [undefined, owner.client.cookie]) {
        const res = await fetch(`${server.url}/api/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify({ query: '{ __schema { types { name } } }' }),
        });
        const body = (await res.json()) as any;
        expect(body.data).toBeUndefined();
        expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
    } finally {
      await server.close();
    }
  });

  it('an abandoned tus upload expires: 410 after UPLOAD_EXPIRY_HOURS, and the sweep deletes its staging files', async () => {
    const expiryHours = 1 / 3600; // one second
    const config = { ...api.runtime.config, uploadExpiryHours: expiryHours };
    const server = await startApiServer({ ...api.runtime, config }, buildSchema());
    const dir = uploadsDirectory({ config });
    try {
      const meta = `teamId ${Buffer.from(teamId).toString('base64')},filename ${Buffer.from('a.mp4').toString('base64')},filetype ${Buffer.from('video/mp4').toString('base64')}`;
      const created = await fetch(`${server.url}/api/uploads`, {
        method: 'POST',
        headers: { cookie: owner.client.cookie!, 'tus-resumable': '1.0.0', 'upload-length': '1000', 'upload-metadata': meta },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('upload-expires')).not.toBeNull();
      const location = new URL(created.headers.get('location')!, server.url);
      const id = location.pathname.split('/').pop()!;
      const patched = await fetch(location, {
        method: 'PATCH',
        headers: { cookie: owner.client.cookie!, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        body: Buffer.alloc(100),
      });
      expect(patched.status).toBe(204);
      expect(readdirSync(dir)).toContain(id);

      // The periodic sweep (every second at this expiry) removes both staging files; poll for it.
      const deadline = Date.now() + 15_000;
      while (readdirSync(dir).some((n) => n.startsWith(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(readdirSync(dir).filter((n) => n.startsWith(id))).toEqual([]);
      const head = await fetch(location, { method: 'HEAD', headers: { cookie: owner.client.cookie!, 'tus-resumable': '1.0.0' } });
      expect([404, 410]).toContain(head.status);
    } finally {
      await server.close();
    }
  });

  it('sweepExpiredUploads keeps young uploads and deletes old ones', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fep-sweep-'));
    const now = Date.parse('2026-01-02T00:00:00Z');
    await writeFile(path.join(dir, 'old'), 'x');
    await writeFile(path.join(dir, 'old.json'), JSON.stringify({ creation_date: '2026-01-01T00:00:00Z' }));
    await writeFile(path.join(dir, 'young'), 'x');
    await writeFile(path.join(dir, 'young.json'), JSON.stringify({ creation_date: '2026-01-01T23:00:00Z' }));
    expect(await sweepExpiredUploads(dir, 2 * 3600_000, now)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['young', 'young.json']);
    expect(await sweepExpiredUploads(path.join(dir, 'missing'), 1, now)).toBe(0);
  });
});
