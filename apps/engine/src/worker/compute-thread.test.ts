import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { kernelThreadCount } from '../core/kernel-threads.ts';
import { ExplanationCancelledError } from '../methods/types.ts';
import { BUILTIN_MODEL_DIR } from '../model/load-model.ts';
import { generateClip } from '../synth/synth-actions.ts';
import { encodeMp4 } from '../video/encode.ts';
import { ffmpeg, withTempDir } from '../video/test-fixtures.ts';
import { computeExplanation, disposeComputeModelCache, JobTimeLimitError, type ComputeRequest, type ComputeProgress } from './compute.ts';
import { ComputeHost, ComputeThreadCrashedError } from './compute-thread.ts';

const TEST_ENTRY = new URL('../testing/compute-thread-test-entry.ts', import.meta.url);
let tmp: Awaited<ReturnType<typeof withTempDir>>;
let request: ComputeRequest;
const host = new ComputeHost({ backend: 'wasm' });

beforeAll(async () => {
  tmp = await withTempDir();
  const clip = generateClip({ seed: 7, classIndex: 0 });
  const file = tmp.file('clip.mp4');
  await encodeMp4(clip.frames, [16, 112, 112, 3], file, { fps: 8, quality: 'lossless' });
  const manifest = JSON.parse(await readFile(path.join(BUILTIN_MODEL_DIR, 'fep-model.json'), 'utf8')) as { name: string; version: string; weightsSha256: string };
  request = {
    explanationId: 'thread-test',
    method: 'fep',
    target: null,
    params: { iterations: 4, seed: 3 },
    windowStartSec: null,
    videoPath: file,
    videoSha256: 'a'.repeat(64),
    videoMeta: null,
    model: { id: 'builtin', name: manifest.name, version: manifest.version, builtin: true, weightsSha256: manifest.weightsSha256, archiveSha256: null },
    storageDir: tmp.file('storage'),
    metricSteps: 8,
  };
  await Promise.all([host.start(), initBackend('wasm')]);
});

afterAll(async () => {
  await host.close();
  await disposeComputeModelCache();
  await tmp.cleanup();
});

/** Resolves with the first progress event that satisfies `pred`. */
function progressWhere(pred: (e: ComputeProgress) => boolean) {
  let hit!: (e: ComputeProgress) => void;
  const seen = new Promise<ComputeProgress>((r) => (hit = r));
  return { seen, onProgress: (e: ComputeProgress) => void (pred(e) && hit(e)) };
}

describe('ComputeHost', () => {
  it('gives the same saliency, bit for bit, as computeExplanation in-process', async () => {
    const stages = new Set<string>();
    const onThread = await host.compute(request, { onProgress: (e) => void stages.add(e.stage) });
    const inProcess = await computeExplanation(request);
    expect(onThread.saliency).toBeInstanceOf(Float32Array);
    expect(onThread.saliency.length).toBe(16 * 112 * 112);
    expect(Buffer.from(onThread.saliency.buffer).equals(Buffer.from(inProcess.saliency.buffer))).toBe(true);
    expect(onThread.record.metrics).toEqual(inProcess.record.metrics);
    expect(onThread.windowSelection).toEqual(inProcess.windowSelection);
    expect(onThread.shape).toEqual([16, 112, 112]);
    expect([...stages]).toEqual(expect.arrayContaining(['loading', 'optimising', 'metrics']));
  });

  it('honours cancel within 2 s during the optimisation', async () => {
    const controller = new AbortController();
    const { seen, onProgress } = progressWhere((e) => e.stage === 'optimising' && e.iteration >= 2);
    const running = host.compute({ ...request, params: { iterations: 100_000 } }, { signal: controller.signal, onProgress });
    running.catch(() => {});
    await seen;
    const t0 = Date.now();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(ExplanationCancelledError);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('honours cancel within 2 s during the window scan of a long high-frame-rate video', async () => {
    // 60 s at 300 fps (18 000 frames of 64×64): the kind of file whose scan ignored cancel for 60 s.
    const file = tmp.file('long.mp4');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=300', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file);
    const controller = new AbortController();
    const { seen, onProgress } = progressWhere((e) => e.stage === 'loading');
    const running = host.compute({ ...request, videoPath: file, windowStartSec: null }, { signal: controller.signal, onProgress });
    running.catch(() => {});
    await seen;
    // Let the scan get going (the stimulus, not a synchronisation: the result must still be cancelled).
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(ExplanationCancelledError);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('honours cancel within 2 s during the metrics', async () => {
    const controller = new AbortController();
    const { seen, onProgress } = progressWhere((e) => e.stage === 'metrics');
    const running = host.compute({ ...request, metricSteps: 100_000 }, { signal: controller.signal, onProgress });
    running.catch(() => {});
    await seen;
    const t0 = Date.now();
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(ExplanationCancelledError);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops a job past its time limit with JobTimeLimitError', async () => {
    const t0 = Date.now();
    const err = await host.compute({ ...request, params: { iterations: 100_000 }, timeLimitMs: 3000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobTimeLimitError);
    expect((err as Error).message).toMatch(/time limit/);
    expect(Date.now() - t0).toBeLessThan(3000 + 2000);
  });

  it('reports a thread crash as a clear error, and the next job runs on a fresh thread', async () => {
    const crashing = new ComputeHost({ backend: 'wasm', entry: TEST_ENTRY });
    try {
      await crashing.start();
      const err = await crashing.compute({ ...request, method: 'crash-the-thread' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ComputeThreadCrashedError);
      expect((err as Error).message).toMatch(/compute thread stopped unexpectedly \(uncaught Error: boom from the test entry\)/);
      const next = await crashing.compute(request);
      expect(next.saliency.length).toBe(16 * 112 * 112);
      // The mask generator's own kernel threads start and run inside the compute thread too.
      if (kernelThreadCount() > 1) {
        const stats = (await crashing.compute({ ...request, method: 'kernel-thread-stats' })) as unknown as { chunksRunByWorkers: number };
        expect(stats.chunksRunByWorkers).toBeGreaterThan(0);
      }
    } finally {
      await crashing.close();
    }
  });
});
