/**
 * Keeps a child process running: when it exits (crash, kill, OOM) it is started again after a
 * capped exponential backoff — 1 s, 2 s, 4 s … up to 30 s — and the backoff starts over once a
 * child has stayed up for a minute. Each exit is logged with its exit code or signal. `stop()`
 * (SIGTERM, then SIGKILL after a grace) ends it for good. Used by `npm start` for the engine
 * processes (scripts/start.ts); an engine dying never stops the web process.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface SupervisorOptions {
  name: string;
  command: string;
  args: string[];
  spawnOptions?: SpawnOptions;
  /** First restart delay; default 1000 ms. Doubles per consecutive crash. */
  initialBackoffMs?: number;
  /** Longest restart delay; default 30 000 ms. */
  maxBackoffMs?: number;
  /** A child up this long resets the backoff; default 60 000 ms. */
  resetAfterMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL; default 10 000 ms. */
  stopGraceMs?: number;
  log?: (msg: string) => void;
  /** Called on every start (tests, diagnostics). */
  onStart?: (child: ChildProcess) => void;
}

export interface ExitRecord {
  code: number | null;
  signal: NodeJS.Signals | null;
  upMs: number;
  /** Delay before the next start (null once stopped). */
  restartInMs: number | null;
}

/** Delay before restart number `crashes` (1-based count of consecutive quick exits). */
export function backoffMs(crashes: number, initialMs = 1000, maxMs = 30_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, crashes - 1));
}

export class Supervisor {
  child: ChildProcess | null = null;
  readonly exits: ExitRecord[] = [];
  starts = 0;
  private crashes = 0;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: SupervisorOptions) {
    this.log = opts.log ?? ((m) => console.log(m));
  }

  start(): void {
    if (this.stopped) return;
    const startedAt = Date.now();
    const child = spawn(this.opts.command, this.opts.args, this.opts.spawnOptions ?? { stdio: 'inherit' });
    this.child = child;
    this.starts++;
    child.once('error', (err) => this.log(`[start] ${this.opts.name} could not start: ${err.message}`));
    child.once('exit', (code, signal) => {
      this.child = null;
      const upMs = Date.now() - startedAt;
      if (this.stopped) {
        this.exits.push({ code, signal, upMs, restartInMs: null });
        return;
      }
      if (upMs >= (this.opts.resetAfterMs ?? 60_000)) this.crashes = 0;
      this.crashes++;
      const delay = backoffMs(this.crashes, this.opts.initialBackoffMs ?? 1000, this.opts.maxBackoffMs ?? 30_000);
      this.exits.push({ code, signal, upMs, restartInMs: delay });
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      this.log(`[start] ${this.opts.name} died (${why}) after ${(upMs / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s`);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.start();
      }, delay);
    });
    this.opts.onStart?.(child);
  }

  /** Stops supervising and ends the child (SIGTERM, SIGKILL after the grace). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), this.opts.stopGraceMs ?? 10_000);
    await exited;
    clearTimeout(kill);
  }
}
