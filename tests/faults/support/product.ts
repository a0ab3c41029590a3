/**
 * The product as real processes on the fault suite's private services: an API/web process
 * (tests/faults/support/api-server.ts) and engine processes (apps/engine/src/worker/main.ts),
 * each with its own log under the run folder. Plus what every case needs: a signed-in GraphQL
 * client with a team and the built-in model, tus uploads, a `health` monitor and the end-of-case
 * invariants (nothing stranded, one saliency blob per DONE row, no orphan blobs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { freePort, waitFor, type FaultServices } from './services.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Settings that keep one explanation to seconds; the reconciler runs every second and retries a
 * RUNNING row whose job has not been active for 5 s (defaults: 15 s and 60 s).
 */
export const FAST_ENGINE_ENV = {
  ENGINE_METRIC_STEPS: '8',
  ENGINE_KERNEL_THREADS: '1',
  RECONCILE_INTERVAL_MS: '1000',
  RECONCILE_GRACE_MS: '5000',
};

export interface ProcessHandle {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function tail(file: string, n = 30): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
}

export class Instance {
  readonly dataDir: string;
  readonly storageDir: string;
  port = 0;
  databaseUrl = '';
  readonly processes: ProcessHandle[] = [];
  readonly supervisorLog: string[] = [];
  private readonly supervisors: { stop(): Promise<void> }[] = [];
  readonly pool: () => pg.Pool;
  private _pool: pg.Pool | undefined;
  private seq = 0;

  constructor(
    readonly services: FaultServices,
    readonly name: string,
    readonly extraEnv: Record<string, string> = {},
  ) {
    this.dataDir = path.join(services.dir, name);
    this.storageDir = path.join(this.dataDir, 'storage');
    mkdirSync(this.dataDir, { recursive: true });
    this.pool = () => {
      if (!this._pool) {
        this._pool = new pg.Pool({ connectionString: this.databaseUrl, max: 2, connectionTimeoutMillis: 2000 });
        // Idle clients error when PostgreSQL stops (case d); the next query reconnects.
        this._pool.on('error', () => {});
      }
      return this._pool;
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async init(): Promise<void> {
    this.databaseUrl = await this.services.postgres.createDatabase(this.name);
    this.port = await freePort(20000, 30000);
  }

  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.services.redis.url,
      DATA_DIR: this.dataDir,
      STORAGE_DIR: this.storageDir,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      TOKEN_PEPPER: 'fault-suite-pepper',
      ...FAST_ENGINE_ENV,
      ...this.extraEnv,
    };
    delete env.QUEUE_PREFIX;
    delete env.VITEST;
    delete env.VITEST_POOL_ID;
    delete env.VITEST_WORKER_ID;
    return env;
  }

  spawn(name: string, script: string, args: string[] = []): ProcessHandle {
    const log = path.join(this.dataDir, `${name}-${++this.seq}.log`);
    const out = createWriteStream(log);
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const handle = { name, child, log, exited };
    this.processes.push(handle);
    return handle;
  }

  /** Starts the API process and waits until it answers `health`. */
  async startApi(): Promise<ProcessHandle> {
    const h = this.spawn('api', 'tests/faults/support/api-server.ts');
    await waitFor(`the API of ${this.name} (${h.log}):\n${tail(h.log)}`, async () => {
      if (h.child.exitCode !== null) throw new Error(`api exited ${h.child.exitCode}: ${tail(h.log)}`);
      const res = await fetch(`${this.url}/api/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { ok } }' }),
        signal: AbortSignal.timeout(2000),
      });
      return res.ok;
    }, 90_000);
    return h;
  }

  /** Starts an engine process and waits until it logs "worker ready". */
  async startEngine(): Promise<ProcessHandle> {
    const h = this.spawn('engine', 'apps/engine/src/worker/main.ts');
    await this.waitForLog(h, /worker ready/, 90_000);
    return h;
  }

  /** Runs engine processes under scripts/supervisor.ts (restart with backoff), as `npm start` does. */
  async superviseEngine(): Promise<import('../../../scripts/supervisor.ts').Supervisor> {
    const { Supervisor } = await import('../../../scripts/supervisor.ts');
    const sup = new Supervisor({
      name: 'engine',
      command: process.execPath,
      args: ['--import', 'tsx', 'apps/engine/src/worker/main.ts'],
      spawnOptions: { cwd: ROOT, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] },
      log: (m) => this.supervisorLog.push(m),
      onStart: (child) => {
        const log = path.join(this.dataDir, `engine-supervised-${++this.seq}.log`);
        const out = createWriteStream(log);
        child.stdout!.pipe(out);
        child.stderr!.pipe(out);
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.once('exit', (code, signal) => resolve({ code, signal })),
        );
        this.processes.push({ name: 'engine (supervised)', child, log, exited });
      },
    });
    this.supervisors.push(sup);
    sup.start();
    return sup;
  }

  async waitForLog(h: ProcessHandle, re: RegExp, timeoutMs: number): Promise<void> {
    await waitFor(`"${re}" in ${h.log}`, async () => {
      const text = existsSync(h.log) ? readFileSync(h.log, 'utf8') : '';
      if (re.test(text)) return true;
      if (h.child.exitCode !== null || h.child.signalCode !== null) throw new Error(`${h.name} exited: ${tail(h.log)}`);
      return false;
    }, timeoutMs);
  }

  async kill(h: ProcessHandle, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill(signal);
    await h.exited;
  }

  async stopAll(): Promise<void> {
    for (const s of this.supervisors) await s.stop().catch(() => {});
    for (const h of this.processes) if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    await Promise.all(this.processes.map((h) => h.exited));
    await this._pool?.end().catch(() => {});
    this._pool = undefined;
  }

  logs(): string {
    return this.processes.map((h) => `--- ${h.name} ${h.log}\n${tail(h.log, 15)}`).join('\n');
  }

  async query<T extends pg.QueryResultRow = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool().query<T>(sql, params)).rows;
  }

  async explanations(): Promise<{ id: string; status: string; error: string | null; saliencySha256: string | null; attempts: number }[]> {
    return this.query(`SELECT id, status::text AS status, error, "saliencySha256", attempts FROM "Explanation" ORDER BY "createdAt"`);
  }
}

export interface Session {
  client: TestClient;
  teamId: string;
  modelId: string;
}

/** Signs up a user, creates a team and finds the built-in model. */
export async function signUpWithTeam(instance: Instance, name = 'Faults'): Promise<Session> {
  const client = new TestClient(instance.url);
  const email = `${name.toLowerCase()}-${Date.now()}@example.com`;
  await client.ok(`mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`, {
    input: { email, password: 'correct horse battery staple', name },
  });
  const teamId = (await client.ok<any>(`mutation($n: String!) { createTeam(input: { name: $n }) { id } }`, { n: name })).createTeam.id;
  const [model] = await instance.query<{ id: string }>(`SELECT id FROM "Model" ORDER BY "createdAt" LIMIT 1`);
  if (!model) throw new Error('the built-in model was not registered');
  return { client, teamId, modelId: model.id };
}

export function upload(instance: Instance, s: Session, file: string): Promise<string> {
  return uploadVideoOverTus(instance.url, s.client, s.teamId, file, { filename: path.basename(file) });
}

export const REQUEST = `mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id status } }`;

/** Requests a small F-EP explanation (seconds of compute). */
export async function requestSmall(s: Session, videoId: string, seed: number, iterations = 30): Promise<string> {
  const data = await s.client.ok<any>(REQUEST, {
    i: { teamId: s.teamId, videoId, modelId: s.modelId, method: 'fep', iterations, seed, windowStartSec: 0 },
  });
  return data.requestExplanation.id;
}

export async function waitForStatus(instance: Instance, id: string, statuses: string[], timeoutMs: number): Promise<string> {
  return waitFor(`explanation ${id} to reach ${statuses.join('/')}`, async () => {
    const [row] = await instance.query<{ status: string }>(`SELECT status::text AS status FROM "Explanation" WHERE id = $1`, [id]);
    return row && statuses.includes(row.status) ? row.status : null;
  }, timeoutMs, 250);
}

/** Waits until no explanation is QUEUED or RUNNING (the suite's deadline). */
export async function waitForSettled(instance: Instance, timeoutMs: number): Promise<void> {
  await waitFor(`every explanation of ${instance.name} to settle`, async () => {
    const rows = await instance.explanations();
    return rows.every((r) => !['QUEUED', 'RUNNING'].includes(r.status));
  }, timeoutMs, 500).catch(async (err) => {
    const rows = await instance.explanations().catch(() => []);
    throw new Error(`${(err as Error).message}\nrows: ${JSON.stringify(rows)}\n${instance.logs()}`);
  });
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export interface Settled {
  done: number;
  failed: { id: string; error: string | null }[];
  stranded: string[];
  saliencyBlobsMissing: string[];
  /** DONE rows whose result is byte-identical to another's: content addressing stores it once. */
  sharedSaliency: number;
  orphanBlobs: string[];
}

/**
 * The end-of-case invariants, read from the database and the content-addressed storage: rows
 * QUEUED/RUNNING, DONE rows whose saliency blob is missing, and objects in storage no row refers
 * to (a retried attempt that wrote a second blob would leave one). Identical results share a blob.
 */
export async function settledState(instance: Instance): Promise<Settled> {
  const rows = await instance.explanations();
  const done = rows.filter((r) => r.status === 'DONE');
  const objects = walk(path.join(instance.storageDir, 'objects')).map((f) => path.basename(f));
  const have = new Set(objects);
  const refs = await instance.query<{ sha: string }>(
    `SELECT sha256 AS sha FROM "Video" UNION SELECT "thumbnailSha256" FROM "Video" WHERE "thumbnailSha256" IS NOT NULL
     UNION SELECT "saliencySha256" FROM "Explanation" WHERE "saliencySha256" IS NOT NULL
     UNION SELECT "weightsSha256" FROM "Model" UNION SELECT "archiveSha256" FROM "Model" WHERE "archiveSha256" IS NOT NULL`,
  );
  const referenced = new Set(refs.map((r) => r.sha));
  const shas = done.map((r) => r.saliencySha256);
  return {
    done: done.length,
    failed: rows.filter((r) => r.status === 'FAILED').map((r) => ({ id: r.id, error: r.error })),
    stranded: rows.filter((r) => ['QUEUED', 'RUNNING'].includes(r.status)).map((r) => `${r.id}:${r.status}`),
    saliencyBlobsMissing: done.filter((r) => !r.saliencySha256 || !have.has(r.saliencySha256)).map((r) => r.id),
    sharedSaliency: shas.length - new Set(shas).size,
    orphanBlobs: objects.filter((o) => !referenced.has(o)),
  };
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Polls `{ health { ok } }` every 200 ms until stopped; records the slowest answer and every
 * poll that got no HTTP answer within 2 s.
 */
export class HealthMonitor {
  maxMs = 0;
  polls = 0;
  readonly unanswered: { at: number; ms: number; error: string }[] = [];
  private running = true;
  private paused = false;
  private readonly loop: Promise<void>;
  constructor(private readonly url: () => string) {
    this.loop = this.run();
  }
  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      if (!this.paused) {
        try {
          const res = await fetch(`${this.url()}/api/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ health { ok } }' }),
            signal: AbortSignal.timeout(2000),
          });
          await res.text();
          const ms = Date.now() - started;
          this.maxMs = Math.max(this.maxMs, ms);
        } catch (err) {
          this.unanswered.push({ at: started, ms: Date.now() - started, error: (err as Error).message });
        }
        this.polls++;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
    }
  }
  /** Stops polling (the one case that restarts the web process on purpose). */
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  async stop(): Promise<{ maxMs: number; polls: number; unanswered: number }> {
    this.running = false;
    await this.loop;
    return { maxMs: this.maxMs, polls: this.polls, unanswered: this.unanswered.length };
  }
}

/** Prints one line of figures for docs/reliability.md. */
export function report(caseName: string, figures: Record<string, unknown>): void {
  console.log(`[faults] ${caseName} ${JSON.stringify(figures)}`);
}
