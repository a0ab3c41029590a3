/**
 * Private PostgreSQL and Redis for the fault suite, so a case may stop and restart them without
 * touching the machine's shared servers. Needs root (pg_createcluster) and `redis-server` on PATH.
 *
 * Every resource is named after the test process's pid (`fepfault_<pid>_<hex>`), so a later run
 * can recognise and remove what an aborted run left behind (its pid is gone).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const RUN_ROOT = path.join(os.tmpdir(), 'fep-faults');
const NAME_RE = /^fepfault_(\d+)_[0-9a-f]+$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Drops clusters, stops Redis servers and removes folders of earlier runs whose process is gone. */
export function cleanupStale(): void {
  const clusters = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of clusters.split('\n')) {
    const [ver, name] = line.trim().split(/\s+/);
    const m = name ? NAME_RE.exec(name) : null;
    if (m && !alive(Number(m[1]))) spawnSync('pg_dropcluster', ['--stop', ver!, name!], { stdio: 'ignore' });
  }
  if (!existsSync(RUN_ROOT)) return;
  for (const name of readdirSync(RUN_ROOT)) {
    const m = NAME_RE.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const dir = path.join(RUN_ROOT, name);
    for (const f of existsSync(dir) ? readdirSync(dir) : []) {
      if (!f.endsWith('.pid')) continue;
      const pid = Number(readFileSync(path.join(dir, f), 'utf8').trim());
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port nothing listens on, from [from, to). */
export async function freePort(from: number, to: number): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from));
  for (let i = 0; i < to - from; i++) {
    const port = from + ((start - from + i) % (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export class PrivatePostgres {
  readonly name: string;
  port = 0;
  constructor(readonly dir: string, name: string) {
    this.name = name;
  }

  async create(): Promise<void> {
    this.port = await freePort(5440, 5500);
    sh('pg_createcluster', ['15', this.name, '--port', String(this.port), '--', '--auth=trust']);
    const conf = `/etc/postgresql/15/${this.name}`;
    writeFileSync(path.join(conf, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n');
    // Small and quick: the suite opens a few pools; fsync off (data is thrown away).
    writeFileSync(path.join(conf, 'conf.d', 'fep-faults.conf'), "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nlisten_addresses = '127.0.0.1'\n");
    this.start();
    await waitFor('PostgreSQL to accept connections', async () => this.ready(), 30_000);
  }

  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async ready(): Promise<boolean> {
    const c = new pg.Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  }

  async createDatabase(name: string): Promise<string> {
    const c = new pg.Client({ connectionString: this.url('postgres') });
    await c.connect();
    try {
      await c.query(`CREATE DATABASE "${name}"`);
    } finally {
      await c.end();
    }
    return this.url(name);
  }

  start(): void {
    sh('pg_ctlcluster', ['--skip-systemctl-redirect', '15', this.name, 'start']);
  }

  /** Fast shutdown: open connections are cut, as when the server goes away. */
  stop(): void {
    sh('pg_ctlcluster', ['--skip-systemctl-redirect', '15', this.name, 'stop', '-m', 'fast']);
  }

  drop(): void {
    spawnSync('pg_dropcluster', ['--stop', '15', this.name], { stdio: 'ignore' });
  }
}

export class PrivateRedis {
  port = 0;
  constructor(readonly dir: string) {}
  get pidfile(): string {
    return path.join(this.dir, 'redis.pid');
  }
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort(6390, 6490);
    sh('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--save', '', '--appendonly', 'no',
      '--pidfile', this.pidfile, '--dir', this.dir, '--logfile', path.join(this.dir, 'redis.log'),
    ]);
    await waitFor('Redis to answer PING', async () => spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 10_000, 50);
  }

  /** Stops the server and forgets everything it held (nothing is persisted). */
  async stop(): Promise<void> {
    const pid = existsSync(this.pidfile) ? Number(readFileSync(this.pidfile, 'utf8').trim()) : 0;
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGKILL');
      await waitFor('Redis to exit', async () => !alive(pid), 10_000, 50);
    }
    rmSync(this.pidfile, { force: true });
  }

  /** Number of keys (queue state included). */
  dbsize(): number {
    return Number(spawnSync('redis-cli', ['-p', String(this.port), 'dbsize'], { encoding: 'utf8' }).stdout.trim());
  }
}

/** One run's private services and folder; `teardown` is safe to call twice and runs on exit too. */
export class FaultServices {
  readonly name = `fepfault_${process.pid}_${randomBytes(3).toString('hex')}`;
  readonly dir = path.join(RUN_ROOT, this.name);
  readonly postgres = new PrivatePostgres(this.dir, this.name);
  readonly redis = new PrivateRedis(this.dir);
  private torn = false;
  private readonly onExit = () => this.teardownSync();

  async start(opts: { redis?: boolean } = {}): Promise<void> {
    cleanupStale();
    mkdirSync(this.dir, { recursive: true });
    process.once('exit', this.onExit);
    await this.postgres.create();
    if (opts.redis !== false) await this.redis.start();
  }

  teardownSync(): void {
    if (this.torn) return;
    this.torn = true;
    const pid = existsSync(this.redis.pidfile) ? Number(readFileSync(this.redis.pidfile, 'utf8').trim()) : 0;
    if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL');
    this.postgres.drop();
    rmSync(this.dir, { recursive: true, force: true });
    process.off('exit', this.onExit);
  }

  async teardown(): Promise<void> {
    this.teardownSync();
  }
}
