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
 * evaluates the pooling on [B, cells, cells, step², K] and reshapes, instead of materialising the
 * nearest-upsampled unfold of TorchRay. The smooth max has a custom gradient
 * (∂y/∂v_k = s_k (1 + coldness·(v_k − y))) so that no [.., step², K] intermediate is kept on the
 * tape, and it is evaluated in chunks to bound the wasm heap.
 */
import * as tf from '@tensorflow/tfjs';

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
  /** Max elements of one smooth-max chunk (bounds peak memory). */
  chunkElements?: number;
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
  private readonly smoothMax: (u: tf.Tensor4D) => tf.Tensor4D;

  constructor(opts: MaskGeneratorOptions) {
    const { height, width, step, sigma } = opts;
    if (!Number.isInteger(step) || step < 1) throw new RangeError(`step must be a positive integer, got ${step}`);
    if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
    this.step = step;
    this.sigma = sigma;
    this.coldness = opts.coldness ?? 20;
    this.chunkElements = opts.chunkElements ?? 8_000_000;
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
    this.smoothMax = this.buildSmoothMax();
  }

  /** Parameter grid shape per frame [h, w]. */
  get shapeIn(): [number, number] {
    return [this.y.in, this.x.in];
  }

  /** Full mask shape per frame [outH, outW]. */
  get shapeOut(): [number, number] {
    return [this.y.out, this.x.out];
  }

  /** Pooling for one chunk: u [b, mh, mw, K] → y [b, mh, mw, P] (and optionally dy/du). */
  private poolChunk(u: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, mh, mw, k] = u.shape;
      const p = this.step * this.step;
      const v = tf.mul(u.reshape([b, mh, mw, 1, k]), this.weightTensor); // [b,mh,mw,P,K]
      const s = tf.softmax(tf.mul(v, this.coldness));
      return tf.sum(tf.mul(v, s), -1).reshape([b, mh, mw, p]) as tf.Tensor4D;
    });
  }

  private poolGradChunk(u: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [b, mh, mw, k] = u.shape;
      const p = this.step * this.step;
      const v = tf.mul(u.reshape([b, mh, mw, 1, k]), this.weightTensor);
      const s = tf.softmax(tf.mul(v, this.coldness));
      const y = tf.sum(tf.mul(v, s), -1, true);
      // ∂y/∂u_k = w_k · s_k · (1 + c·(v_k − y))
      const d = tf.mul(tf.mul(s, tf.add(1, tf.mul(tf.sub(v, y), this.coldness))), this.weightTensor);
      const n = b * mh * mw;
      const g = tf.matMul(dy.reshape([n, 1, p]), d.reshape([n, p, k])); // [n,1,K]
      return g.reshape([b, mh, mw, k]) as tf.Tensor4D;
    });
  }

  private chunks(batch: number, perItem: number): number[] {
    const size = Math.max(1, Math.floor(this.chunkElements / perItem));
    const out: number[] = [];
    for (let i = 0; i < batch; i += size) out.push(Math.min(size, batch - i));
    return out;
  }

  private buildSmoothMax(): (u: tf.Tensor4D) => tf.Tensor4D {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const u4 = args[0] as tf.Tensor4D;
      const save = args[1] as tf.GradSaveFunc;
      save([u4]);
      const [b, mh, mw, k] = u4.shape;
      const per = mh * mw * this.step * this.step * k;
      const sizes = this.chunks(b, per);
      const value = tf.tidy(() => {
        if (sizes.length === 1) return this.poolChunk(u4);
        const parts = tf.split(u4, sizes, 0).map((c) => this.poolChunk(c as tf.Tensor4D));
        return tf.concat(parts, 0);
      });
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const su = saved[0] as tf.Tensor4D;
        return tf.tidy(() => {
          if (sizes.length === 1) return [this.poolGradChunk(su, dy as tf.Tensor4D)];
          const us = tf.split(su, sizes, 0);
          const dys = tf.split(dy, sizes, 0);
          return [tf.concat(us.map((c, i) => this.poolGradChunk(c as tf.Tensor4D, dys[i] as tf.Tensor4D)), 0)];
        });
      };
      return { value, gradFunc };
    }) as (u: tf.Tensor4D) => tf.Tensor4D;
  }

  /**
   * params [B, h, w] (h, w = `shapeIn`) → masks. Differentiable with respect to `params`.
   */
  generate(params: tf.Tensor3D): GeneratedMasks {
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
      // Unfold: [B, mid, mid, K] with k = ky·(2r+1) + kx reading padded[c + ky, c + kx].
      const taps: tf.Tensor3D[] = [];
      for (let ky = 0; ky < k1; ky++)
        for (let kx = 0; kx < k1; kx++) taps.push(tf.slice(padded, [0, ky, kx], [b, this.y.mid, this.x.mid]));
      const unfolded = tf.stack(taps, 3) as tf.Tensor4D;
      const pooled = this.smoothMax(unfolded); // [B, midH, midW, step²]
      const up = pooled
        .reshape([b, this.y.mid, this.x.mid, step, step])
        .transpose([0, 1, 3, 2, 4])
        .reshape([b, this.y.up, this.x.up]);
      const full = tf.clipByValue(tf.slice(up, [0, 0, 0], [b, this.y.out, this.x.out]), 0, 1) as tf.Tensor3D;
      const m = Math.round(this.margin);
      const cropped = tf.slice(full, [0, m, m], [b, this.y.n, this.x.n]) as tf.Tensor3D;
      return { cropped, full };
    });
  }

  dispose(): void {
    this.weightTensor.dispose();
  }
}
