/**
 * The smooth max of the mask generator (core/mask-generator.ts) as one fused WebAssembly SIMD kernel,
 * forward and backward, written here as bytes (no toolchain needed: a ~100-line assembler below).
 *
 * Same function as the tensor formulation: for every cell i and phase p,
 *
 *   y[i,p] = Σ_k v_k e_k / Σ_k e_k,   v_k = w[p,k] · u[i,k],   e_k = exp(c·v_k − max_k c·v_k)
 *
 * (softmax-weighted mean = TorchRay's `pooling_method='softmax'` smooth max) and its gradient
 *
 *   ∂L/∂u[i,k] = Σ_p dy[i,p] · w[p,k] · s[p,k] · (1 + c·(v[p,k] − y[i,p])),   s = e / Σ e.
 *
 * Why: at 16×112×112 that is 4624 cells × 49 phases × 49 taps = 11 M exponentials per pass. As TF.js
 * ops on wasm the forward materialised four [4624,49,49] tensors and the backward reduced one of them
 * over a middle axis (a `Sum` of ~45 ms on wasm: sums over a non-last axis are slow there); here every value lives in
 * registers and the reductions are register accumulations.
 *
 * Vectorisation: 4 lanes = 4 phases of one cell (phases padded to a multiple of 4 with weight 0;
 * padded lanes are computed and ignored, they never mix with real lanes). Every lane performs exactly
 * the arithmetic of its own pixel, so a pixel's value does not depend on which other pixels are
 * evaluated (the cropped and the full mask agree bit for bit).
 *
 * Exponential: exp(c·v − m) is computed as 2^x with x = (c·log₂e)·v − m₂ (weights pre-multiplied by
 * c·log₂e), n = round(x), 2^x = 2^n · P(x − n) with P a degree-6 polynomial interpolating 2^f at the
 * Chebyshev nodes of [−½, ½] (interpolation error < 3·10⁻⁹, below float32 rounding); x is clamped
 * at −126 (2^−126 against a denominator ≥ 1 is nothing).
 */

import { type CellCall, KernelThreads, kernelThreadCount, type RegisteredModule } from './kernel-threads.ts';

export { MAX_KERNEL_THREADS } from './kernel-threads.ts';

export const LN2 = Math.LN2;

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function f32Bytes(x: number): number[] {
  return Array.from(new Uint8Array(new Float32Array([x]).buffer));
}

const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  i32add: [0x6a],
  i32mul: [0x6c],
  i32ltu: [0x49],
  f32load: (off = 0) => [0x2a, 2, ...uleb(off)],
  f32store: (off = 0) => [0x38, 2, ...uleb(off)],
  f32add: [0x92],
  f32const: (x: number) => [0x43, ...f32Bytes(x)],
  f32ne: [0x5c],
  if: [0x04, 0x40],
  ifF32: [0x04, 0x7d],
  else: [0x05],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  // SIMD (0xfd prefix)
  vload: (off = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(off)],
  vstore: (off = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(off)],
  vconstF32: (x: number) => [0xfd, ...uleb(0x0c), ...f32Bytes(x), ...f32Bytes(x), ...f32Bytes(x), ...f32Bytes(x)],
  vconstI32: (n: number) => {
    const b = Array.from(new Uint8Array(new Int32Array([n, n, n, n]).buffer));
    return [0xfd, ...uleb(0x0c), ...b];
  },
  splat: [0xfd, ...uleb(0x13)],
  lane: (l: number) => [0xfd, ...uleb(0x1f), l],
  fadd: [0xfd, ...uleb(0xe4)],
  fsub: [0xfd, ...uleb(0xe5)],
  fmul: [0xfd, ...uleb(0xe6)],
  fdiv: [0xfd, ...uleb(0xe7)],
  fmin: [0xfd, ...uleb(0xe8)],
  fmax: [0xfd, ...uleb(0xe9)],
  fpmax: [0xfd, ...uleb(0xeb)],
  fle: [0xfd, ...uleb(0x45)],
  fge: [0xfd, ...uleb(0x46)],
  vand: [0xfd, ...uleb(0x4e)],
  fnearest: [0xfd, ...uleb(0x6a)],
  iadd: [0xfd, ...uleb(0xae)],
  ishl: [0xfd, ...uleb(0xab)],
  truncSat: [0xfd, ...uleb(0xf8)],
};

/** Coefficients c0..c6 of the degree-6 polynomial interpolating 2^f at 7 Chebyshev nodes of [−½, ½]. */
export function exp2Coefficients(): number[] {
  const deg = 6;
  const nodes = Array.from({ length: deg + 1 }, (_, j) => 0.5 * Math.cos(((2 * j + 1) * Math.PI) / (2 * (deg + 1))));
  // Solve the Vandermonde system in float64 (Gaussian elimination with partial pivoting).
  const a = nodes.map((x) => [...Array.from({ length: deg + 1 }, (_, k) => x ** k), 2 ** x]);
  const n = deg + 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

const EXP2 = exp2Coefficients();

/** 1.5·2^23: adding it rounds a float32 |x| < 2^22 to an integer, kept in the low mantissa bits. */
const MAGIC = 12582912;
const MAGIC_BITS = 0x4b400000;

/**
 * Code for `local[dst] = 2^local[src]` (v128); `src` is left clamped at −126. Uses `tmp` as scratch.
 * n = round-to-nearest-even(x) by the 1.5·2^23 trick (x + M has n in its low mantissa bits, so 2^n
 * is ((bits(x + M) − bits(M) + 127) << 23) and n = (x + M) − M exactly); f = x − n ∈ [−½, ½];
 * 2^x = 2^n · P(f). `pmax(x, −126)` (one instruction, unlike `f32x4.max`) keeps NaN in x.
 */
function exp2(src: number, dst: number, tmp: number): number[] {
  const poly: number[] = [...op.vconstF32(Math.fround(EXP2[6]!))];
  for (let k = 5; k >= 0; k--) poly.push(...op.get(tmp), ...op.fmul, ...op.vconstF32(Math.fround(EXP2[k]!)), ...op.fadd);
  return [
    ...op.get(src), ...op.vconstF32(-126), ...op.fpmax, ...op.tee(src),
    ...op.vconstF32(MAGIC), ...op.fadd, ...op.set(dst), // dst = x + M
    ...op.get(src), ...op.get(dst), ...op.vconstF32(MAGIC), ...op.fsub, ...op.fsub, ...op.set(tmp), // f = x − n
    ...poly,
    ...op.get(dst), ...op.vconstI32(127 - MAGIC_BITS), ...op.iadd, ...op.i32(23), ...op.ishl,
    ...op.fmul, ...op.set(dst),
  ];
}

interface FnDef {
  params: number[];
  locals: number[];
  body: number[];
}

/** Memory limits in pages: shared memories need a maximum (4 GiB, the wasm32 limit: only reserved). */
const MAX_PAGES = 65536;

function moduleBytes(fns: Array<{ name: string; def: FnDef }>, shared: boolean): Uint8Array {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const str = (s: string) => [...uleb(s.length), ...Array.from(Buffer.from(s, 'utf8'))];
  const types = vec(fns.map(({ def }) => [0x60, ...vec(def.params.map((p) => [p])), 0]));
  // Memory import limits: flag 0x00 (min only) or 0x03 (shared, min and max).
  const limits = shared ? [0x03, ...uleb(1), ...uleb(MAX_PAGES)] : [0x00, ...uleb(1)];
  const imports = vec([[...str('env'), ...str('mem'), 0x02, ...limits]]);
  const funcs = vec(fns.map((_, i) => uleb(i)));
  const exports = vec(fns.map(({ name }, i) => [...str(name), 0x00, ...uleb(i)]));
  const codes = vec(
    fns.map(({ def }) => {
      const locals = vec(def.locals.map((t) => [1, t]));
      const body = [...locals, ...def.body, ...op.end];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}

/**
 * forward(u, t, y, den, m, e0, n), specialised for K taps and G groups (offsets are immediates, the
 * tap loops are unrolled). For each cell i < n and group g < G of 4 phases:
 *   m = max_k u[i,k]·w2[k,g],  x_k = u[i,k]·w2[k,g] − m,  e_k = 2^x_k,
 *   y = Σ_k (u[i,k]·w[k,g])·e_k / Σ_k e_k,  den = Σ_k e_k,  e0 = 2^−m,
 * where a tap with u[i,k] = 0 (zero padding outside the parameter grid, or a zero parameter)
 * contributes e_k = e0 and nothing to the numerator, without evaluating the exponential again.
 * Table t: [K][G][2] v128 (w2 = c·log₂e·w, then w). u: [n][K] f32. y, den, m, e0: [n][G] v128.
 */
function forwardDef(K: number, G: number): FnDef {
  const [U, T, Y, DEN, M, E0, N] = [0, 1, 2, 3, 4, 5, 6];
  const [i, g, up, tp, o] = [7, 8, 9, 10, 11];
  const [uks] = [12]; // f32
  const [num, dn, uk, x, e, tmp, mv, e0] = [13, 14, 15, 16, 17, 18, 19, 20];
  const rowBytes = G * 32;
  const maxPass: number[] = [];
  const taps: number[] = [];
  for (let k = 0; k < K; k++) {
    // pmax(m, v) = m < v ? v : m: one maxps (f32x4.max is a NaN-propagating sequence); a NaN v still
    // reaches y through the second pass.
    maxPass.push(...op.get(mv), ...op.get(up), ...op.f32load(4 * k), ...op.splat, ...op.get(tp), ...op.vload(k * rowBytes), ...op.fmul, ...op.fpmax, ...op.set(mv));
    taps.push(
      ...op.get(up), ...op.f32load(4 * k), ...op.tee(uks), ...op.f32const(0), ...op.f32ne,
      ...op.if,
      ...op.get(uks), ...op.splat, ...op.set(uk),
      ...op.get(uk), ...op.get(tp), ...op.vload(k * rowBytes), ...op.fmul, ...op.get(mv), ...op.fsub, ...op.set(x),
      ...exp2(x, e, tmp),
      ...op.get(num), ...op.get(uk), ...op.get(tp), ...op.vload(k * rowBytes + 16), ...op.fmul, ...op.get(e), ...op.fmul, ...op.fadd, ...op.set(num),
      ...op.get(dn), ...op.get(e), ...op.fadd, ...op.set(dn),
      ...op.else,
      ...op.get(dn), ...op.get(e0), ...op.fadd, ...op.set(dn),
      ...op.end,
    );
  }
  const at = (base: number) => [...op.get(base), ...op.get(o), ...op.i32add];
  const body = [
    ...op.i32(0), ...op.set(o), ...op.get(U), ...op.set(up), ...op.i32(0), ...op.set(i),
    ...op.loop, // cells
    ...op.i32(0), ...op.set(g), ...op.get(T), ...op.set(tp),
    ...op.loop, // groups
    ...op.vconstF32(-Infinity), ...op.set(mv),
    ...maxPass,
    // e0 = 2^−m
    ...op.vconstF32(0), ...op.get(mv), ...op.fsub, ...op.set(x),
    ...exp2(x, e0, tmp),
    ...op.vconstF32(0), ...op.tee(num), ...op.set(dn),
    ...taps,
    ...at(Y), ...op.get(num), ...op.get(dn), ...op.fdiv, ...op.vstore(),
    ...at(DEN), ...op.get(dn), ...op.vstore(),
    ...at(M), ...op.get(mv), ...op.vstore(),
    ...at(E0), ...op.get(e0), ...op.vstore(),
    ...op.get(o), ...op.i32(16), ...op.i32add, ...op.set(o),
    ...op.get(tp), ...op.i32(32), ...op.i32add, ...op.set(tp),
    ...op.get(g), ...op.i32(1), ...op.i32add, ...op.tee(g), ...op.i32(G), ...op.i32ltu, ...op.brIf(0),
    ...op.end,
    ...op.get(up), ...op.i32(4 * K), ...op.i32add, ...op.set(up),
    ...op.get(i), ...op.i32(1), ...op.i32add, ...op.tee(i), ...op.get(N), ...op.i32ltu, ...op.brIf(0),
    ...op.end,
  ];
  return { params: [I32, I32, I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32, I32, F32, V128, V128, V128, V128, V128, V128, V128, V128], body };
}

/**
 * backward(u, t, y, den, m, e0, dy, rows, gu, n, cl), specialised for K and G (group loop unrolled):
 *   gu[i,k] = Σ_g hsum( q·w·e·(x + z) ),  x = u[i,k]·w2 − m,  e = 2^x,
 * with, per lane, q = dy·ln2/den where 0 ≤ y ≤ 1 (clipByValue's gradient) and 0 elsewhere,
 * z = 1/ln2 − cl·y + m (cl = c/ln2) and, for taps with u[i,k] = 0, ze = (z − m)·e0, so that
 * q·(x + z) = dy/den · (1 + c(v − y)). q, z, ze of the current cell are written to `rows`
 * ([3][G] v128 scratch). y, den, m, e0 are the forward's outputs; dy: [n][G] v128 in lane order.
 */
function backwardDef(K: number, G: number): FnDef {
  const [U, T, Y, DEN, M, E0, DY, ROWS, GU, N, CL] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [i, k, up, tp, ro, gp] = [11, 12, 13, 14, 15, 16];
  const [uks] = [17];
  const [uk, x, e, tmp, acc, yv, zj] = [18, 19, 20, 21, 22, 23, 24];
  const [mr] = [25]; // i32 row pointer
  const hsum = [
    ...op.get(acc), ...op.lane(0), ...op.get(acc), ...op.lane(1), ...op.f32add,
    ...op.get(acc), ...op.lane(2), ...op.get(acc), ...op.lane(3), ...op.f32add, ...op.f32add,
  ];
  const qAt = (g: number) => [...op.get(ROWS), ...op.vload(g * 16)];
  const zAt = (g: number) => [...op.get(ROWS), ...op.vload(G * 16 + g * 16)];
  const zeAt = (g: number) => [...op.get(ROWS), ...op.vload(2 * G * 16 + g * 16)];
  const at = (base: number) => [...op.get(base), ...op.get(ro), ...op.i32add];
  const prep: number[] = [];
  const general: number[] = [];
  const zero: number[] = [];
  for (let g = 0; g < G; g++) {
    prep.push(
      ...at(Y), ...op.vload(g * 16), ...op.set(yv),
      // q = (y ≥ 0 & y ≤ 1) & (dy·ln2 / den)
      ...op.get(ROWS),
      ...op.get(yv), ...op.vconstF32(0), ...op.fge, ...op.get(yv), ...op.vconstF32(1), ...op.fle, ...op.vand,
      ...at(DY), ...op.vload(g * 16), ...op.vconstF32(LN2), ...op.fmul, ...at(DEN), ...op.vload(g * 16), ...op.fdiv,
      ...op.vand, ...op.vstore(g * 16),
      // zj = 1/ln2 − cl·y; z = zj + m; ze = zj·e0
      ...op.vconstF32(1 / LN2), ...op.get(CL), ...op.splat, ...op.get(yv), ...op.fmul, ...op.fsub, ...op.set(zj),
      ...op.get(ROWS), ...op.get(zj), ...at(M), ...op.vload(g * 16), ...op.fadd, ...op.vstore(G * 16 + g * 16),
      ...op.get(ROWS), ...op.get(zj), ...at(E0), ...op.vload(g * 16), ...op.fmul, ...op.vstore(2 * G * 16 + g * 16),
    );
    general.push(
      ...op.get(uk), ...op.get(tp), ...op.vload(g * 32), ...op.fmul, ...op.get(mr), ...op.vload(g * 16), ...op.fsub, ...op.set(x),
      ...exp2(x, e, tmp),
      ...op.get(acc),
      ...qAt(g), ...op.get(tp), ...op.vload(g * 32 + 16), ...op.fmul,
      ...op.get(e), ...op.fmul,
      ...op.get(x), ...zAt(g), ...op.fadd, ...op.fmul,
      ...op.fadd, ...op.set(acc),
    );
    zero.push(
      ...op.get(acc),
      ...qAt(g), ...op.get(tp), ...op.vload(g * 32 + 16), ...op.fmul,
      ...zeAt(g), ...op.fmul,
      ...op.fadd, ...op.set(acc),
    );
  }
  const body = [
    ...op.get(U), ...op.set(up), ...op.i32(0), ...op.set(ro), ...op.get(GU), ...op.set(gp), ...op.i32(0), ...op.set(i),
    ...op.loop, // cells
    ...prep,
    ...op.get(M), ...op.get(ro), ...op.i32add, ...op.set(mr),
    ...op.i32(0), ...op.set(k), ...op.get(T), ...op.set(tp),
    ...op.loop, // taps
    ...op.vconstF32(0), ...op.set(acc),
    ...op.get(gp),
    ...op.get(up), ...op.f32load(0), ...op.tee(uks), ...op.f32const(0), ...op.f32ne,
    ...op.ifF32,
    ...op.get(uks), ...op.splat, ...op.set(uk),
    ...general,
    ...hsum,
    ...op.else,
    ...zero,
    ...hsum,
    ...op.end,
    ...op.f32store(0),
    ...op.get(gp), ...op.i32(4), ...op.i32add, ...op.set(gp),
    ...op.get(up), ...op.i32(4), ...op.i32add, ...op.set(up),
    ...op.get(tp), ...op.i32(G * 32), ...op.i32add, ...op.set(tp),
    ...op.get(k), ...op.i32(1), ...op.i32add, ...op.tee(k), ...op.i32(K), ...op.i32ltu, ...op.brIf(0),
    ...op.end,
    ...op.get(ro), ...op.i32(G * 16), ...op.i32add, ...op.set(ro),
    ...op.get(i), ...op.i32(1), ...op.i32add, ...op.tee(i), ...op.get(N), ...op.i32ltu, ...op.brIf(0),
    ...op.end,
  ];
  return {
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F32],
    locals: [I32, I32, I32, I32, I32, I32, F32, V128, V128, V128, V128, V128, V128, V128, I32],
    body,
  };
}

/** `exp2(x)` for testing the polynomial: xs and out are [n] v128 (n·4 floats). */
function exp2TestDef(): FnDef {
  const [X, OUT, N] = [0, 1, 2];
  const [i] = [3];
  const [x, e, tmp] = [4, 5, 6];
  const body = [
    ...op.i32(0), ...op.set(i),
    ...op.loop,
    ...op.get(X), ...op.get(i), ...op.i32(16), ...op.i32mul, ...op.i32add, ...op.vload(), ...op.set(x),
    ...exp2(x, e, tmp),
    ...op.get(OUT), ...op.get(i), ...op.i32(16), ...op.i32mul, ...op.i32add, ...op.get(e), ...op.vstore(),
    ...op.get(i), ...op.i32(1), ...op.i32add, ...op.tee(i), ...op.get(N), ...op.i32ltu, ...op.brIf(0),
    ...op.end,
  ];
  return { params: [I32, I32, I32], locals: [I32, V128, V128, V128], body };
}

type Fn = (...args: number[]) => void;

/** The few WebAssembly JS-API members used here (the project's TypeScript libs do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface SimdKernels {
  memory: WasmMemory;
  /** forward(u, t, y, den, m, e0, n) for the K and G the module was built for. */
  forward: Fn;
  /** backward(u, t, y, den, m, e0, dy, rows, gu, n, c/ln2). */
  backward: Fn;
  /** `forward` with its cells split over the kernel threads (core/kernel-threads.ts); same results. */
  forwardParallel: Fn;
  /** `backward` split likewise; `rows` must hold `MAX_KERNEL_THREADS` scratch blocks of 3·G v128. */
  backwardParallel: Fn;
}

let supported: boolean | undefined;
const modules = new Map<string, ModuleEntry>();
// One memory shared by every specialisation (the callers lay out their data per call).
let sharedMemory: WasmMemory | null = null;
/** Whether `sharedMemory` is a shared WebAssembly.Memory (then the kernels can run on threads). */
let memoryIsShared = false;
let pool: KernelThreads | null = null;

function kernelMemory(): WasmMemory {
  if (sharedMemory) return sharedMemory;
  try {
    sharedMemory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    memoryIsShared = true;
  } catch {
    // No shared memory (SharedArrayBuffer disabled): one thread.
    sharedMemory = new WA.Memory({ initial: 1 });
  }
  return sharedMemory;
}

function kernelPool(): KernelThreads | null {
  if (pool || !memoryIsShared) return pool;
  const threads = kernelThreadCount();
  if (threads > 1) pool = new KernelThreads(sharedMemory!, threads);
  return pool;
}

/**
 * Threads the engine's own kernels run on: `kernelThreadCount()` where the SIMD kernels and shared
 * memory work, whatever the TF.js backend (the mask generator uses these kernels on every backend),
 * else 1. For logs and benchmarks; does not start the threads.
 */
export function kernelThreadsInUse(): number {
  if (!simdKernels(1, 1)) return 1;
  return memoryIsShared ? kernelThreadCount() : 1;
}

/** The kernel thread pool, if the kernels run on threads (tests and diagnostics). */
export function kernelThreads(): KernelThreads | null {
  kernelMemory();
  return kernelPool();
}

/** Stop the kernel threads (tests). The next parallel call starts new ones. */
export async function closeKernelThreads(): Promise<void> {
  const p = pool;
  pool = null;
  for (const m of modules.values()) m.registered = null;
  await p?.close();
}

/**
 * Cells per chunk of a threaded call: small enough to balance two threads over ~4600 cells (16×112²),
 * large enough that claiming one (an atomic add and a call) is noise next to its ~0.3 ms of work.
 */
const CHUNK_CELLS = 128;

function instantiate(fns: Array<{ name: string; def: FnDef }>): { module: object; exports: Record<string, Fn> } {
  const memory = kernelMemory();
  const module = new WA.Module(moduleBytes(fns, memoryIsShared));
  const inst = new WA.Instance(module, { env: { mem: memory } });
  return { module, exports: inst.exports as Record<string, Fn> };
}

/**
 * The kernels for K taps and G groups of 4 phases, or null where WebAssembly SIMD is unavailable
 * (or `ENGINE_SIMD_KERNELS=0`): callers then use tensor ops.
 */
export function simdKernels(K: number, G: number): SimdKernels | null {
  if (supported === undefined) {
    try {
      if (process.env.ENGINE_SIMD_KERNELS === '0') throw new Error('disabled');
      instantiate([{ name: 'exp2', def: exp2TestDef() }]);
      supported = true;
    } catch {
      supported = false;
    }
  }
  if (!supported) return null;
  const key = `${K},${G}`;
  let m = modules.get(key);
  if (!m) {
    const { module, exports: ex } = instantiate([
      { name: 'forward', def: forwardDef(K, G) },
      { name: 'backward', def: backwardDef(K, G) },
    ]);
    const entry: ModuleEntry = {
      memory: sharedMemory!,
      forward: ex.forward!,
      backward: ex.backward!,
      module,
      registered: null,
      forwardParallel: (u, t, y, den, mx, e0, n) => {
        const cell = G * 16;
        parallel(entry, 'forward', { cells: n, chunk: CHUNK_CELLS, countArg: 6, args: [u, t, y, den, mx, e0, n], cellStrides: [K * 4, 0, cell, cell, cell, cell, 0] });
      },
      backwardParallel: (u, t, y, den, mx, e0, dy, rows, gu, n, cl) => {
        const cell = G * 16;
        parallel(entry, 'backward', {
          cells: n, chunk: CHUNK_CELLS, countArg: 9, floatArgs: [10],
          args: [u, t, y, den, mx, e0, dy, rows, gu, n, cl],
          cellStrides: [K * 4, 0, cell, cell, cell, cell, cell, 0, K * 4, 0, 0],
          // Each thread has its own `rows` scratch block.
          threadStrides: [0, 0, 0, 0, 0, 0, 0, 3 * cell, 0, 0, 0],
        });
      },
    };
    m = entry;
    modules.set(key, m);
  }
  return m;
}

interface ModuleEntry extends SimdKernels {
  module: object;
  registered: RegisteredModule | null;
}

/** Run `fn` of a module over `call.cells` cells, on the kernel threads when there are any. */
function parallel(entry: ModuleEntry, fn: 'forward' | 'backward', call: CellCall): void {
  const threads = kernelPool();
  if (!threads || call.cells <= call.chunk) {
    entry[fn](...call.args);
    return;
  }
  entry.registered ??= threads.register(entry.module, ['forward', 'backward'], { forward: entry.forward, backward: entry.backward });
  threads.run(entry.registered, fn, call);
}

/** Make the kernels' memory at least `bytes` long; returns a fresh Float32Array view of it. */
export function heapF32(k: { memory: WasmMemory }, bytes: number): Float32Array {
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return new Float32Array(k.memory.buffer);
}

/**
 * Two call slots in the kernels' memory, so a forward's outputs stay where the backward needs them
 * without copies: each forward takes the slot after the previous one; a backward whose slot was
 * taken again since (two later forwards) or moved (a larger call grew the slots) sees `slotValid`
 * false and recomputes its forward.
 */
export interface SlotToken {
  slot: number;
  gen: number;
}
const slotGens = [0, 0];
let slotBytes = 0;
let nextSlot = 0;

export function acquireSlot(bytes: number): SlotToken {
  simdKernels(1, 1);
  if (bytes > slotBytes) {
    slotBytes = Math.ceil(bytes / 65536) * 65536;
    slotGens[0]!++;
    slotGens[1]!++;
    heapF32({ memory: sharedMemory! }, 2 * slotBytes);
  }
  const slot = nextSlot;
  nextSlot = 1 - nextSlot;
  return { slot, gen: ++slotGens[slot]! };
}

export function slotValid(t: SlotToken): boolean {
  return slotGens[t.slot] === t.gen;
}

/** Byte offset of a slot in the kernels' memory. */
export function slotBase(t: SlotToken): number {
  return t.slot * slotBytes;
}

/** 2^x for every x (float32), through the kernels' polynomial (tests). */
export function simdExp2(xs: Float32Array): Float32Array {
  if (!simdKernels(1, 1)) throw new Error('WebAssembly SIMD unavailable');
  const { exports: ex } = instantiate([{ name: 'exp2', def: exp2TestDef() }]);
  const n = Math.ceil(xs.length / 4);
  const heap = heapF32({ memory: sharedMemory! }, n * 32);
  heap.fill(0, 0, n * 8);
  heap.set(xs, 0);
  ex.exp2!(0, n * 16, n);
  return new Float32Array(sharedMemory!.buffer).slice(n * 4, n * 4 + xs.length);
}

