/**
 * Test entry for the compute thread: the real thread (compute-thread-main.ts) plus two test-only
 * methods — "crash-the-thread" throws an uncaught error (a real crash), and "kernel-thread-stats"
 * answers with the chunks the mask generator's kernel threads have run inside this thread.
 */
import { parentPort } from 'node:worker_threads';
import { kernelThreads } from '../core/smooth-max-simd.ts';
import '../worker/compute-thread-main.ts';

parentPort!.on('message', (m: { type: string; id?: number; request?: { method: string } }) => {
  if (m.type !== 'compute') return;
  if (m.request?.method === 'crash-the-thread') {
    setTimeout(() => {
      throw new Error('boom from the test entry');
    });
  }
  if (m.request?.method === 'kernel-thread-stats') {
    const pool = kernelThreads();
    parentPort!.postMessage({ type: 'result', id: m.id, result: { chunksRunByWorkers: pool?.chunksRunByWorkers() ?? 0 } });
  }
});
