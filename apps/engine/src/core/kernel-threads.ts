/**
 * Runs the engine's own WebAssembly kernels (core/smooth-max-simd.ts) on several cores.
 *
 * Why: TF.js's wasm backend is single-threaded in Node (its threaded build needs browser workers,
 * tfjs#3830), so one F-EP iteration used one core. The smooth-max mask generator is the largest
 * part of an iteration and its cells are independent, so a kernel call is split into chunks of
 * cells that the calling thread and worker threads claim in turn (work stealing: border cells,
 * with many zero taps, are cheaper than inner ones). The workers share the kernels' memory (a
 * shared WebAssembly.Memory). Every cell does exactly the same arithmetic whichever thread runs
 * it, so results do not depend on the number of threads (tested bit for bit).
 *
 * Protocol (one Int32Array `ctrl` on a SharedArrayBuffer, all accesses atomic):
 *  - the caller writes the call (arguments, strides, cell count) and each ready worker's `ACTIVE`
 *    flag, bumps `SEQ` and notifies;
 *  - every thread claims chunks with `Atomics.add` on `NEXT` until the cells run out; a worker then
 *    stores `SEQ` into its `DONE` slot and notifies; the caller waits for every active worker.
 * The calls stay synchronous, as TF.js custom ops need. Workers that have not finished starting
 * are simply not used (no call ever waits for a thread to start), and a worker that fails reports
 * the chunk it was on, which the caller reruns; after that the caller works alone.
 *
 * Settings: `ENGINE_KERNEL_THREADS` (default: the number of cores, at most 4; 1 disables workers).
 * With several engine processes on one host, keep processes × threads ≤ cores.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

const SEQ = 0;
const SHUTDOWN = 1;
const MODULE = 2;
const FUNCTION = 3;
const FLOAT_MASK = 4;
const ARG_COUNT = 5;
const CELLS = 6;
const CHUNK = 7;
const COUNT_ARG = 8;
const NEXT = 9; // next unclaimed cell (work stealing)
const MAX_WORKERS = 8;
/** Most threads a call can use, the caller included (sizes per-thread scratch). */
export const MAX_KERNEL_THREADS = MAX_WORKERS + 1;
const READY = 16; // + worker
const ACTIVE = 24; // + worker
const DONE = 32; // + worker
const CURRENT = 40; // + worker: 1 + the first cell of the chunk it is running, 0 when none
const FAILED = 48; // + worker: 1 + the first cell of a chunk it failed on, 0 when none
const CHUNKS_RUN = 56; // + worker: chunks it has run (tests and diagnostics)
const MAX_ARGS = 16;
const ARGS = 64; // base arguments
const CELL_STRIDES = ARGS + MAX_ARGS; // per argument: added once per cell of the chunk's start
const THREAD_STRIDES = CELL_STRIDES + MAX_ARGS; // per argument: added once per thread index
const CTRL_INTS = THREAD_STRIDES + MAX_ARGS;

/** Plain JavaScript (no TypeScript loader in the worker): wait, claim chunks of cells, report. */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrlBuffer, memory, port, index } = workerData;
const ctrl = new Int32Array(ctrlBuffer);
const ctrlF = new Float32Array(ctrlBuffer);
const modules = [];
let seen = Atomics.load(ctrl, ${SEQ});
Atomics.store(ctrl, ${READY} + index, 1);
require('node:worker_threads').parentPort.postMessage('ready');
for (;;) {
  while (Atomics.load(ctrl, ${SEQ}) === seen) Atomics.wait(ctrl, ${SEQ}, seen, 1000);
  seen = Atomics.load(ctrl, ${SEQ});
  if (Atomics.load(ctrl, ${SHUTDOWN}) === 1) break;
  if (Atomics.load(ctrl, ${ACTIVE} + index) !== 1) continue;
  let start = -1;
  try {
    for (let m; (m = receiveMessageOnPort(port)); ) {
      const { id, module, names } = m.message;
      modules[id] = { exports: new WebAssembly.Instance(module, { env: { mem: memory } }).exports, names };
    }
    const mod = modules[Atomics.load(ctrl, ${MODULE})];
    const fn = mod.exports[mod.names[Atomics.load(ctrl, ${FUNCTION})]];
    const mask = Atomics.load(ctrl, ${FLOAT_MASK});
    const n = Atomics.load(ctrl, ${ARG_COUNT});
    const cells = Atomics.load(ctrl, ${CELLS});
    const chunk = Atomics.load(ctrl, ${CHUNK});
    const countArg = Atomics.load(ctrl, ${COUNT_ARG});
    const thread = index + 1;
    const args = new Array(n);
    for (;;) {
      start = Atomics.add(ctrl, ${NEXT}, chunk);
      if (start >= cells) break;
      Atomics.store(ctrl, ${CURRENT} + index, start + 1);
      for (let i = 0; i < n; i++) {
        args[i] = (mask >> i) & 1 ? ctrlF[${ARGS} + i]
          : ctrl[${ARGS} + i] + start * ctrl[${CELL_STRIDES} + i] + thread * ctrl[${THREAD_STRIDES} + i];
      }
      args[countArg] = Math.min(chunk, cells - start);
      fn(...args);
      Atomics.store(ctrl, ${CURRENT} + index, 0);
      Atomics.add(ctrl, ${CHUNKS_RUN} + index, 1);
    }
    Atomics.store(ctrl, ${FAILED} + index, 0);
  } catch {
    Atomics.store(ctrl, ${FAILED} + index, start >= 0 ? start + 1 : 0);
    Atomics.store(ctrl, ${CURRENT} + index, 0);
  }
  Atomics.store(ctrl, ${DONE} + index, seen);
  Atomics.notify(ctrl, ${DONE} + index);
}
`;

/**
 * One call split into chunks of cells: the argument values of a chunk starting at cell `s` on
 * thread `t` (0 = the caller) are `args[i] + s·cellStrides[i] + t·threadStrides[i]` (pointers into
 * the shared memory), with `args[countArg]` replaced by the chunk's cell count.
 */
export interface CellCall {
  cells: number;
  /** Cells per chunk: threads claim chunks until none is left, so uneven cells balance out. */
  chunk: number;
  args: number[];
  cellStrides: number[];
  threadStrides?: number[];
  countArg: number;
  /** Positions of f32 arguments (passed as is); the others are i32. */
  floatArgs?: readonly number[];
}

export type KernelFn = (...args: number[]) => void;

/** A registered module: its exports on the calling thread, by name. */
export interface RegisteredModule {
  id: number;
  names: string[];
  exports: Record<string, KernelFn>;
}

export class KernelThreads {
  /** Total threads including the calling one. */
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly ctrlF: Float32Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private nextModuleId = 0;
  private readonly started: Array<Promise<void>> = [];
  private broken = false;

  constructor(memory: object, threads: number) {
    this.threads = Math.max(1, Math.min(threads, MAX_WORKERS + 1));
    const buffer = new SharedArrayBuffer(CTRL_INTS * 4);
    this.ctrl = new Int32Array(buffer);
    this.ctrlF = new Float32Array(buffer);
    for (let w = 0; w < this.threads - 1; w++) {
      const { port1, port2 } = new MessageChannel();
      // execArgv []: the worker is plain JavaScript and must not load the parent's TypeScript hooks.
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { ctrlBuffer: buffer, memory, port: port2, index: w },
        transferList: [port2],
      });
      worker.unref();
      this.started.push(
        new Promise((resolve) => {
          worker.once('message', () => resolve());
          worker.once('exit', () => resolve());
        }),
      );
      worker.on('error', () => {
        this.broken = true;
      });
      // A worker that is gone is never given chunks again (the caller would wait for it).
      worker.on('exit', () => Atomics.store(this.ctrl, READY + w, 0));
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  /** Make a compiled module (importing `env.mem`) available on every thread. */
  register(module: object, names: string[], exports: Record<string, KernelFn>): RegisteredModule {
    const id = this.nextModuleId++;
    for (const port of this.ports) port.postMessage({ id, module, names });
    return { id, names, exports };
  }

  /** Resolves once every worker has started (or exited): `run` never waits for this itself. */
  async whenStarted(): Promise<void> {
    await Promise.all(this.started);
  }

  /** Chunks run by worker threads so far (diagnostics; tests check that the workers did work). */
  chunksRunByWorkers(): number {
    let total = 0;
    for (let w = 0; w < this.workers.length; w++) total += Atomics.load(this.ctrl, CHUNKS_RUN + w);
    return total;
  }

  /** Stop one worker, as if it had crashed (tests). */
  async terminateWorker(w: number): Promise<void> {
    await this.workers[w]!.terminate();
  }

  /** Workers that have started and can take chunks now. */
  private readyWorkers(): number[] {
    if (this.broken) return [];
    const ready: number[] = [];
    for (let w = 0; w < this.workers.length; w++) if (Atomics.load(this.ctrl, READY + w) === 1) ready.push(w);
    return ready;
  }

  /**
   * Run `fn` over `call.cells` cells in chunks, on this thread and every ready worker, and return
   * when all are done. Which thread runs which chunk does not change any result.
   */
  run(mod: RegisteredModule, fn: string, call: CellCall): void {
    const fnIndex = mod.names.indexOf(fn);
    if (fnIndex < 0) throw new Error(`kernel ${fn} is not registered`);
    const local = mod.exports[fn]!;
    const { cells, chunk, args, cellStrides, countArg } = call;
    const threadStrides = call.threadStrides ?? args.map(() => 0);
    const floatArgs = call.floatArgs ?? [];
    if (args.length > MAX_ARGS) throw new Error(`at most ${MAX_ARGS} kernel arguments`);
    if (!(chunk >= 1)) throw new RangeError('chunk must be ≥ 1');
    const mask = floatArgs.reduce((m, i) => m | (1 << i), 0);
    const argsAt = (start: number, thread: number): number[] =>
      args.map((a, i) =>
        i === countArg ? Math.min(chunk, cells - start) : (mask >> i) & 1 ? a : a + start * cellStrides[i]! + thread * threadStrides[i]!,
      );
    const ready = cells > chunk ? this.readyWorkers() : [];
    if (ready.length === 0) {
      for (let s = 0; s < cells; s += chunk) local(...argsAt(s, 0));
      return;
    }
    const { ctrl, ctrlF } = this;
    Atomics.store(ctrl, MODULE, mod.id);
    Atomics.store(ctrl, FUNCTION, fnIndex);
    Atomics.store(ctrl, FLOAT_MASK, mask);
    Atomics.store(ctrl, ARG_COUNT, args.length);
    Atomics.store(ctrl, CELLS, cells);
    Atomics.store(ctrl, CHUNK, chunk);
    Atomics.store(ctrl, COUNT_ARG, countArg);
    Atomics.store(ctrl, NEXT, 0);
    for (let i = 0; i < args.length; i++) {
      if ((mask >> i) & 1) ctrlF[ARGS + i] = args[i]!;
      else Atomics.store(ctrl, ARGS + i, args[i]!);
      Atomics.store(ctrl, CELL_STRIDES + i, cellStrides[i]!);
      Atomics.store(ctrl, THREAD_STRIDES + i, threadStrides[i]!);
    }
    for (let w = 0; w < this.workers.length; w++) Atomics.store(ctrl, ACTIVE + w, ready.includes(w) ? 1 : 0);
    const seq = Atomics.add(ctrl, SEQ, 1) + 1;
    Atomics.notify(ctrl, SEQ);
    for (let s; (s = Atomics.add(ctrl, NEXT, chunk)) < cells; ) local(...argsAt(s, 0));
    for (const w of ready) {
      for (let v; (v = Atomics.load(ctrl, DONE + w)) !== seq; ) {
        // A part never takes this long unless the worker died: then run its chunk here.
        if (Atomics.wait(ctrl, DONE + w, v, 30_000) === 'timed-out' && Atomics.load(ctrl, DONE + w) !== seq) {
          this.broken = true;
          const current = Atomics.load(ctrl, CURRENT + w);
          if (current > 0) local(...argsAt(current - 1, 0));
          break;
        }
      }
      const failed = Atomics.load(ctrl, FAILED + w);
      if (failed > 0) {
        this.broken = true;
        local(...argsAt(failed - 1, 0));
      }
    }
  }

  /** Stop the workers (tests; the process otherwise lets them go with it: they are unref'd). */
  async close(): Promise<void> {
    Atomics.store(this.ctrl, SHUTDOWN, 1);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
    await Promise.all(this.workers.map((w) => w.terminate()));
    for (const p of this.ports) p.close();
  }
}

export class InvalidKernelThreadsError extends RangeError {
  constructor(raw: string) {
    super(`ENGINE_KERNEL_THREADS must be an integer ≥ 1, got "${raw}"`);
    this.name = 'InvalidKernelThreadsError';
  }
}

/** Threads for the engine's kernels: `ENGINE_KERNEL_THREADS`, else the cores (≤ 4). */
export function kernelThreadCount(): number {
  const raw = process.env.ENGINE_KERNEL_THREADS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new InvalidKernelThreadsError(raw);
    return Math.min(n, MAX_WORKERS + 1);
  }
  return Math.max(1, Math.min(4, availableParallelism()));
}
