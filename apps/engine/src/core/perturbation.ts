/**
 * Perturbation operators of Extremal Perturbations, per frame (TorchRay `Perturbation`, used frame by
 * frame for video by Li et al., WACV 2021).
 *
 * - `blur`: a pyramid of L levels (TorchRay default 8), level l blurred with a Gaussian of
 *   σ_l = (1 − l/(L−1)) · maxBlur (TorchRay default maxBlur 20; level L−1 is the clip itself), using
 *   TorchRay's `imsmooth` (kernel half-width ⌈4σ⌉, weights exp(−(i / (√2 σ + ε))²) normalised to 1,
 *   zero padding). A mask value m ∈ [0,1] selects the fractional level z = m·(L−1) and the output is
 *   Σ_l relu(1 − |z − l|) · level_l: linear interpolation between the two nearest levels written with
 *   differentiable tent weights instead of TorchRay's `gather` (no gradient on wasm; see
 *   ENVIRONMENT.md).
 * - `fade`: x · m + base · (1 − m) with base 0 (TorchRay's fade to black, whose pyramid is linear in
 *   m) or the per-channel mean of the clip.
 *
 * Masks: 1 keeps the clip, 0 perturbs it maximally.
 */
import * as tf from '@tensorflow/tfjs';

export type PerturbationType = 'blur' | 'fade';

export interface PerturbationOptions {
  type: PerturbationType;
  /** Pyramid levels for `blur` (TorchRay: 8). */
  levels?: number;
  /** σ of the most blurred level in pixels (TorchRay: 20). */
  maxBlur?: number;
  /** Fade target for `fade`. */
  fadeTo?: 'zero' | 'mean';
}

const EPSILON_SINGLE = 1.1920929e-7;

/** TorchRay `imsmooth` 1-D filter for σ (normalised, half-width ⌈4σ⌉). */
export function gaussianFilter(sigma: number): Float64Array {
  const width = Math.ceil(4 * sigma);
  const f = new Float64Array(2 * width + 1);
  let sum = 0;
  for (let i = -width; i <= width; i++) {
    const z = i / (Math.SQRT2 * sigma + EPSILON_SINGLE);
    f[i + width] = Math.exp(-z * z);
    sum += f[i + width]!;
  }
  for (let i = 0; i < f.length; i++) f[i]! /= sum;
  return f;
}

/** n×n matrix of a zero-padded 1-D Gaussian blur (symmetric): out = B · in. */
export function blurMatrix(n: number, sigma: number): Float32Array {
  const f = gaussianFilter(sigma);
  const width = (f.length - 1) / 2;
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = Math.max(0, i - width); j <= Math.min(n - 1, i + width); j++) m[i * n + j] = f[j - i + width]!;
  return m;
}

/** Blur every frame of [T,H,W,C] with TorchRay's imsmooth(σ) (zero padding). σ = 0 is the identity. */
export function blurFrames(clip: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (sigma <= 0) return clip.clone();
  const [t, h, w, c] = clip.shape;
  return tf.tidy(() => {
    const bh = tf.tensor2d(blurMatrix(h, sigma), [h, h]);
    const bw = tf.tensor2d(blurMatrix(w, sigma), [w, w]);
    // Along W: [T,H,C,W] · Bwᵀ
    let y = clip.transpose([0, 1, 3, 2]).reshape([-1, w]);
    y = tf.matMul(y, bw, false, true).reshape([t, h, c, w]);
    // Along H: [T,W,C,H] · Bhᵀ
    y = y.transpose([0, 3, 2, 1]).reshape([-1, h]);
    y = tf.matMul(y, bh, false, true).reshape([t, w, c, h]);
    return y.transpose([0, 3, 1, 2]) as tf.Tensor4D;
  });
}

export class Perturbation {
  readonly type: PerturbationType;
  readonly levels: number;
  readonly maxBlur: number;
  readonly shape: [number, number, number, number];
  /** blur: the pyramid as [V = T·H·W, C·L] and constants for matMul broadcasting. */
  private readonly pyramid: tf.Tensor2D | null = null;
  private readonly levelRep: tf.Tensor2D | null = null;
  private readonly onesL: tf.Tensor2D | null = null;
  /** [L, C·L]: repeats a per-level row for every channel. */
  private readonly spreadLevels: tf.Tensor2D | null = null;
  /** [C, C·L]: repeats a per-channel row for every level. */
  private readonly spreadChannels: tf.Tensor2D | null = null;
  private readonly clip: tf.Tensor4D | null = null;
  private readonly base: tf.Tensor | null = null;

  constructor(clip: tf.Tensor4D, opts: PerturbationOptions) {
    this.type = opts.type;
    this.levels = opts.levels ?? 8;
    this.maxBlur = opts.maxBlur ?? 20;
    this.shape = clip.shape;
    if (this.type === 'blur') {
      if (!(Number.isInteger(this.levels) && this.levels >= 2)) throw new RangeError('levels must be an integer ≥ 2');
      if (!(this.maxBlur > 0)) throw new RangeError('maxBlur must be > 0');
      const levels = this.levels;
      const [t, h, w, c] = clip.shape;
      const v = t * h * w;
      // Pyramid as [V, C·L] (index c·L + l): the blend then only needs same-shape element-wise ops
      // and matMul-based broadcasts (wasm's generic broadcasting and tile are ~100× slower).
      this.pyramid = tf.tidy(() => {
        const out: tf.Tensor4D[] = [];
        for (let l = 0; l < levels; l++) out.push(blurFrames(clip, (1 - l / (levels - 1)) * this.maxBlur));
        return (tf.stack(out, 4) as tf.Tensor5D).reshape([v, c * levels]) as tf.Tensor2D;
      });
      const lv = new Float32Array(v * levels);
      for (let i = 0; i < v; i++) for (let l = 0; l < levels; l++) lv[i * levels + l] = l;
      this.levelRep = tf.tensor2d(lv, [v, levels]);
      this.onesL = tf.ones([1, levels]) as tf.Tensor2D;
      const f = new Float32Array(levels * c * levels);
      for (let l = 0; l < levels; l++) for (let ch = 0; ch < c; ch++) f[l * c * levels + ch * levels + l] = 1;
      this.spreadLevels = tf.tensor2d(f, [levels, c * levels]);
      const e = new Float32Array(c * c * levels);
      for (let ch = 0; ch < c; ch++) for (let l = 0; l < levels; l++) e[ch * c * levels + ch * levels + l] = 1;
      this.spreadChannels = tf.tensor2d(e, [c, c * levels]);
    } else if (this.type === 'fade') {
      this.clip = clip.clone();
      this.base =
        (opts.fadeTo ?? 'zero') === 'zero' ? tf.zeros([1, 1, 1, clip.shape[3]]) : tf.mean(clip, [0, 1, 2], true);
    } else {
      throw new RangeError(`Unknown perturbation "${String(opts.type)}"`);
    }
  }

  /** masks [A,T,H,W] in [0,1] → perturbed clips [A,T,H,W,C]. Differentiable w.r.t. the masks. */
  apply(masks: tf.Tensor4D): tf.Tensor5D {
    const [, t, h, w] = masks.shape;
    if (t !== this.shape[0] || h !== this.shape[1] || w !== this.shape[2]) {
      throw new RangeError(`Mask shape [${masks.shape.join(',')}] does not match clip [${this.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      if (this.type === 'fade') {
        const m = masks.expandDims(4);
        return tf.add(tf.mul(this.clip!, m), tf.mul(this.base!, tf.sub(1, m))) as tf.Tensor5D;
      }
      return this.blend(masks);
    });
  }

  /**
   * Blur blend with a custom gradient: the value is Σ_l relu(1 − |z − l|)·level_l (z = m·(L−1)); the
   * gradient is TorchRay's (its `gather` interpolation): (L−1)·(level_{k+1} − level_k) with
   * k = ⌊z⌋, and 0 at z = L−1 where TorchRay clamps k + 1. Writing it by hand avoids keeping the
   * [A,T,H,W,L] tent intermediates on the tape (≈5× faster backward on wasm).
   */
  private readonly blend = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const masks = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    save([masks]);
    const levels = this.levels;
    const [t, h, w, c] = this.shape;
    const v = t * h * w;
    const a = masks.shape[0];
    // z·1ᵀ as [V, L] for one area's mask.
    const zRep = (m: tf.Tensor) => tf.matMul(tf.mul(m.reshape([v, 1]), levels - 1) as tf.Tensor2D, this.onesL!);
    const value = tf.tidy(() => {
      const outs = tf.split(masks, a, 0).map((m) => {
        const tent = tf.relu(tf.sub(1, tf.abs(tf.sub(zRep(m), this.levelRep!)))) as tf.Tensor2D; // [V,L]
        const weighted = tf.mul(tf.matMul(tent, this.spreadLevels!), this.pyramid!); // [V, C·L]
        return tf.sum(weighted.reshape([v, c, levels]), -1).reshape([1, t, h, w, c]);
      });
      return (a === 1 ? outs[0]! : tf.concat(outs, 0)) as tf.Tensor5D;
    });
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const ms = tf.split(saved[0]!, a, 0);
        const dys = tf.split(dy, a, 0);
        const grads = ms.map((m, i) => {
          const z = zRep(m);
          const k = tf.floor(z);
          const slope = tf.mul(
            tf.sub(tf.cast(tf.equal(this.levelRep!, tf.add(k, 1)), 'float32'), tf.cast(tf.equal(this.levelRep!, k), 'float32')),
            tf.cast(tf.less(z, levels - 1), 'float32'),
          ) as tf.Tensor2D; // [V,L]: +1 at level k+1, −1 at level k
          const dyRep = tf.matMul(dys[i]!.reshape([v, c]) as tf.Tensor2D, this.spreadChannels!); // [V, C·L]
          const prod = tf.mul(tf.mul(dyRep, tf.matMul(slope, this.spreadLevels!)), this.pyramid!);
          return tf.mul(tf.sum(prod, -1), levels - 1).reshape([1, t, h, w]);
        });
        return [a === 1 ? grads[0]! : tf.concat(grads, 0)];
      });
    return { value, gradFunc };
  }) as (masks: tf.Tensor4D) => tf.Tensor5D;

  dispose(): void {
    tf.dispose([this.pyramid, this.levelRep, this.onesL, this.spreadLevels, this.spreadChannels].filter((x) => x !== null));
    this.clip?.dispose();
    this.base?.dispose();
  }
}
