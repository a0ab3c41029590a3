/**
 * Security headers and introspection, beyond what graphql/src/server/http-guard.test.ts
 * already proves (headers on one GraphQL answer, __schema refused with introspection off, JSON
 * body-parser errors, tus expiry):
 *
 * - every kind of /api answer — media, a guard refusal, an unknown route, a bad body, tus — carries
 *   the security headers, and HSTS appears exactly when cookies are Secure (production over TLS);
 * - with the production configuration, `__type` is refused as well as `__schema`, for anonymous
 *   callers too, and GRAPHQL_INTROSPECTION=1 turns it back on;
 * - the Next.js pages of the real production build (tests/e2e/web-server.ts, built once for the
 *   browser suites) carry a per-request nonce CSP without 'unsafe-inline' for scripts, every script
 *   they render carries that nonce, Chromium reports no CSP violation on them, and a foreign page
 *   cannot frame them (clickjacking).
 */
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@fep/shared';
import { buildSchema } from '@fep/api/schema.ts';
import { startApiServer } from '@fep/api/server/http.ts';
import { PERMISSIONS_POLICY } from '@fep/api/server/security-headers.ts';
import { startTestApi, TestClient, type TestApi } from '@fep/api/testing/test-api.ts';
import { startWebServer, type WebServer } from '../e2e/web-server.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

function expectSecurityHeaders(res: globalThis.Response, what: string) {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  expect(res.headers.get('permissions-policy'), what).toBe(PERMISSIONS_POLICY);
}

describe('the API', () => {
  let api: TestApi;
  let owner: { client: TestClient; userId: string };
  let videoId: string;
  beforeAll(async () => {
    api = await startTestApi();
    owner = await api.signUp('Headers');
    const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Headers" }) { id } }`)).createTeam.id;
    const blob = await api.runtime.storage.putBuffer(Buffer.from('clip'));
    videoId = (
      await api.runtime.db.video.create({
        data: { teamId, uploadedById: owner.userId, title: 'clip', filename: 'clip.mp4', sha256: blob.sha256, sizeBytes: BigInt(blob.size), status: 'READY' },
      })
    ).id;
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sends the security headers on every kind of /api answer, errors included', async () => {
    const cookie = owner.client.cookie!;
    const answers: [string, globalThis.Response, number][] = [
      ['media', await fetch(`${api.url}/api/media/videos/${videoId}`, { headers: { cookie } }), 200],
      ['media, anonymous', await fetch(`${api.url}/api/media/videos/${videoId}`), 401],
      ['guard refusal', await fetch(`${api.url}/api/graphql`, { method: 'POST', headers: { cookie, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' }, body: '{}' }), 403],
      ['unknown route', await fetch(`${api.url}/api/nothing-here`), 404],
      ['malformed JSON', await fetch(`${api.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }), 400],
      ['tus without auth', await fetch(`${api.url}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '1' } }), 401],
    ];
    for (const [what, res, status] of answers) {
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res, what);
      expect(res.headers.get('content-security-policy'), what).toContain("default-src 'none'");
      expect(res.headers.get('strict-transport-security'), `${what}: plain http, no HSTS`).toBeNull();
    }
  });

  it('sends HSTS when cookies are Secure (production over TLS)', async () => {
    const server = await startApiServer({ ...api.runtime, config: { ...api.runtime.config, secureCookies: true } }, buildSchema());
    try {
      const res = await fetch(`${server.url}/api/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ health { ok } }"}' });
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expectSecurityHeaders(res, 'with HSTS');
    } finally {
      await server.close();
    }
  });

  it('production configuration: __type and __schema refused, anonymous or signed in; GRAPHQL_INTROSPECTION=1 allows them', async () => {
    const introspect = async (url: string, query: string, cookie?: string) => {
      const res = await fetch(`${url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as any;
    };
    const queries = ['{ __type(name: "Query") { name } }', '{ __schema { queryType { name } } }'];
    for (const [env, allowed] of [
      [{ NODE_ENV: 'production' }, false],
      [{ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: '1' }, true],
    ] as const) {
      const { introspection } = loadConfig(env as unknown as NodeJS.ProcessEnv);
      const server = await startApiServer({ ...api.runtime, config: { ...api.runtime.config, introspection } }, buildSchema());
      try {
        for (const query of queries) {
          for (const cookie of [undefined, owner.client.cookie]) {
            const body = await introspect(server.url, query, cookie);
            const what = `${JSON.stringify(env)} ${query} ${cookie ? 'signed in' : 'anonymous'}`;
            if (allowed) {
              expect(body.errors, what).toBeUndefined();
              expect(JSON.stringify(body.data), what).toContain('"Query"');
            } else {
              expect(body.data, what).toBeUndefined();
              expect(body.errors[0].extensions.code, what).toBe('BAD_USER_INPUT');
            }
          }
        }
      } finally {
        await server.close();
      }
    }
  });
});

describe('the Next.js pages (production build)', () => {
  let web: WebServer;
  let user: TestClient;
  let teamId: string;
  let browser: TestBrowser;
  let page: Page;
  let framer: Server;
  let framerUrl: string;
  beforeAll(async () => {
    web = await startWebServer();
    user = new TestClient(web.url);
    await user.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email: `csp-${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Csp' },
    });
    teamId = (await user.ok<any>(`mutation { createTeam(input: { name: "Framed" }) { id } }`)).createTeam.id;
    browser = await launchBrowser({ baseURL: web.url });
    const [name, value] = user.cookie!.split('=') as [string, string];
    await browser.context.addCookies([{ name, value, url: web.url, httpOnly: true, sameSite: 'Lax' }]);
    // Every CSP violation a page reports, not only those Chromium logs to the console.
    await browser.context.addInitScript(() => {
      (window as any).__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
      );
    });
    page = await browser.newPage();
    framer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Win a prize</title><iframe id="victim" src="${web.url}/teams/${teamId}" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
    framerUrl = `http://127.0.0.1:${(framer.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => framer?.close(r));
    await web?.close();
  });

  it('each page response has a fresh nonce CSP; every script it renders carries the nonce', async () => {
    const nonces = new Set<string>();
    for (const pathname of ['/login', '/', `/teams/${teamId}`]) {
      const res = await fetch(web.url + pathname, { headers: { cookie: user.cookie! } });
      expect(res.status, pathname).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
      const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
      expect(nonce, `${pathname}: ${csp}`).toBeTruthy();
      expect(scriptSrc, pathname).not.toContain("'unsafe-inline'");
      expect(scriptSrc, `${pathname}: no eval in production`).not.toContain("'unsafe-eval'");
      expect(csp, pathname).toContain("frame-ancestors 'none'");
      expect(csp, pathname).toContain("object-src 'none'");
      expectSecurityHeaders(res, pathname);
      nonces.add(nonce!);
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, pathname).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag, pathname).toContain(`nonce="${nonce}"`);
    }
    expect(nonces.size).toBe(3);
  });

  it('pages render and hydrate in Chromium with no CSP violation', async () => {
    for (const pathname of ['/login', '/', `/teams/${teamId}`]) {
      const errorsBefore = browser.errors().length;
      await page.goto(web.url + pathname, { waitUntil: 'networkidle' });
      // Hydrated: React attached itself to the server-rendered DOM, so the nonce'd scripts ran.
      await expect
        .poll(() => page.evaluate(() => Array.from(document.querySelectorAll('body *')).some((el) => Object.keys(el).some((k) => k.startsWith('__reactFiber$')))), {
          message: pathname,
        })
        .toBe(true);
      const violations = await page.evaluate(() => (window as any).__cspViolations as string[]);
      expect(violations, pathname).toEqual([]);
      expect(browser.errors().slice(errorsBefore), pathname).toEqual([]);
    }
  });

  it('a foreign page cannot frame a signed-in page (clickjacking)', async () => {
    browser.allow(/Refused to (display|frame)/);
    browser.allow(/Failed to load resource: the server responded with a status of/);
    const logged: string[] = [];
    page.on('console', (m) => void logged.push(m.text()));
    await page.goto(framerUrl, { waitUntil: 'load' });
    // Refused because of the app's headers (CSP frame-ancestors / X-Frame-Options), nothing else.
    await expect.poll(() => logged.some((t) => /frame-ancestors|X-Frame-Options/.test(t)), { message: logged.join('\n') }).toBe(true);
    const child = page.frames().find((f) => f !== page.mainFrame());
    expect(child).toBeDefined();
    // A frame the browser refused shows its own error page, never the app.
    const inside = await child!.evaluate(() => ({ href: location.href, text: document.body?.innerText ?? '' })).catch(() => null);
    expect(inside?.href ?? 'blocked').not.toContain(new URL(web.url).host);
    expect(inside?.text ?? '').not.toContain('Framed');
  });
});
