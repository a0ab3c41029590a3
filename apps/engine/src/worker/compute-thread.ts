/**
 * Runs `computeExplanation` (compute.ts) on a long-lived worker thread, so the TF.js work of an
 * explanation never blocks the calling process's event loop: in embedded mode that process is
 * the web server (its `health` answered in 8 s during an explanation when TF.js ran on it), and
 * in every mode a blocked loop starves BullMQ's lock renewals.
 *
 * One thread per host, started once (`start()`): it initialises the TF.js backend once and keeps
 * the model cache between calls. Messages (structured clone):
 *   host → thread  { compute, id, request } · { cancel, id } · { close }
 *   thread → host  { ready, backend } · { failed, error } · { progress, id, event }
 *                  · { result, id, result } (the saliency buffer is transferred, not copied)
 *                  · { error, id, error } (name/message/code; typed errors are rebuilt here)
 * A thread that dies (uncaught error, out of memory, exit) rejects the calls it was running with
 * `ComputeThreadCrashedError`; the next call starts a fresh thread. A cancelled call the thread
 * does not answer within `cancelGraceMs` (stuck in one synchronous step) ends the thread too.
 *
 * The thread runs TypeScript: compute-thread-boot.mjs registers tsx in the thread, then imports
 * the entry (on Node 20 `execArgv: ['--import', 'tsx']` does not load .ts in a worker). Kernel
 * threads (core/kernel-threads.ts) are plain JavaScript and start from inside this thread as
 * from any other. ENGINE_IN_THREAD=0 makes
 * `createComputeRunner` run in-process instead (debugging).
 */
import { Worker } from 'node:worker_threads';
import { loadConfig } from '@fep/shared';
import { initBackend, type BackendInfo } from '../backend.ts';
import { TargetError } from '../explain-video.ts';
import { ExplanationCancelledError } from '../methods/types.ts';
import { ModelFormatError } from '../model/manifest.ts';
import { VideoError, type VideoErrorCode } from '../video/video-error.ts';
import {
  computeExplanation,
  JobTimeLimitError,
  ModelUnavailableError,
  type ComputeHooks,
  type ComputeProgress,
  type ComputeRequest,
  type ComputeResult,
} from './compute.ts';

export type HostMessage =
  | { type: 'compute'; id: number; request: ComputeRequest }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  details?: unknown;
  limitMs?: number;
  stack?: string;
}

export type ThreadMessage =
  | { type: 'ready'; backend: BackendInfo }
  | { type: 'failed'; error: SerializedError }
  | { type: 'progress'; id: number; event: ComputeProgress }
  | { type: 'result'; id: number; result: ComputeResult }
  | { type: 'error'; id: number; error: SerializedError };

/** The compute thread died while running this call (or could not start). */
export class ComputeThreadCrashedError extends Error {
  readonly code = 'COMPUTE_THREAD_CRASHED' as const;
  constructor(detail: string) {
    super(`The engine's compute thread stopped unexpectedly (${detail}); the next job starts a fresh thread.`);
    this.name = 'ComputeThreadCrashedError';
  }
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { code?: unknown; details?: unknown; limitMs?: unknown };
  let details: unknown;
  try {
    details = e.details === undefined ? undefined : structuredClone(e.details);
  } catch {
    details = undefined;
  }
  return {
    name: e.name,
    message: e.message,
    code: typeof e.code === 'string' ? e.code : undefined,
    details,
    limitMs: typeof e.limitMs === 'number' ? e.limitMs : undefined,
    stack: e.stack,
  };
}

/** The typed error a serialized one came from (the classes callers branch on), else a plain Error. */
export function deserializeError(s: SerializedError): Error {
  let err: Error;
  switch (s.name) {
    case 'ExplanationCancelledError':
      err = new ExplanationCancelledError();
      break;
    case 'JobTimeLimitError':
      err = new JobTimeLimitError(s.limitMs ?? 0);
      break;
    case 'ModelUnavailableError':
      err = new ModelUnavailableError(s.message);
      break;
    case 'TargetError':
      err = new TargetError(s.message);
      break;
    case 'VideoError':
      err = new VideoError(s.code as VideoErrorCode, s.message, s.details as Record<string, unknown> | undefined);
      break;
    case 'ModelFormatError':
      err = new ModelFormatError(s.code as ConstructorParameters<typeof ModelFormatError>[0], s.message, (s.details ?? {}) as never);
      break;
    default:
      err = new Error(s.message);
      err.name = s.name;
      if (s.code) (err as Error & { code?: string }).code = s.code;
  }
  if (s.stack) err.stack = `${err.name}: ${err.message}\n    at <compute thread>\n${s.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

export interface ComputeHostOptions {
  /** The thread's entry module; default compute-thread-main.ts (tests pass a wrapper). */
  entry?: URL;
  /** TF.js backend preference for the thread (default ENGINE_BACKEND / auto). */
  backend?: string;
  /** How long a cancelled call may take to stop before the thread is ended; default 5000 ms. */
  cancelGraceMs?: number;
  log?: (msg: string) => void;
}

interface Pending {
  resolve: (r: ComputeResult) => void;
  reject: (e: Error) => void;
  hooks: ComputeHooks;
  cleanup: () => void;
}

interface Thread {
  worker: Worker;
  ready: Promise<BackendInfo>;
  pending: Map<number, Pending>;
  dead: boolean;
}

export class ComputeHost {
  private thread: Thread | null = null;
  private nextId = 1;
  private closed = false;
  constructor(private readonly opts: ComputeHostOptions = {}) {}

  /** Starts the thread (if not running) and resolves once its backend is ready. */
  start(): Promise<BackendInfo> {
    if (this.closed) return Promise.reject(new Error('ComputeHost is closed.'));
    return this.ensureThread().ready;
  }

  /** Runs one explanation on the thread; rejects with the thread's (typed) error. */
  async compute(request: ComputeRequest, hooks: ComputeHooks = {}): Promise<ComputeResult> {
    if (hooks.signal?.aborted) throw new ExplanationCancelledError();
    const thread = this.ensureThread();
    await thread.ready;
    if (thread.dead) throw new ComputeThreadCrashedError('it exited before the job started');
    const id = this.nextId++;
    // Backstop for a thread whose own time limit cannot fire (its event loop stuck): end it.
    const limitMs = (request.timeLimitMs ?? loadConfig().engineJobTimeoutMs) + 10_000;
    return new Promise<ComputeResult>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | null = null;
      const onAbort = () => {
        if (!thread.dead) thread.worker.postMessage({ type: 'cancel', id } satisfies HostMessage);
        graceTimer = setTimeout(() => this.kill(thread, new ExplanationCancelledError(), id), this.opts.cancelGraceMs ?? 5000);
      };
      const limitTimer = setTimeout(() => this.kill(thread, new JobTimeLimitError(limitMs - 10_000), id), limitMs);
      const cleanup = () => {
        clearTimeout(limitTimer);
        if (graceTimer) clearTimeout(graceTimer);
        hooks.signal?.removeEventListener('abort', onAbort);
      };
      thread.pending.set(id, { resolve, reject, hooks, cleanup });
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      thread.worker.postMessage({ type: 'compute', id, request } satisfies HostMessage);
    });
  }

  /** Stops the thread (after asking it to dispose its models); running calls are cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    this.thread = null;
    if (!thread || thread.dead) return;
    const exited = new Promise<void>((resolve) => thread.worker.once('exit', () => resolve()));
    thread.worker.postMessage({ type: 'close' } satisfies HostMessage);
    const timer = setTimeout(() => void thread.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private ensureThread(): Thread {
    if (this.thread && !this.thread.dead) return this.thread;
    const entry = this.opts.entry ?? new URL('./compute-thread-main.ts', import.meta.url);
    const worker = new Worker(new URL('./compute-thread-boot.mjs', import.meta.url), {
      execArgv: [],
      workerData: { entry: entry.href, backend: this.opts.backend },
    });
    let ready!: (b: BackendInfo) => void;
    let failed!: (e: Error) => void;
    const thread: Thread = {
      worker,
      pending: new Map(),
      dead: false,
      ready: new Promise<BackendInfo>((res, rej) => {
        ready = res;
        failed = rej;
      }),
    };
    thread.ready.catch(() => {});
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'ready') return ready(m.backend);
      if (m.type === 'failed') {
        failed(deserializeError(m.error));
        return void worker.terminate();
      }
      const p = thread.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        void Promise.resolve(p.hooks.onProgress?.(m.event)).catch((err) => this.opts.log?.(`progress hook failed: ${String(err)}`));
        return;
      }
      thread.pending.delete(m.id);
      p.cleanup();
      if (m.type === 'result') p.resolve(m.result);
      else p.reject(deserializeError(m.error));
    });
    let lastError: Error | null = null;
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('exit', (code) => {
      thread.dead = true;
      if (this.thread === thread) this.thread = null;
      const detail = lastError ? `uncaught ${lastError.name}: ${lastError.message}` : `exit code ${code}`;
      failed(new ComputeThreadCrashedError(detail));
      for (const p of thread.pending.values()) {
        p.cleanup();
        p.reject(new ComputeThreadCrashedError(detail));
      }
      if (thread.pending.size > 0 || code !== 0) this.opts.log?.(`compute thread ended (${detail})`);
      thread.pending.clear();
    });
    this.thread = thread;
    return thread;
  }

  /** Ends a thread that does not answer; `id`'s call rejects with `reason`, the others as crashed. */
  private kill(thread: Thread, reason: Error, id: number): void {
    const p = thread.pending.get(id);
    if (p) {
      thread.pending.delete(id);
      p.cleanup();
      p.reject(reason);
    }
    this.opts.log?.(`compute thread did not stop in time (${reason.name}); terminating it`);
    void thread.worker.terminate();
  }
}

/** What runs explanations for a worker: the compute thread, or in-process with ENGINE_IN_THREAD=0. */
export interface ComputeRunner {
  /** Initialises the TF.js backend (on the thread) and says which one runs. */
  start(): Promise<BackendInfo>;
  compute(request: ComputeRequest, hooks?: ComputeHooks): Promise<ComputeResult>;
  close(): Promise<void>;
}

export function createComputeRunner(opts: ComputeHostOptions = {}): ComputeRunner {
  if (process.env.ENGINE_IN_THREAD === '0') {
    return { start: () => initBackend(opts.backend), compute: (r, h) => computeExplanation(r, h), close: async () => {} };
  }
  return new ComputeHost(opts);
}
