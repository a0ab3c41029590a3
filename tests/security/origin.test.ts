/**
 * Cross-origin attacks from a hostile page on ANOTHER port of the same
 * host. That page is same-site, so the browser attaches the victim's SameSite=Lax session cookie to
 * its requests and WebSocket handshakes. In real Chromium against a real API server (PostgreSQL +
 * Redis), one attack per cookie-authenticated entry point — the graphql-ws upgrade (the hijack that
 * ran createApiToken as the victim), GraphQL over HTTP (fetch and an HTML form), tus, the model
 * upload (fetch and a multipart form), media, the study CSV and audit-report downloads — must be
 * refused by the request guard (graphql/src/server/request-guard.ts) and change nothing. The app's
 * own origin and bearer-token clients on any origin still work.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import { buildSchema } from '@fep/api/schema.ts';
import { startApiServer } from '@fep/api/server/http.ts';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';
import { writeTinyModel, zipDirectory } from '@fep/api/testing/model-fixtures.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';

let api: TestApi;
/** The API server under attack (the test API's database and Redis), whose answers are recorded. */
let target: Awaited<ReturnType<typeof startApiServer>>;
let victim: { client: TestClient; userId: string };
let teamId: string;
let attacker: Server;
let attackerUrl: string;
let browser: TestBrowser;
let page: Page;
let modelZip: Buffer;
/** Another version of the model, for the bearer client (a second upload of 1.0.0 would be a CONFLICT). */
let bearerZip: Buffer;
/** Victim's resources behind each download route. */
let paths: { video: string; csv: string; report: string };
/** Requests waiting for the server's answer: see `answerTo`. */
/** The Origin of every WebSocket upgrade that reached the server. */
const upgradeOrigins: string[] = [];
const waiters: { method: string; pathname: string; resolve: (status: number) => void }[] = [];

beforeAll(async () => {
  api = await startTestApi();
  victim = await api.signUp('Victim');
  teamId = (await victim.client.ok<any>(`mutation { createTeam(input: { name: "Victim team" }) { id } }`)).createTeam.id;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fep-csrf-model-'));
  await writeTinyModel(dir, { name: 'csrf-model', version: '1.0.0' });
  modelZip = await zipDirectory(dir, 'csrf-model');
  rmSync(dir, { recursive: true, force: true });
  const dir2 = mkdtempSync(path.join(os.tmpdir(), 'fep-csrf-model-'));
  await writeTinyModel(dir2, { name: 'csrf-model', version: '1.0.1' });
  bearerZip = await zipDirectory(dir2, 'csrf-model');
  rmSync(dir2, { recursive: true, force: true });

  // Something behind each download route: a video, a study (CSV export) and an audit report.
  const db = api.runtime.db;
  const clip = await api.runtime.storage.putBuffer(Buffer.from('not really an mp4, but the victim’s'));
  const video = await db.video.create({
    data: { teamId, uploadedById: victim.userId, title: 'clip', filename: 'clip.mp4', sha256: clip.sha256, sizeBytes: BigInt(clip.size), status: 'READY' },
  });
  const study = await db.study.create({
    data: { teamId, createdById: victim.userId, name: 'Secret study', design: 'LIKERT', config: { likertPoints: 5 }, seed: 1 },
  });
  const manifest = await api.runtime.storage.putBuffer(Buffer.from('{"secret":true}'));
  const report = await db.auditReport.create({
    data: {
      teamId,
      createdById: victim.userId,
      title: 'Secret report',
      manifest: { stored: { 'manifest.json': { sha256: manifest.sha256, bytes: manifest.size } } },
      manifestSha256: manifest.sha256,
    },
  });
  paths = {
    video: `/api/media/videos/${video.id}`,
    csv: `/api/studies/${study.id}/judgements.csv`,
    report: `/api/media/reports/${report.id}/manifest.json`,
  };

  target = await startApiServer(api.runtime, buildSchema());
  target.server.on('upgrade', (req) => void upgradeOrigins.push(String(req.headers.origin)));
  // The app's own origin: the API server also serves one HTML page at /app, as the Next.js server
  // serves the app beside /api (the standalone API server has no pages of its own).
  const handlers = target.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  target.server.removeAllListeners('request');
  target.server.on('request', (req, res) => {
    if (req.url !== '/app') return handlers.forEach((h) => h(req, res));
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><title>F-EP Studio</title><h1>Studio</h1>');
  });
  // The server's own record of what it answered: the browser cannot show it for every refusal (a
  // refused no-cors response carries Cross-Origin-Resource-Policy: same-origin and is dropped).
  target.server.on('request', (req, res) =>
    res.on('finish', () => {
      const pathname = new URL((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/', target.url).pathname;
      const i = waiters.findIndex((w) => w.method === req.method && w.pathname === pathname);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(res.statusCode);
    }),
  );

  // The hostile page: same host (127.0.0.1), another port.
  attacker = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><title>Free prizes</title><h1>Nothing to see here</h1>');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as { port: number }).port}`;
  expect(new URL(attackerUrl).hostname).toBe(new URL(target.url).hostname);
  expect(new URL(attackerUrl).origin).not.toBe(new URL(target.url).origin);

  browser = await launchBrowser({ baseURL: target.url });
  // The victim is signed in: their session cookie lives in the browser for host 127.0.0.1.
  const [name, value] = victim.client.cookie!.split('=') as [string, string];
  await browser.context.addCookies([{ name, value, url: target.url, httpOnly: true, sameSite: 'Lax' }]);
  // The refusals the attacks provoke are logged by the browser; nothing else may be.
  browser.allow(/WebSocket connection to .* failed/);
  browser.allow(/Failed to load resource: the server responded with a status of 403/);
  browser.allow(new RegExp(`Failed to load resource: net::ERR_FAILED \\(${attackerUrl}/\\)`));
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => attacker?.close(r));
  await target?.close();
  await api?.close();
});

/** The status the API server answers to the next `method pathname` request (registered before it is sent). */
function answerTo(method: string, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const waiter = { method, pathname, resolve: (status: number) => (clearTimeout(timer), resolve(status)) };
    // A deadline, not a synchronisation sleep: a request that never arrives fails the test.
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(waiter), 1);
      reject(new Error(`no ${method} ${pathname} reached the server`));
    }, 15_000);
    waiters.push(waiter);
  });
}

/** Runs `query` over graphql-ws from the current page; resolves with what the socket did. */
function wsOperation(p: Page, query: string) {
  const wsUrl = target.url.replace(/^http/, 'ws') + '/api/graphql';
  return p.evaluate(
    ({ wsUrl, query }) =>
      new Promise<{ outcome: string; data?: any; errors?: unknown; code?: number }>((resolve) => {
        const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
        // A deadline, not a synchronisation sleep: a hung socket fails the test instead of hanging it.
        const timer = setTimeout(() => resolve({ outcome: 'timeout' }), 15_000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
        ws.onmessage = (ev) => {
          const m = JSON.parse(String(ev.data));
          if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          if (m.type === 'next') {
            clearTimeout(timer);
            resolve({ outcome: 'executed', data: m.payload.data, errors: m.payload.errors });
            ws.close();
          }
        };
        ws.onclose = (ev) => {
          clearTimeout(timer);
          resolve({ outcome: 'closed', code: ev.code });
        };
      }),
    { wsUrl, query },
  );
}

/** A graphql-ws operation from Node with chosen handshake headers: what the upgrade answered, or the result. */
function nodeWsOperation(headers: Record<string, string>, query: string, connectionParams: Record<string, unknown> = {}) {
  return new Promise<{ outcome: 'refused'; status: number } | { outcome: 'executed'; data: any; errors?: unknown }>((resolve, reject) => {
    const ws = new NodeWebSocket(target.url.replace(/^http/, 'ws') + '/api/graphql', 'graphql-transport-ws', { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ outcome: 'refused', status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      if (m.type === 'next') {
        resolve({ outcome: 'executed', data: m.payload.data, errors: m.payload.errors });
        ws.close();
      }
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`socket closed (${code}) before a result`)));
  });
}

const tokenCount = () => api.runtime.db.apiToken.count({ where: { userId: victim.userId } });
const modelCount = () => api.runtime.db.model.count({ where: { teamId } });
const stagingEntries = () => {
  const staging = path.join(api.runtime.config.storageDir, 'uploads');
  try {
    return readdirSync(staging).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
};

describe('a page on another port of the same host, with the victim signed in', () => {
  it('cannot open an authenticated graphql-ws connection and run createApiToken', async () => {
    await page.goto(attackerUrl);
    const result = await wsOperation(page, 'mutation { createApiToken(input: { name: "stolen" }) { token } }');
    expect(result.outcome, JSON.stringify(result)).toBe('closed');
    // The server refused it (the browser did send the handshake, from the hostile origin).
    expect(upgradeOrigins).toContain(attackerUrl);
    expect(await tokenCount()).toBe(0);
  });

  it('cannot send a GraphQL mutation with fetch', async () => {
    await page.goto(attackerUrl);
    const answered = answerTo('POST', '/api/graphql');
    await page.evaluate(async (base) => {
      // text/plain keeps it a "simple" request (no preflight), as a CSRF form would send it.
      // The request reaches the server; whether the browser then rejects the fetch (the refusal
      // carries Cross-Origin-Resource-Policy: same-origin) does not matter to the attack.
      await fetch(`${base}/api/graphql`, {
        method: 'POST',
        mode: 'no-cors',
        credentials: 'include',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: 'mutation { createApiToken(input: { name: "csrf" }) { token } }' }),
      }).catch(() => undefined);
    }, target.url);
    expect(await answered).toBe(403);
    expect(await tokenCount()).toBe(0);
  });

  it('cannot send a GraphQL mutation with an auto-submitted HTML form', async () => {
    await page.goto(attackerUrl);
    // The classic JSON-in-text/plain form: name + "=" + value forms the body {"query":"…","x":"="}.
    const answered = answerTo('POST', '/api/graphql');
    await page.evaluate((base) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = `${base}/api/graphql`;
      form.enctype = 'text/plain';
      const input = document.createElement('input');
      input.name = '{"query":"mutation { createApiToken(input: { name: \\"form\\" }) { token } }","x":"';
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      form.submit();
    }, target.url);
    expect(await answered).toBe(403);
    await page.waitForURL((u) => u.pathname === '/api/graphql');
    expect(await tokenCount()).toBe(0);
  });

  it('cannot register a model with a cross-origin multipart fetch', async () => {
    await page.goto(attackerUrl);
    const before = await modelCount();
    const answered = answerTo('POST', '/api/models/upload');
    await page.evaluate(
      async ({ url, zip }) => {
        const bytes = Uint8Array.from(atob(zip), (c) => c.charCodeAt(0));
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'application/zip' }), 'model.zip');
        await fetch(url, { method: 'POST', body: form, mode: 'no-cors', credentials: 'include' }).catch(() => undefined);
      },
      { url: `${target.url}/api/models/upload?teamId=${teamId}`, zip: modelZip.toString('base64') },
    );
    expect(await answered).toBe(403);
    expect(await modelCount()).toBe(before);
  });

  it('cannot register a model with an auto-submitted multipart form carrying the zip', async () => {
    await page.goto(attackerUrl);
    const before = await modelCount();
    const answered = answerTo('POST', '/api/models/upload');
    await page.evaluate(
      ({ url, zip }) => {
        const bytes = Uint8Array.from(atob(zip), (c) => c.charCodeAt(0));
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = url;
        form.enctype = 'multipart/form-data';
        const input = document.createElement('input');
        input.type = 'file';
        input.name = 'file';
        const files = new DataTransfer();
        files.items.add(new File([bytes], 'model.zip', { type: 'application/zip' }));
        input.files = files.files;
        form.append(input);
        document.body.append(form);
        form.submit();
      },
      { url: `${target.url}/api/models/upload?teamId=${teamId}`, zip: modelZip.toString('base64') },
    );
    expect(await answered).toBe(403);
    // The form navigated the page to the refusal.
    await page.waitForURL((u) => u.pathname === '/api/models/upload');
    expect(JSON.parse((await page.textContent('body'))!).error.code).toBe('FORBIDDEN');
    expect(await modelCount()).toBe(before);
  });

  it('cannot create a tus upload', async () => {
    await page.goto(attackerUrl);
    const before = stagingEntries();
    const answered = answerTo('POST', '/api/uploads');
    await page.evaluate(async (base) => {
      await fetch(`${base}/api/uploads`, { method: 'POST', mode: 'no-cors', credentials: 'include', body: '' }).catch(() => undefined);
    }, target.url);
    expect(await answered).toBe(403);
    expect(stagingEntries()).toEqual(before);
  });

  it('cannot embed the victim’s video, nor fetch the study CSV or an audit-report file', async () => {
    await page.goto(attackerUrl);
    const answered = Promise.all([
      answerTo('GET', paths.video),
      answerTo('GET', paths.csv),
      answerTo('GET', paths.csv),
      answerTo('GET', paths.report),
      answerTo('GET', paths.report),
    ]);
    const read = await page.evaluate(
      async ({ base, paths }) => {
        const video = document.createElement('video');
        video.src = base + paths.video;
        document.body.append(video);
        const out: Record<string, string> = {};
        for (const p of [paths.csv, paths.report]) {
          // A cors-mode read fails (no CORS headers); a no-cors one is opaque. Try both.
          out[`${p} cors`] = await fetch(base + p, { credentials: 'include' }).then(
            (r) => `read ${r.status}`,
            () => 'blocked',
          );
          await fetch(base + p, { credentials: 'include', mode: 'no-cors' }).catch(() => undefined);
        }
        return out;
      },
      { base: target.url, paths },
    );
    expect(await answered).toEqual([403, 403, 403, 403, 403]);
    for (const outcome of Object.values(read)) expect(outcome).toBe('blocked');
  });
});

describe('the app on its own origin, with the same cookie', () => {
  const home = () => page.goto(`${target.url}/app`);

  it('still opens an authenticated graphql-ws connection', async () => {
    await home();
    const result = await wsOperation(page, '{ viewer { user { id } } }');
    expect(result.outcome, JSON.stringify(result)).toBe('executed');
    expect((result.data as any).viewer.user.id).toBe(victim.userId);
  });

  it('still runs GraphQL, creates a tus upload, uploads a model and reads every download', async () => {
    await home();
    const errorsBefore = browser.errors().length;
    const before = await modelCount();
    const out = await page.evaluate(
      async ({ teamId, zip, paths }) => {
        const gql = await fetch('/api/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'mutation { createApiToken(input: { name: "mine" }) { token } }' }),
        }).then((r) => r.json());
        const b64 = (s: string) => btoa(s);
        const tus = await fetch('/api/uploads', {
          method: 'POST',
          headers: {
            'tus-resumable': '1.0.0',
            'upload-length': '10',
            'upload-metadata': `teamId ${b64(teamId)},filename ${b64('a.mp4')},filetype ${b64('video/mp4')}`,
          },
        });
        const bytes = Uint8Array.from(atob(zip), (c) => c.charCodeAt(0));
        const form = new FormData();
        form.append('file', new Blob([bytes], { type: 'application/zip' }), 'model.zip');
        const model = await fetch(`/api/models/upload?teamId=${teamId}`, { method: 'POST', body: form });
        const downloads: Record<string, number> = {};
        for (const p of Object.values(paths)) downloads[p] = (await fetch(p)).status;
        return { token: gql.data?.createApiToken?.token, errors: gql.errors, tus: tus.status, model: model.status, downloads };
      },
      { teamId, zip: modelZip.toString('base64'), paths },
    );
    expect(out.errors).toBeUndefined();
    expect(out.token).toMatch(/\S{20,}/);
    expect(out.tus).toBe(201);
    expect(out.model).toBe(201);
    expect(await modelCount()).toBe(before + 1);
    expect(out.downloads).toEqual({ [paths.video]: 200, [paths.csv]: 200, [paths.report]: 200 });
    expect(browser.errors().slice(errorsBefore)).toEqual([]);
  });
});

describe('the WebSocket upgrade from plain clients', () => {
  it('with the cookie and a foreign Origin: 403 before any handshake', async () => {
    const foreign = await nodeWsOperation({ cookie: victim.client.cookie!, origin: 'http://127.0.0.1:1' }, '{ viewer { user { id } } }');
    expect(foreign).toEqual({ outcome: 'refused', status: 403 });
    const sameSite = await nodeWsOperation({ cookie: victim.client.cookie!, 'sec-fetch-site': 'same-site' }, '{ viewer { user { id } } }');
    expect(sameSite).toEqual({ outcome: 'refused', status: 403 });
  });

  it('with the cookie and the app’s Origin: served', async () => {
    const res = await nodeWsOperation({ cookie: victim.client.cookie!, origin: target.url }, '{ viewer { user { id } } }');
    expect(res).toMatchObject({ outcome: 'executed', data: { viewer: { user: { id: victim.userId } } } });
  });
});

describe('bearer tokens are exempt from the origin rules (a page cannot attach them)', () => {
  let secret: string;
  beforeAll(async () => {
    secret = (await victim.client.ok<any>(`mutation { createApiToken(input: { name: "ci", scope: WRITE }) { token } }`)).createApiToken.token;
  });
  const FOREIGN = 'http://127.0.0.1:1';

  it('GraphQL over HTTP, a download and a model upload from a foreign Origin', async () => {
    const auth = { authorization: `Bearer ${secret}`, origin: FOREIGN, 'sec-fetch-site': 'same-site' };
    const gql = await fetch(`${target.url}/api/graphql`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { user { id } } }' }),
    });
    expect(((await gql.json()) as any).data.viewer.user.id).toBe(victim.userId);
    expect((await fetch(target.url + paths.csv, { headers: auth })).status).toBe(200);
    const before = await modelCount();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bearerZip)], { type: 'application/zip' }), 'model.zip');
    const model = await fetch(`${target.url}/api/models/upload?teamId=${teamId}`, { method: 'POST', headers: auth, body: form });
    expect(model.status).toBe(201);
    expect(await modelCount()).toBe(before + 1);
  });

  it('graphql-ws with the token in connectionParams from a foreign Origin', async () => {
    const res = await nodeWsOperation({ origin: FOREIGN }, '{ viewer { user { id } } }', { authorization: `Bearer ${secret}` });
    expect(res).toMatchObject({ outcome: 'executed', data: { viewer: { user: { id: victim.userId } } } });
  });
});
