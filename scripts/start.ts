/**
 * `npm start`: runs F-EP Studio on http://127.0.0.1:${PORT:-3000} with embedded defaults.
 *
 * 1. Redis: uses REDIS_URL (default redis://127.0.0.1:6379); if nothing answers there and
 *    `redis-server` is on PATH, starts one under ./data/redis; otherwise stops with a one-line hint.
 * 2. Database: PostgreSQL when DATABASE_URL is set, else embedded PGlite under ./data/pglite.
 *    Migrations are applied, the demo team/user seeded on first start (credentials printed once),
 *    with a demo clip whose Grad-CAM, F-EP and EP explanations are queued for the engine
 *    (FEP_DEMO_CONTENT=0 skips the clip).
 * 3. Web: builds the Next.js app when there is no build yet (or FEP_REBUILD=1), then starts the
 *    web process (pages + GraphQL API + subscriptions). With PGlite the engine worker runs inside
 *    it (on its compute thread); with PostgreSQL, ENGINE_WORKERS (default 1) separate engine
 *    processes are started and supervised: one that dies is restarted with backoff (1 s → 30 s)
 *    and never stops the web process. Only the web process exiting, or SIGINT/SIGTERM, stops all.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createApiRuntime, registerBuiltinModel, seedDemo, seedDemoContent } from '@fep/api';
import { loadConfig } from '@fep/shared';
import { Supervisor } from './supervisor.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED = '1';
mkdirSync(loadConfig().dataDir, { recursive: true });
// Secrets come from the environment; for a zero-setup start, generate one and keep it in ./data.
if (!process.env.TOKEN_PEPPER) {
  const file = path.join(loadConfig().dataDir, 'token-pepper');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  process.env.TOKEN_PEPPER = readFileSync(file, 'utf8').trim();
}
const config = loadConfig();
const children: ChildProcess[] = [];

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1500 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function ensureRedis(): Promise<void> {
  if (await redisAnswers(config.redisUrl)) return;
  const url = new URL(config.redisUrl);
  const local = ['127.0.0.1', 'localhost', '::1'].includes(url.hostname);
  if (!local || !onPath('redis-server')) {
    console.error(`F-EP Studio needs Redis: nothing answers at ${config.redisUrl}. Start one (e.g. \`redis-server\`) or set REDIS_URL.`);
    process.exit(1);
  }
  const dir = path.join(config.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = url.port || '6379';
  console.log(`[start] starting redis-server on 127.0.0.1:${port} (data in ${path.relative(root, dir)})`);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', port, '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  children.push(child);
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(config.redisUrl)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error('redis-server did not start; start Redis yourself or set REDIS_URL.');
  process.exit(1);
}

async function prepareDatabase(): Promise<void> {
  // The API runtime (database, Redis, storage, queue) so the demo content goes through the same
  // services as a person's upload and requests; closed before the web process opens the database.
  const runtime = await createApiRuntime(config);
  try {
    await registerBuiltinModel(runtime.db);
    const seeded = await seedDemo(runtime.db);
    if (seeded.created) {
      const file = path.join(config.dataDir, 'demo-credentials.txt');
      writeFileSync(file, `email: ${seeded.email}\npassword: ${seeded.password}\n`, { mode: 0o600 });
      console.log(`[start] demo account created — email: ${seeded.email}  password: ${seeded.password}  (also in ${path.relative(root, file)})`);
    }
    if (process.env.FEP_DEMO_CONTENT !== '0') {
      const content = await seedDemoContent(runtime);
      if (content.created) {
        console.log(`[start] demo team: a SynthActions clip with Grad-CAM, F-EP and EP queued (Grad-CAM is ready seconds after the server; F-EP and EP follow, about two minutes on 2 cores)`);
      }
    }
  } finally {
    await runtime.close();
  }
}

function ensureWebBuild(): void {
  const buildId = path.join(root, 'apps/web/.next/BUILD_ID');
  if (existsSync(buildId) && process.env.FEP_REBUILD !== '1') {
    const built = statSync(buildId).mtimeMs;
    const newest = spawnSync('sh', ['-c', 'find apps/web/app apps/web/components apps/web/lib -newer apps/web/.next/BUILD_ID -type f | head -1'], {
      cwd: root,
      encoding: 'utf8',
    }).stdout.trim();
    if (!newest) return;
    console.log(`[start] web sources changed since the last build (${newest}); rebuilding (built ${new Date(built).toISOString()})`);
  } else {
    console.log('[start] building the web app (first start only; ~1–2 min)…');
  }
  const res = spawnSync('npm', ['run', 'build', '-w', '@fep/web'], { cwd: root, stdio: 'inherit', env: process.env });
  if (res.status !== 0) {
    console.error('[start] the web build failed; see the output above.');
    process.exit(1);
  }
}

function nodeArgs(args: string[]): string[] {
  return ['--import', 'tsx', ...args];
}

/** The web process: when it exits, everything stops. */
function runWeb(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, nodeArgs(args), { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] web exited (${signal ?? code}); stopping.`);
      void shutdown(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

/** An engine process: restarted with backoff when it dies (scripts/supervisor.ts); never stops the web. */
const engines: Supervisor[] = [];
function runEngine(name: string, args: string[]): void {
  const sup = new Supervisor({
    name,
    command: process.execPath,
    args: nodeArgs(args),
    spawnOptions: { cwd: root, stdio: 'inherit', env: process.env },
    log: (m) => console.error(m),
  });
  engines.push(sup);
  sup.start();
}

let stopping = false;
async function shutdown(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  const engineStops = engines.map((e) => e.stop());
  for (const c of children) c.kill('SIGTERM');
  await Promise.all([
    ...engineStops,
    ...children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))),
  ]);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

await ensureRedis();
await prepareDatabase();
ensureWebBuild();
runWeb(['apps/web/server.ts'], { NODE_ENV: 'production' });
if (config.databaseUrl) {
  const workers = Number(process.env.ENGINE_WORKERS ?? 1);
  for (let i = 0; i < workers; i++) runEngine(`engine ${i + 1}`, ['apps/engine/src/worker/main.ts']);
}
