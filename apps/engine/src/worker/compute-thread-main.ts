/**
 * Entry point of the engine's compute thread (started by ComputeHost, compute-thread.ts).
 * Initialises the TF.js backend once, then runs `computeExplanation` for each request it is
 * sent; the model cache lives here, between requests. Protocol: compute-thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend.ts';
import { computeExplanation, disposeComputeModelCache } from './compute.ts';
import { serializeError, type HostMessage, type ThreadMessage } from './compute-thread.ts';

const port = parentPort!;
const running = new Map<number, AbortController>();
const send = (m: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: HostMessage) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  if (m.type === 'close') {
    for (const c of running.values()) c.abort();
    void disposeComputeModelCache().finally(() => port.close());
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  computeExplanation(m.request, {
    signal: controller.signal,
    onProgress: (event) => send({ type: 'progress', id: m.id, event }),
  })
    .then((result) => {
      // The volume's buffer moves to the host (no copy); it is a fresh Float32Array per call.
      const buf = result.saliency.buffer as ArrayBuffer;
      const transfer = result.saliency.byteLength === buf.byteLength ? [buf] : [];
      send({ type: 'result', id: m.id, result }, transfer);
    })
    .catch((err: unknown) => send({ type: 'error', id: m.id, error: serializeError(err) }))
    .finally(() => running.delete(m.id));
});

try {
  const backend = await initBackend((workerData as { backend?: string } | undefined)?.backend);
  send({ type: 'ready', backend });
} catch (err) {
  send({ type: 'failed', error: serializeError(err) });
}
