/**
 * Zero-copy access to tensor data for small custom kernels written in JavaScript.
 *
 * On the wasm backend a float32 tensor lives in the module's heap; `typedArrayFromHeap` gives a
 * view of it without a copy (`dataSync()` copies, and costs tens of ms for ~10⁶ floats here).
 * On other backends these helpers fall back to `dataSync()` / `tf.tensor`. Views are only valid
 * until the next allocation on the backend (the heap may grow), so: allocate outputs first
 * (`allocOutput`), then take the views, compute, and drop them.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function wasmBackend(): WasmLike | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as Partial<WasmLike>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' ? (b as WasmLike) : null;
}

/** Whether tensors live in the wasm heap (zero-copy views; elsewhere the helpers copy). */
export function hasHeapViews(): boolean {
  return wasmBackend() !== null;
}

/** A float32 output tensor to be filled through `view(out)` (wasm: heap memory; else a JS buffer). */
export interface JsOutput {
  tensor: () => tf.Tensor;
  view: () => Float32Array;
}

export function allocOutput(shape: number[]): JsOutput {
  const b = wasmBackend();
  if (b) {
    const t = tf.engine().makeTensorFromTensorInfo(b.makeOutput(shape, 'float32'));
    return { tensor: () => t, view: () => b.typedArrayFromHeap(t) };
  }
  const buf = new Float32Array(shape.reduce((a, v) => a * v, 1));
  let made: tf.Tensor | null = null;
  return { tensor: () => (made ??= tf.tensor(buf, shape, 'float32')), view: () => buf };
}

/** Read-only float32 data of `t` (a heap view on wasm: take it after allocating outputs). */
export function readView(t: tf.Tensor): Float32Array {
  if (t.dtype !== 'float32') throw new TypeError(`readView needs float32, got ${t.dtype}`);
  const b = wasmBackend();
  return b ? b.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}
