import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { KernelThreads, kernelThreadCount } from './kernel-threads.ts';
import { MaskGenerator } from './mask-generator.ts';
import { closeKernelThreads, kernelThreads, kernelThreadsInUse } from './smooth-max-simd.ts';

/**
 * A tiny module importing a shared `env.mem`: fill(ptr, count) stores 1.0 at the `count` floats
 * from `ptr`, so a test can see which cells a call wrote.
 */
function fillModule(): Uint8Array {
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, // type (i32, i32) → ()
    0x02, 0x0e, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x03, 0x01, 0x80, 0x02, // env.mem shared 1..256 pages
    0x03, 0x02, 0x01, 0x00,
    0x07, 0x08, 0x01, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00, // export "fill"
    0x0a, 0x29, 0x01, 0x27, 0x00,
    0x02, 0x40, 0x03, 0x40, // block loop
    0x20, 0x01, 0x45, 0x0d, 0x01, // if count == 0 break
    0x20, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x38, 0x02, 0x00, // f32.store ptr 1.0
    0x20, 0x00, 0x41, 0x04, 0x6a, 0x21, 0x00, // ptr += 4
    0x20, 0x01, 0x41, 0x01, 0x6b, 0x21, 0x01, // count -= 1
    0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br loop; end; end; end
  ]);
}

/** The WebAssembly JS API (the project's TypeScript libs do not declare it). */
const WA = (globalThis as unknown as { WebAssembly: {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, (...a: number[]) => void> };
} }).WebAssembly;

describe('KernelThreads', () => {
  const pools: KernelThreads[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  function setup(threads: number) {
    const memory = new WA.Memory({ initial: 1, maximum: 256, shared: true });
    const module = new WA.Module(fillModule());
    const exports = new WA.Instance(module, { env: { mem: memory } }).exports;
    const pool = new KernelThreads(memory, threads);
    pools.push(pool);
    const mod = pool.register(module, ['fill'], exports);
    return { memory, pool, mod };
  }

  it('splits a call into chunks that the caller and the workers claim; every cell is written once', async () => {
    const { memory, pool, mod } = setup(3);
    await pool.whenStarted();
    const cells = 10_000;
    for (let rep = 0; rep < 20; rep++) {
      const view = new Float32Array(memory.buffer, 0, cells + 1);
      view.fill(0);
      pool.run(mod, 'fill', { cells, chunk: 7, args: [0, 0], cellStrides: [4, 0], countArg: 1 });
      expect(view.subarray(0, cells).every((v) => v === 1)).toBe(true);
      expect(view[cells]).toBe(0); // nothing written past the last cell
    }
    expect(pool.chunksRunByWorkers()).toBeGreaterThan(0);
  });

  it('works alone while no worker has started, and after a worker is gone', async () => {
    const { memory, pool, mod } = setup(2);
    const view = new Float32Array(memory.buffer, 0, 1000);
    // Immediately after construction: whatever has started takes part, nothing is waited for.
    pool.run(mod, 'fill', { cells: 1000, chunk: 10, args: [0, 0], cellStrides: [4, 0], countArg: 1 });
    expect(view.every((v) => v === 1)).toBe(true);
    await pool.whenStarted();
    await pool.terminateWorker(0);
    view.fill(0);
    const before = pool.chunksRunByWorkers();
    pool.run(mod, 'fill', { cells: 1000, chunk: 10, args: [0, 0], cellStrides: [4, 0], countArg: 1 });
    expect(view.every((v) => v === 1)).toBe(true);
    expect(pool.chunksRunByWorkers()).toBe(before);
  });

  it('reads ENGINE_KERNEL_THREADS and rejects nonsense', () => {
    const saved = process.env.ENGINE_KERNEL_THREADS;
    try {
      process.env.ENGINE_KERNEL_THREADS = '3';
      expect(kernelThreadCount()).toBe(3);
      for (const bad of ['0', '-1', '1.5', 'two']) {
        process.env.ENGINE_KERNEL_THREADS = bad;
        expect(() => kernelThreadCount()).toThrow(/ENGINE_KERNEL_THREADS/);
      }
    } finally {
      if (saved === undefined) delete process.env.ENGINE_KERNEL_THREADS;
      else process.env.ENGINE_KERNEL_THREADS = saved;
    }
  });
});

describe('mask generator on kernel threads', () => {
  beforeAll(async () => {
    await initBackend();
  });
  afterAll(async () => {
    delete process.env.ENGINE_KERNEL_THREADS;
    await closeKernelThreads();
  });

  /** Masks and ∂(Σ masks · r)/∂params for 2 areas × 16 frames at 112×112, with `threads` threads. */
  async function run(threads: number): Promise<{ masks: Float32Array; grad: Float32Array; workerChunks: number }> {
    await closeKernelThreads();
    process.env.ENGINE_KERNEL_THREADS = String(threads);
    const pool = kernelThreads();
    await pool?.whenStarted();
    expect(kernelThreadsInUse()).toBe(threads);
    const g = new MaskGenerator({ height: 112, width: 112, step: 7, sigma: 11 });
    expect(g.useSimd).toBe(true);
    const [ph, pw] = g.shapeIn;
    const params = tf.randomUniform([32, ph, pw], 0, 1, 'float32', 7) as tf.Tensor3D;
    const r = tf.randomUniform([32, 112, 112], -1, 1, 'float32', 8);
    const masks = tf.tidy(() => g.generateCropped(params));
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(g.generateCropped(p as tf.Tensor3D), r)))(params);
    const out = { masks: masks.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array, workerChunks: pool?.chunksRunByWorkers() ?? 0 };
    tf.dispose([params, r, masks, grad]);
    g.dispose();
    return out;
  }

  it('gives bit-identical masks and gradients with 1, 2 and 3 threads, and the workers take part', async () => {
    const one = await run(1);
    expect(one.workerChunks).toBe(0);
    for (const threads of [2, 3]) {
      const many = await run(threads);
      expect(many.workerChunks).toBeGreaterThan(0);
      expect(Buffer.from(many.masks.buffer).equals(Buffer.from(one.masks.buffer))).toBe(true);
      expect(Buffer.from(many.grad.buffer).equals(Buffer.from(one.grad.buffer))).toBe(true);
    }
  });
});
