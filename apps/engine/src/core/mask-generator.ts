/**
 * Smooth mask generator of Extremal Perturbations (Fong, Patrick, Vedaldi, ICCV 2019), following
 * TorchRay's `MaskGenerator` (torchray/attribution/extremal_perturbation.py) and its per-frame use
 * for video by Li et al. ("Towards Visually Explaining Video Understanding Networks with
 * Perturbation", WACV 2021, `visual_meth/perturbation_area.py`): every frame has its own parameter
 * grid, the frames are batched.
 *
 * Geometry (per spatial axis of length n, TorchRay):
 *   shape_in  = ⌈n / step⌉                       parameters (112 px, step 7 → 16)
 *   margin    = σ,  padding = 1 + ⌈(margin + σ) / step⌉,  radius = 1 + ⌈σ / step⌉
 *   shape_mid = shape_in + 2·padding − (2·radius + 1) + 1
 *   shape_up  = step · shape_mid,  shape_out = shape_up − step + 1   (full mask incl. margin)
 *   cropped   = full[round(margin) : round(margin) + n]
 * Each output pixel u lies in cell c = ⌊u / step⌋ at phase φ = u − step·c and looks at the
 * (2·radius+1)² parameters p[c + k − padding]. With kernel κ(z) = exp(−2·max(z − ½, 0)²) and
 * δ = ‖φ − margin − step·(k − padding)‖ the terms are v_k = κ(δ/σ) · p_k, pooled by the
 * smooth max  Σ_k v_k · softmax(coldness · v)_k  (TorchRay `pooling_method='softmax'`,
 * coldness 20), then clamped to [0, 1].
 *
 * Because the kernel weight only depends on the phase φ and the offset k, the implementation
 * evaluates the pooling on [cells, step², K] and reshapes, instead of materialising the
 * nearest-upsampled unfold of TorchRay. Speed on the wasm backend (measured, bench/profile-stages.ts):
 *  - the unfold is one conv2d with a one-hot [k, k, 1, K] kernel and a hand-written input gradient
 *    (a conv2d of the padded output gradient with the flipped kernel): `tf.stack` of K slices and
 *    its gradient (`Unpack`) cost ~0.4 s per iteration at 16×112×112, the convolutions ~10 ms;
 *  - the smooth max has a custom gradient (∂y/∂v_k = s_k (1 + coldness·(v_k − y))) that reuses the
 *    forward's softmax instead of recomputing it, and reduces over the phase axis with broadcast
 *    multiplies and a sum instead of a batched mat-vec (`BatchMatMul` with 1-row matrices is slow);
 *  - `generateCropped` evaluates only the cells that cover the clip (17² instead of 20² cells per
 *    frame at 112×112, σ = 11), for callers that do not need the margin.
 * It is evaluated in chunks over the batch to bound the wasm heap.
 *
 * Default kernel (`kernel: 'simd'`): the unfold, smooth max, upsampling, crop and clip are one fused
 * WebAssembly SIMD pass (core/smooth-max-simd.ts) with a hand-written gradient, same function:
 * measured at 16×112×112 (bench/mask-generator-ab.ts and profile-stages.ts, CPU time) 10–11 ms
 * forward and 22–24 ms forward+backward instead of 27–28 / 74–79 ms with the tensor ops above, which
 * stay as the reference (`kernel: 'tensor'`, tests compare both) and the fallback where WebAssembly
 * SIMD is unavailable (or `ENGINE_SIMD_KERNELS=0`). Values agree with the tensor ops to ~1e-6
 * (both float32; against a float64 evaluation ≤ 1.3e-6 vs ≤ 4.3e-7), gradients to 1e-4 relative.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, readView } from './heap-io.ts';
import { acquireSlot, LN2, MAX_KERNEL_THREADS, simdKernels, slotBase, slotValid } from './smooth-max-simd.ts';

export interface MaskGeneratorOptions {
  /** Output (input-clip) height and width in pixels. */
  height: number;
  width: number;
  /** Parameter grid step in pixels (TorchRay default 7). */
  step: number;
  /** Kernel size σ in pixels (TorchRay default 21; Li et al. video default 11). */
  sigma: number;
  /** Smooth-max coldness (TorchRay: 20). */
  coldness?: number;
  /** Max elements of one smooth-max chunk (bounds peak memory; tensor kernel only). */
  chunkElements?: number;
  /**
   * `simd` (default where WebAssembly SIMD works): the fused kernel of core/smooth-max-simd.ts;
   * `tensor`: the TF.js-op formulation (reference; fallback).
   */
  kernel?: 'simd' | 'tensor';
}

interface AxisGeometry {
  n: number;
  in: number;
  mid: number;
  up: number;
  out: number;
}

export interface GeneratedMasks {
  /** [B, H, W]: the masks at the input resolution. */
  cropped: tf.Tensor3D;
  /** [B, outH, outW]: the full masks including TorchRay's margin (used by the area regulariser). */
  full: tf.Tensor3D;
}

export class MaskGenerator {
  readonly step: number;
  readonly sigma: number;
  readonly coldness: number;
  readonly margin: number;
  readonly padding: number;
  readonly radius: number;
  readonly y: AxisGeometry;
  readonly x: AxisGeometry;
  /** Number of kernel offsets K = (2·radius + 1)². */
  readonly taps: number;
  /** Kernel weights, row-major [step·step, K]: weights[(py·step + px)·K + k]. */
  readonly weights: Float32Array;
  private readonly weightTensor: tf.Tensor2D;
  private readonly chunkElements: number;
  private readonly smoothMax: (u: tf.Tensor2D) => tf.Tensor2D;
  /** One-hot unfold kernel [k1, k1, 1, K] and its flipped transpose [k1, k1, K, 1] (the fold). */
  private readonly unfoldKernel: tf.Tensor4D;
  private readonly foldKernel: tf.Tensor4D;
  /** Whether the fused SIMD kernel is used (see `kernel`). */
  readonly useSimd: boolean;

  constructor(opts: MaskGeneratorOptions) {
    const { height, width, step, sigma } = opts;
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
    if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
    this.step = step;
    this.sigma = sigma;
    this.coldness = opts.coldness ?? 20;
    this.chunkElements = opts.chunkElements ?? 16_000_000;
    this.margin = sigma;
    this.padding = 1 + Math.ceil((this.margin + sigma) / step);
    this.radius = 1 + Math.ceil(sigma / step);
    const k1 = 2 * this.radius + 1;
    this.taps = k1 * k1;
    const axis = (n: number): AxisGeometry => {
      const inN = Math.ceil(n / step);
      const mid = inN + 2 * this.padding - k1 + 1;
      const up = step * mid;
      return { n, in: inN, mid, up, out: up - step + 1 };
    };
    this.y = axis(height);
    this.x = axis(width);
    if (Math.round(this.margin) + height > this.y.out || Math.round(this.margin) + width > this.x.out) {
      throw new RangeError('Mask margin does not fit the generated mask.');
    }

    // Kernel weight per (phase, offset): δ = φ − margin − step·(k − padding) on each axis.
    const kernel = (z: number): number => Math.exp(-2 * Math.max(z - 0.5, 0) ** 2);
    const w = new Float32Array(step * step * this.taps);
    for (let py = 0; py < step; py++)
      for (let px = 0; px < step; px++)
        for (let ky = 0; ky < k1; ky++)
          for (let kx = 0; kx < k1; kx++) {
            const dy = py - this.margin - step * (ky - this.padding);
            const dx = px - this.margin - step * (kx - this.padding);
            const delta = Math.sqrt(dy * dy + dx * dx);
            w[(py * step + px) * this.taps + ky * k1 + kx] = kernel(delta / sigma);
          }
    this.weights = w;
    this.weightTensor = tf.tensor2d(w, [step * step, this.taps]);
    const onehot = new Float32Array(k1 * k1 * this.taps);
    const flipped = new Float32Array(k1 * k1 * this.taps);
    for (let ky = 0; ky < k1; ky++)
      for (let kx = 0; kx < k1; kx++) {
        const k = ky * k1 + kx;
        onehot[(ky * k1 + kx) * this.taps + k] = 1;
        flipped[((k1 - 1 - ky) * k1 + (k1 - 1 - kx)) * this.taps + k] = 1;
      }
    this.unfoldKernel = tf.tensor4d(onehot, [k1, k1, 1, this.taps]);
    this.foldKernel = tf.tensor4d(flipped, [k1, k1, this.taps, 1]);
    this.smoothMax = this.buildSmoothMax();
    this.useSimd = (opts.kernel ?? 'simd') === 'simd' && simdKernels(this.taps, Math.ceil((step * step) / 4)) !== null;
  }

  /** Parameter grid shape per frame [h, w]. */
  get shapeIn(): [number, number] {
    return [this.y.in, this.x.in];
  }

  /** Full mask shape per frame [outH, outW]. */
  get shapeOut(): [number, number] {
    return [this.y.out, this.x.out];
  }

  /** Smooth max of one chunk: u [n, K] → { y [n, P], cv = c·v [n, P, K], s = softmax [n, P, K] }. */
  private poolChunk(u: tf.Tensor2D): { y: tf.Tensor2D; cv: tf.Tensor3D; s: tf.Tensor3D } {
    return tf.tidy(() => {
      const [n, k] = u.shape;
      const v = tf.mul(u.reshape([n, 1, k]), this.weightTensor) as tf.Tensor3D; // [n, P, K]
      const cv = tf.mul(v, this.coldness) as tf.Tensor3D;
      const s = tf.softmax(cv) as tf.Tensor3D;
      const y = tf.sum(tf.mul(v, s), -1) as tf.Tensor2D;
      return { y, cv, s };
    });
  }

  /** ∂L/∂u_k = Σ_p dy_p · w_pk · s_pk · (1 + c·v_pk − c·y_p), for one chunk. */
  private poolGradChunk(cv: tf.Tensor3D, s: tf.Tensor3D, y: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [n, p] = y.shape;
      const shift = tf.sub(tf.mul(y, this.coldness), 1).reshape([n, p, 1]); // c·y − 1
      const q = tf.mul(s, tf.sub(cv, shift)); // s · (1 + c(v − y))
      const g = tf.mul(tf.mul(q, this.weightTensor), dy.reshape([n, p, 1]));
      return tf.sum(g, 1) as tf.Tensor2D; // [n, K]
    });
  }

  private chunks(batch: number, perItem: number): number[] {
    const size = Math.max(1, Math.floor(this.chunkElements / perItem));
    const out: number[] = [];
    for (let i = 0; i < batch; i += size) out.push(Math.min(size, batch - i));
    return out;
  }

  private buildSmoothMax(): (u: tf.Tensor2D) => tf.Tensor2D {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const u2 = args[0] as tf.Tensor2D;
      const save = args[1] as tf.GradSaveFunc;
      const [n, k] = u2.shape;
      const sizes = this.chunks(n, this.step * this.step * k);
      const parts = sizes.length === 1 ? [u2] : (tf.split(u2, sizes, 0) as tf.Tensor2D[]);
      const pooled = parts.map((c) => this.poolChunk(c));
      if (parts.length > 1) tf.dispose(parts);
      // Saved per chunk: c·v, softmax and y (the backward reuses them instead of recomputing).
      save(pooled.flatMap((r) => [r.cv, r.s, r.y]));
      const value = pooled.length === 1 ? pooled[0]!.y : tf.concat(pooled.map((r) => r.y), 0);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const dys = sizes.length === 1 ? [dy as tf.Tensor2D] : (tf.split(dy, sizes, 0) as tf.Tensor2D[]);
          const grads = dys.map((d, i) =>
            this.poolGradChunk(saved[3 * i] as tf.Tensor3D, saved[3 * i + 1] as tf.Tensor3D, saved[3 * i + 2] as tf.Tensor2D, d),
          );
          return [grads.length === 1 ? grads[0]! : tf.concat(grads, 0)];
        });
      return { value, gradFunc };
    }) as (u: tf.Tensor2D) => tf.Tensor2D;
  }

  /**
   * Unfold with a one-hot conv2d: padded [B, Hp, Wp] → [B, Hp−k1+1, Wp−k1+1, K] with
   * out[b, i, j, ky·k1 + kx] = padded[b, i + ky, j + kx]. Its input gradient is the "fold", written
   * as a forward conv2d of the zero-padded output gradient with the flipped, transposed kernel (the
   * wasm backend's Conv2DBackpropInput is ~10× slower for the same numbers).
   */
  private readonly unfold = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor3D;
    const save = args[1] as tf.GradSaveFunc;
    const [b, hp, wp] = x.shape;
    save([this.unfoldKernel, this.foldKernel]);
    const value = tf.conv2d(x.reshape([b, hp, wp, 1]) as tf.Tensor4D, this.unfoldKernel, 1, 'valid');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const k1 = 2 * this.radius + 1;
      return [
        tf.tidy(() => {
          const padded = tf.pad(dy as tf.Tensor4D, [
            [0, 0],
            [k1 - 1, k1 - 1],
            [k1 - 1, k1 - 1],
            [0, 0],
          ]);
          return tf.conv2d(padded, saved[1] as tf.Tensor4D, 1, 'valid').reshape([b, hp, wp]);
        }),
      ];
    };
    return { value, gradFunc };
  }) as (x: tf.Tensor3D) => tf.Tensor4D;

  /** Smooth-max pooled values for cells [c0y, c0y+ny) × [c0x, c0x+nx) → upsampled [B, step·ny, step·nx]. */
  private pooledCells(params: tf.Tensor3D, c0y: number, ny: number, c0x: number, nx: number): tf.Tensor3D {
    const [b, h, w] = params.shape;
    if (h !== this.y.in || w !== this.x.in) {
      throw new RangeError(`Mask parameters must be [B,${this.y.in},${this.x.in}], got [${params.shape.join(',')}]`);
    }
    const k1 = 2 * this.radius + 1;
    const { step } = this;
    return tf.tidy(() => {
      const pad = this.padding;
      const padded = tf.pad(params, [
        [0, 0],
        [pad, pad],
        [pad, pad],
      ]);
      // Cells c read padded[c .. c + k1 − 1].
      const window = tf.slice(padded, [0, c0y, c0x], [b, ny + k1 - 1, nx + k1 - 1]);
      const unfolded = this.unfold(window); // [B, ny, nx, K]
      const pooled = this.smoothMax(unfolded.reshape([b * ny * nx, this.taps]) as tf.Tensor2D); // [B·ny·nx, step²]
      return pooled
        .reshape([b, ny, nx, step, step])
        .transpose([0, 1, 3, 2, 4])
        .reshape([b, step * ny, step * nx]) as tf.Tensor3D;
    });
  }

  /**
   * Clipped smooth-max values of the cells [c0y, c0y+ny) × [c0x, c0x+nx), cropped to the pixels
   * [oy, oy+outH) × [ox, ox+outW) of their upsampled grid: [B, outH, outW]. Differentiable.
   */
  private window(params: tf.Tensor3D, c0y: number, ny: number, c0x: number, nx: number, oy: number, ox: number, outH: number, outW: number): tf.Tensor3D {
    const [b, h, w] = params.shape;
    if (h !== this.y.in || w !== this.x.in) {
      throw new RangeError(`Mask parameters must be [B,${this.y.in},${this.x.in}], got [${params.shape.join(',')}]`);
    }
    if (this.useSimd) return this.simdWindow(params, c0y, ny, c0x, nx, oy, ox, outH, outW);
    return tf.tidy(() => {
      const up = this.pooledCells(params, c0y, ny, c0x, nx);
      return tf.clipByValue(tf.slice(up, [0, oy, ox], [b, outH, outW]), 0, 1) as tf.Tensor3D;
    });
  }

  /** Output pixel → lane index (cell·G4 + phase) per window, shared by forward and backward. */
  private readonly laneMaps = new Map<string, Int32Array>();

  private laneMap(ny: number, nx: number, oy: number, ox: number, outH: number, outW: number, G4: number): Int32Array {
    const key = [ny, nx, oy, ox, outH, outW].join(',');
    let laneOf = this.laneMaps.get(key);
    if (!laneOf) {
      const { step } = this;
      laneOf = new Int32Array(outH * outW);
      for (let yy = 0; yy < outH; yy++) {
        const uy = oy + yy;
        const cy = Math.floor(uy / step);
        const py = uy - cy * step;
        for (let xx = 0; xx < outW; xx++) {
          const ux = ox + xx;
          const cx = Math.floor(ux / step);
          const px = ux - cx * step;
          laneOf[yy * outW + xx] = (cy * nx + cx) * G4 + py * step + px;
        }
      }
      this.laneMaps.set(key, laneOf);
    }
    return laneOf;
  }

  /**
   * Fused WebAssembly SIMD evaluation of `window` (core/smooth-max-simd.ts), with its gradient.
   * The forward's per-lane outputs stay in a slot of the kernels' memory for the backward
   * (recomputed if the slot was reused meanwhile); JavaScript only unfolds the parameters, gathers
   * the pixels from the lanes, scatters dy to the lanes and folds the tap gradients.
   */
  private simdWindow(params: tf.Tensor3D, c0y: number, ny: number, c0x: number, nx: number, oy: number, ox: number, outH: number, outW: number): tf.Tensor3D {
    const [b, h, w] = params.shape;
    const { step, taps: K, padding: pad, coldness: c } = this;
    const k1 = 2 * this.radius + 1;
    const G = Math.ceil((step * step) / 4);
    const G4 = G * 4;
    const kern = simdKernels(K, G)!;
    const n = b * ny * nx;
    const lanes = n * G4;
    // Slot layout (bytes from the slot base): table | U [n,K] | Y, DEN, M, E0, DY [n,G4] | GU [n,K] | rows [threads,3,G4].
    const uBytes = Math.ceil((n * K * 4) / 16) * 16;
    const gBytes = lanes * 4;
    const uOff = K * G * 32;
    const yOff = uOff + uBytes;
    const denOff = yOff + gBytes;
    const mOff = denOff + gBytes;
    const e0Off = mOff + gBytes;
    const dyOff = e0Off + gBytes;
    const guOff = dyOff + gBytes;
    const rowsOff = guOff + uBytes;
    const total = rowsOff + MAX_KERNEL_THREADS * 3 * G4 * 4; // one rows scratch per kernel thread
    const table = this.simdTable();
    const laneOf = this.laneMap(ny, nx, oy, ox, outH, outW, G4);
    const cellLanes = ny * nx * G4;
    const pixels = outH * outW;

    /** Unfold the parameters into a fresh slot and run the forward kernel there. */
    const forward = (p: tf.Tensor3D) => {
      const token = acquireSlot(total);
      const base = slotBase(token);
      const heap = new Float32Array(kern.memory.buffer);
      heap.set(table, base / 4);
      // U[(bi·ny + cy)·nx + cx, ky·k1 + kx] = params[bi, c0y + cy + ky − pad, c0x + cx + kx − pad], 0 outside.
      const pv = readView(p);
      let t = (base + uOff) / 4;
      for (let bi = 0; bi < b; bi++)
        for (let cy = 0; cy < ny; cy++)
          for (let cx = 0; cx < nx; cx++)
            for (let ky = 0; ky < k1; ky++) {
              const iy = c0y + cy + ky - pad;
              const row = (bi * h + iy) * w + c0x + cx - pad;
              if (iy < 0 || iy >= h) {
                heap.fill(0, t, t + k1);
                t += k1;
                continue;
              }
              for (let kx = 0; kx < k1; kx++, t++) {
                const ix = c0x + cx + kx - pad;
                heap[t] = ix >= 0 && ix < w ? pv[row + kx]! : 0;
              }
            }
      kern.forwardParallel(base + uOff, base, base + yOff, base + denOff, base + mOff, base + e0Off, n);
      return token;
    };

    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const p = args[0] as tf.Tensor3D;
      const save = args[1] as tf.GradSaveFunc;
      save([p]);
      const out = allocOutput([b, outH, outW]);
      let token = forward(p);
      const ov = out.view();
      const y = new Float32Array(kern.memory.buffer, slotBase(token) + yOff, lanes);
      for (let bi = 0; bi < b; bi++) {
        const lb = bi * cellLanes;
        const o = bi * pixels;
        for (let j = 0; j < pixels; j++) {
          const v = y[lb + laneOf[j]!]!;
          ov[o + j] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
      }
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const g = allocOutput([b, h, w]);
        if (!slotValid(token)) token = forward(saved[0] as tf.Tensor3D);
        const base = slotBase(token);
        const dv = readView(dy);
        const heap = new Float32Array(kern.memory.buffer);
        const dyl = heap.subarray((base + dyOff) / 4, (base + dyOff) / 4 + lanes);
        dyl.fill(0);
        for (let bi = 0; bi < b; bi++) {
          const lb = bi * cellLanes;
          const o = bi * pixels;
          for (let j = 0; j < pixels; j++) dyl[lb + laneOf[j]!] = dv[o + j]!;
        }
        kern.backwardParallel(base + uOff, base, base + yOff, base + denOff, base + mOff, base + e0Off, base + dyOff, base + rowsOff, base + guOff, n, c / LN2);
        const gu = heap.subarray((base + guOff) / 4, (base + guOff) / 4 + n * K);
        // Fold: scatter-add every tap's gradient back to its parameter (padding taps are dropped).
        const gv = g.view();
        gv.fill(0);
        let tt = 0;
        for (let bi = 0; bi < b; bi++)
          for (let cy = 0; cy < ny; cy++)
            for (let cx = 0; cx < nx; cx++)
              for (let ky = 0; ky < k1; ky++) {
                const iy = c0y + cy + ky - pad;
                if (iy < 0 || iy >= h) {
                  tt += k1;
                  continue;
                }
                const row = (bi * h + iy) * w + c0x + cx - pad;
                for (let kx = 0; kx < k1; kx++, tt++) {
                  const ix = c0x + cx + kx - pad;
                  if (ix >= 0 && ix < w) gv[row + kx]! += gu[tt]!;
                }
              }
        return [g.tensor()];
      };
      return { value: out.tensor() as tf.Tensor3D, gradFunc };
    }) as (p: tf.Tensor3D) => tf.Tensor3D;
    return op(params);
  }

  private table: Float32Array | null = null;

  /** Kernel weights as the SIMD kernel's table [K][G][2][4]: (c·log₂e·w, w) for 4 phases per group. */
  private simdTable(): Float32Array {
    if (this.table) return this.table;
    const K = this.taps;
    const P = this.step * this.step;
    const G = Math.ceil(P / 4);
    const t = new Float32Array(K * G * 8);
    const scale = this.coldness * Math.LOG2E;
    for (let k = 0; k < K; k++)
      for (let g = 0; g < G; g++)
        for (let l = 0; l < 4; l++) {
          const p = g * 4 + l;
          const wv = p < P ? this.weights[p * K + k]! : 0;
          t[((k * G + g) * 2) * 4 + l] = scale * wv;
          t[((k * G + g) * 2 + 1) * 4 + l] = wv;
        }
    this.table = t;
    return t;
  }

  /**
   * params [B, h, w] (h, w = `shapeIn`) → masks. Differentiable with respect to `params`.
   */
  generate(params: tf.Tensor3D): GeneratedMasks {
    const [b] = params.shape;
    return tf.tidy(() => {
      const full = this.window(params, 0, this.y.mid, 0, this.x.mid, 0, 0, this.y.out, this.x.out);
      const m = Math.round(this.margin);
      const cropped = tf.slice(full, [0, m, m], [b, this.y.n, this.x.n]) as tf.Tensor3D;
      return { cropped, full };
    });
  }

  /**
   * Only the masks at the input resolution [B, H, W] (identical to `generate(params).cropped`),
   * evaluating just the cells that cover them.
   */
  generateCropped(params: tf.Tensor3D): tf.Tensor3D {
    const m = Math.round(this.margin);
    const { step } = this;
    const c0y = Math.floor(m / step);
    const c0x = Math.floor(m / step);
    const ny = Math.floor((m + this.y.n - 1) / step) - c0y + 1;
    const nx = Math.floor((m + this.x.n - 1) / step) - c0x + 1;
    return this.window(params, c0y, ny, c0x, nx, m - c0y * step, m - c0x * step, this.y.n, this.x.n);
  }

  dispose(): void {
    this.weightTensor.dispose();
    this.unfoldKernel.dispose();
    this.foldKernel.dispose();
  }
}
