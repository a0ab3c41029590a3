/**
 * Test entry for the compute thread: the real thread (compute-thread-main.ts) plus one way to
 * crash it for real — a request whose method is "crash-the-thread" throws an uncaught error.
 */
import { parentPort } from 'node:worker_threads';
import '../worker/compute-thread-main.ts';

parentPort!.on('message', (m: { type: string; request?: { method: string } }) => {
  if (m.type === 'compute' && m.request?.method === 'crash-the-thread') {
    setTimeout(() => {
      throw new Error('boom from the test entry');
    });
  }
});
