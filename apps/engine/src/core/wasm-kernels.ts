/**
 * Faster JavaScript implementations of three data-movement kernels of the TF.js 4.22 wasm backend:
 * `Slice`, `SplitV` and `Concat`. They compute exactly the same values (pure copies), only faster.
 *
 * Why: in @tensorflow/tfjs-backend-wasm 4.22 these kernels are written in JavaScript, not C++:
 *  - `Slice` of a rank-5 tensor falls back to `sliceImplCPU`, which allocates an index array per
 *    element; for rank ≤ 4 it issues one `TypedArray.set` per innermost row, which is slow when the
 *    row is short (slicing a channel axis of 3 or 6).
 *  - `SplitV` calls that `Slice` once per piece; `Concat` issues one `set` per (outer index, input).
 * Measured on this 2-core machine (profile of the (2+1)D model's backward, bench/profile-stages.ts):
 * the gradient of the frame-difference stem's channel concat, a `SplitV` of [1,16,56,56,6] on its
 * last axis, took 0.66–1.2 s of a 1.5–2.5 s forward+backward pass; with these kernels it is a few
 * milliseconds.
 *
 * Implementation: adjacent axes that are copied in full are merged, so every slice becomes a copy of
 * rows of `inner` contiguous elements at strided offsets over at most a few outer axes; short rows
 * are copied element by element, long ones with `set`. `installFastWasmKernels()` replaces the
 * registered wasm kernels (idempotent); it is called by `initBackend` when wasm is chosen and can be
 * turned off with `ENGINE_FAST_KERNELS=0` (for A/B measurements).
 */
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;

/**
 * The copies run on Int32Array views of the wasm heap for both float32 and int32 tensors: element
 * copies through an Int32Array are bit-exact (a Float32Array round trip could canonicalise NaN
 * payloads) and keep the loops monomorphic (mixing array types made them ~10× slower).
 */
function int32View(backend: WasmBackendLike, t: tf.TensorInfo): Int32Array {
  const a = backend.typedArrayFromHeap(t);
  return new Int32Array(a.buffer, a.byteOffset, a.length);
}

/** Minimal view of the wasm backend used here (its public class members). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): TypedArray;
  readSync(dataId: tf.DataId): unknown;
}

/** Rows shorter than this are copied element by element (a `set` call costs more than ~16 copies). */
const SHORT_ROW = 16;

function copyRow(src: Int32Array, srcOff: number, dst: Int32Array, dstOff: number, n: number): void {
  if (n < SHORT_ROW) {
    for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i]!;
  } else {
    dst.set(src.subarray(srcOff, srcOff + n), dstOff);
  }
}

/**
 * Merge axes for a strided copy of the box [begin, begin+size) of a tensor of `shape`:
 * drops size-1 axes of the box and merges an axis into its outer neighbour when the inner axis is
 * copied in full. Returns the reduced shape/begin/size (row-major), at least rank 1.
 */
export function collapseSlice(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): { shape: number[]; begin: number[]; size: number[] } {
  const s: number[] = [];
  const b: number[] = [];
  const z: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = s.length - 1;
    if (last >= 0 && size[i] === shape[i] && begin[i] === 0) {
      // Inner axis copied in full: fold it into the previous axis.
      s[last] = s[last]! * shape[i]!;
      b[last] = b[last]! * shape[i]!;
      z[last] = z[last]! * shape[i]!;
    } else {
      s.push(shape[i]!);
      b.push(begin[i]!);
      z.push(size[i]!);
    }
  }
  if (s.length === 0) return { shape: [1], begin: [0], size: [1] };
  return { shape: s, begin: b, size: z };
}

/** Copy the box [begin, begin+size) of `src` (row-major `shape`) into `dst` starting at `dstOff`. */
export function stridedCopy(
  src: Int32Array,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: Int32Array,
  dstOff = 0,
): void {
  const c = collapseSlice(shape, begin, size);
  const rank = c.shape.length;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * c.shape[i + 1]!;
  const inner = c.size[rank - 1]!;
  let base = 0;
  for (let i = 0; i < rank; i++) base += c.begin[i]! * strides[i]!;
  if (rank === 1) {
    copyRow(src, base, dst, dstOff, inner);
    return;
  }
  if (rank === 2) {
    const rows = c.size[0]!;
    const st = strides[0]!;
    if (inner < SHORT_ROW) {
      let o = dstOff;
      for (let r = 0; r < rows; r++) {
        const off = base + r * st;
        for (let i = 0; i < inner; i++) dst[o++] = src[off + i]!;
      }
    } else {
      for (let r = 0; r < rows; r++) dst.set(src.subarray(base + r * st, base + r * st + inner), dstOff + r * inner);
    }
    return;
  }
  // General case: odometer over the outer axes.
  const outerRank = rank - 1;
  const idx = new Array<number>(outerRank).fill(0);
  let rows = 1;
  for (let i = 0; i < outerRank; i++) rows *= c.size[i]!;
  let off = base;
  let o = dstOff;
  for (let r = 0; r < rows; r++) {
    copyRow(src, off, dst, o, inner);
    o += inner;
    // Advance the odometer.
    for (let ax = outerRank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += strides[ax]!;
      if (idx[ax]! < c.size[ax]!) break;
      off -= idx[ax]! * strides[ax]!;
      idx[ax] = 0;
    }
  }
}

function parseSlice(x: tf.TensorInfo, begin: number | number[], size: number | number[]): [number[], number[]] {
  const rank = x.shape.length;
  const b = typeof begin === 'number' ? [begin, ...new Array(rank - 1).fill(0)] : [...begin];
  while (b.length < rank) b.push(0);
  const s = typeof size === 'number' ? [size, ...new Array(rank - 1).fill(-1)] : [...size];
  while (s.length < rank) s.push(-1);
  return [b, s.map((v, i) => (v === -1 ? x.shape[i]! - b[i]! : v))];
}

function sliceInfo(backend: WasmBackendLike, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((v) => v === 0)) return out;
  // Views taken after makeOutput (a heap growth would detach earlier views).
  const src = int32View(backend, x);
  const dst = int32View(backend, out);
  stridedCopy(src, x.shape, begin, size, dst);
  return out;
}

function axisOf(axis: number | number[], rank: number): number {
  const a = Array.isArray(axis) ? axis[0]! : axis;
  return a < 0 ? a + rank : a;
}

/** The kernels replaced: used for string and bool tensors. */
const original: Partial<Record<string, tf.KernelFunc>> = {};

const fastSlice: tf.KernelFunc = (args) => {
  const { inputs, attrs, backend } = args;
  const x = (inputs as { x: tf.TensorInfo }).x;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return original.Slice!(args);
  const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = parseSlice(x, begin, size);
  return sliceInfo(backend as unknown as WasmBackendLike, x, b, s);
};

const fastSplitV: tf.KernelFunc = (args) => {
  const { inputs, attrs, backend } = args;
  const x = (inputs as { x: tf.TensorInfo }).x;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') return original.SplitV!(args);
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const ax = axisOf(axis, x.shape.length);
  const dim = x.shape[ax]!;
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    sizes = new Array<number>(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    const free = sizes.indexOf(-1);
    if (free >= 0) sizes[free] = dim - sizes.reduce((acc, v) => (v === -1 ? acc : acc + v), 0);
  }
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[ax] = s;
    const out = sliceInfo(backend as unknown as WasmBackendLike, x, [...begin], size);
    begin[ax]! += s;
    return out;
  });
};

const fastConcat: tf.KernelFunc = (args) => {
  const { inputs, attrs, backend } = args;
  const list = (Array.isArray(inputs) ? inputs : Object.values(inputs)) as tf.TensorInfo[];
  const b = backend as unknown as WasmBackendLike;
  const first = list[0]!;
  if (first.dtype !== 'float32' && first.dtype !== 'int32') return original.Concat!(args);
  const rank = first.shape.length;
  const ax = axisOf((attrs as unknown as { axis: number | number[] }).axis, rank);
  const outShape = [...first.shape];
  outShape[ax] = list.reduce((acc, t) => acc + t.shape[ax]!, 0);
  const out = b.makeOutput(outShape, first.dtype);
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= first.shape[i]!;
  const inners = list.map((t) => t.shape.slice(ax).reduce((p, v) => p * v, 1));
  const total = inners.reduce((p, v) => p + v, 0);
  if (outer * total === 0) return out;
  const dst = int32View(b, out);
  let colOff = 0;
  list.forEach((t, i) => {
    const n = inners[i]!;
    if (n === 0) return;
    const src = int32View(b, t);
    if (n < SHORT_ROW) {
      for (let r = 0; r < outer; r++) {
        const so = r * n;
        const dOff = r * total + colOff;
        for (let k = 0; k < n; k++) dst[dOff + k] = src[so + k]!;
      }
    } else {
      for (let r = 0; r < outer; r++) dst.set(src.subarray(r * n, r * n + n), r * total + colOff);
    }
    colOff += n;
  });
  return out;
};

let installed = false;

/** Replace the wasm backend's Slice, SplitV and Concat kernels with the faster copies above. */
export function installFastWasmKernels(): boolean {
  if (installed) return true;
  if (process.env.ENGINE_FAST_KERNELS === '0') return false;
  const replace = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    const previous = tf.getKernel(kernelName, 'wasm');
    if (!previous) throw new Error(`wasm kernel ${kernelName} is not registered`);
    original[kernelName] = previous.kernelFunc;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  };
  replace('Slice', fastSlice);
  replace('SplitV', fastSplitV);
  replace('Concat', fastConcat);
  installed = true;
  return true;
}

export function fastWasmKernelsInstalled(): boolean {
  return installed;
}
