/**
 * Starts the real product for browser tests: a fresh PostgreSQL database, `next build` when
 * apps/web/.next is missing or older than the web sources, and `node --import tsx apps/web/server.ts`
 * (Next + GraphQL + graphql-ws + tus + media + the engine worker in-process) on a free port.
 * Readiness is the GraphQL health query answering ok — no sleeps.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiRuntime, registerBuiltinModel, seedDemo, seedDemoContent } from '@fep/api';
import { createTestDatabase } from '@fep/api/testing/test-database.ts';
import { loadConfig } from '@fep/shared';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = path.join(ROOT, 'apps/web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.next' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** True when the production build is missing or older than any web source (or the API's SDL). */
export function buildIsStale(): boolean {
  const buildId = path.join(WEB, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = ['app', 'components', 'lib', 'next.config.ts', 'postcss.config.mjs', 'proxy.ts'].map((p) => path.join(WEB, p));
  return sources.some((p) => existsSync(p) && (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) > built);
}

export function ensureBuild(): void {
  if (!buildIsStale()) return;
  const res = spawnSync('npx', ['next', 'build'], {
    cwd: WEB,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (res.status !== 0) throw new Error(`next build failed:\n${res.stdout}\n${res.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface WebServer {
  url: string;
  dataDir: string;
  databaseUrl: string;
  /** Everything the server printed (for failure messages). */
  log(): string;
  /** When the health query first answered ok (ms since the epoch). */
  readyAt: number;
  /** With `seedDemo`: the demo login `npm start` prints, and the seeded explanations' ids. */
  demo?: { email: string; password: string; videoId: string; explanationIds: string[] };
  close(): Promise<void>;
}

export async function startWebServer(
  opts: {
    env?: Record<string, string>;
    readyTimeoutMs?: number;
    /** Seed what `npm start` seeds on first start (demo account, clip, queued explanations) before the server starts. */
    seedDemo?: boolean;
  } = {},
): Promise<WebServer> {
  ensureBuild();
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'fep-e2e-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    ENGINE_IN_PROCESS: '1',
    // 16 insertion/deletion steps instead of 256: same code path, a fraction of the forward passes.
    ENGINE_METRIC_STEPS: '16',
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    TOKEN_PEPPER: randomBytes(16).toString('hex'),
    NEXT_TELEMETRY_DISABLED: '1',
    // A Redis database of its own, so no other worker on this machine takes our jobs.
    REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/11',
    // …and a queue of its own: another server's worker must never take (and skip) our jobs.
    QUEUE_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    ...opts.env,
  };
  let demo: WebServer['demo'];
  if (opts.seedDemo) {
    // The same calls scripts/start.ts makes, against this server's database, Redis queue and storage.
    const runtime = await createApiRuntime(loadConfig(env));
    try {
      await registerBuiltinModel(runtime.db);
      const seeded = await seedDemo(runtime.db, { password: `demo-${randomBytes(6).toString('hex')}` });
      const content = await seedDemoContent(runtime);
      if (!seeded.password || !content.videoId) throw new Error(`demo seed did not run: ${JSON.stringify({ seeded, content })}`);
      demo = { email: seeded.email, password: seeded.password, videoId: content.videoId, explanationIds: content.explanationIds ?? [] };
    } finally {
      await runtime.close();
    }
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/web/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 120_000);
  let ready = false;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  while (!ready) {
    if (exitCode !== undefined) throw new Error(`The web server exited (${exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The web server was not healthy in time:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { ok } }' }),
      });
      const body = (await res.json()) as { data?: { health?: { ok?: boolean } } };
      ready = body.data?.health?.ok === true;
    } catch {
      // Not listening yet: poll again shortly (the deadline above bounds the wait).
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    dataDir,
    databaseUrl: db.url,
    readyAt: Date.now(),
    ...(demo ? { demo } : {}),
    log: () => output,
    close: async () => {
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

