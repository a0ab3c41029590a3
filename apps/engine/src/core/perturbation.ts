/**
 * Perturbation operators of Extremal Perturbations, per frame (TorchRay `Perturbation`, used frame by
 * frame for video by Li et al., WACV 2021).
 *
 * - `blur`: a pyramid of L levels (TorchRay default 8), level l blurred with a Gaussian of
 *   σ_l = (1 − l/(L−1)) · maxBlur (TorchRay default maxBlur 20; level L−1 is the clip itself), using
 *   TorchRay's `imsmooth` (kernel half-width ⌈4σ⌉, weights exp(−(i / (√2 σ + ε))²) normalised to 1,
 *   zero padding). A mask value m ∈ [0,1] selects the fractional level z = m·(L−1) and the output is
 *   Σ_l relu(1 − |z − l|) · level_l: linear interpolation between the two nearest levels written with
 *   differentiable tent weights instead of TorchRay's `gather` (its gradient needs
 *   UnsortedSegmentSum, which the wasm backend does not register).
 * - `fade`: x · m + base · (1 − m) with base 0 (TorchRay's fade to black, whose pyramid is linear in
 *   m) or the per-channel mean of the clip.
 *
 * Masks: 1 keeps the clip, 0 perturbs it maximally.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, readView } from './heap-io.ts';

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
  /**
   * blur: the pyramid level-major [L, V·C] (V = T·H·W) and the level differences
   * level_{l+1} − level_l in the same layout. Level-major because a voxel reads only levels k and
   * k + 1, and k varies smoothly with the mask: a pass then streams through about two level planes
   * (≈ 5 MB at 16×112×112) instead of every voxel's whole L-level record (38 MB with [V, C, L]).
   */
  private readonly pyramid: Float32Array | null = null;
  private readonly diffs: Float32Array | null = null;
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
      // Pyramid read once into JS memory: the blend is two taps per voxel and channel, computed in
      // one pass on the CPU (the same arithmetic as tensor ops, ~10× faster on wasm).
      const plane = v * c;
      const pyr = new Float32Array(plane * levels);
      for (let l = 0; l < levels; l++) {
        const level = blurFrames(clip, (1 - l / (levels - 1)) * this.maxBlur);
        // A zero-copy view on wasm (dataSync of 0.6 M floats costs tens of ms there).
        pyr.set(readView(level).subarray(0, plane), l * plane);
        level.dispose();
      }
      this.pyramid = pyr;
      const d = new Float32Array(plane * levels);
      for (let l = 0; l < levels - 1; l++)
        for (let i = l * plane, e = i + plane; i < e; i++) d[i] = pyr[i + plane]! - pyr[i]!;
      this.diffs = d;
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
   * Blur blend with a custom gradient: the value is Σ_l relu(1 − |z − l|)·level_l (z = m·(L−1)),
   * i.e. (1 − f)·level_k + f·level_{k+1} with k = ⌊z⌋, f = z − k; the gradient is TorchRay's (its
   * `gather` interpolation): (L−1)·(level_{k+1} − level_k), and 0 at z = L−1 where TorchRay clamps
   * k + 1. Both run as one JavaScript pass over the voxels on zero-copy views of the tensors
   * (core/heap-io.ts): as tensor ops the blend cost 0.15–0.25 s per iteration on wasm at
   * 16×112×112 (broadcasts, comparisons and a [V,L]·[L,C·L] matMul), this a few ms.
   */
  private readonly blend = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const masks = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    save([masks]);
    const levels = this.levels;
    const top = levels - 1;
    const [t, h, w, c] = this.shape;
    const v = t * h * w;
    const plane = v * c;
    const a = masks.shape[0];
    const pyr = this.pyramid!;
    const dif = this.diffs!;
    const out = allocOutput([a, t, h, w, c]);
    const m = readView(masks);
    const y = out.view();
    // Loops over (area, voxel) instead of i % v, and unrolled for RGB: the same arithmetic, ~2× faster.
    for (let ai = 0, i = 0; ai < a; ai++)
      for (let vox = 0; vox < v; vox++, i++) {
        const z = Math.fround(m[i]! * top);
        let k = Math.floor(z);
        if (k >= top) k = top;
        else if (k < 0) k = 0;
        const f = z - k;
        const o = k * plane + vox * c;
        if (c === 3) {
          const yo = i * 3;
          if (k === top) {
            y[yo] = pyr[o]!;
            y[yo + 1] = pyr[o + 1]!;
            y[yo + 2] = pyr[o + 2]!;
          } else {
            y[yo] = pyr[o]! + f * dif[o]!;
            y[yo + 1] = pyr[o + 1]! + f * dif[o + 1]!;
            y[yo + 2] = pyr[o + 2]! + f * dif[o + 2]!;
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            const oc = o + ch;
            y[i * c + ch] = k === top ? pyr[oc]! : pyr[oc]! + f * dif[oc]!;
          }
        }
      }
    const value = out.tensor() as tf.Tensor5D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const g = allocOutput([a, t, h, w]);
      const ms = readView(saved[0]!);
      const dys = readView(dy);
      const gv = g.view();
      for (let ai = 0, i = 0; ai < a; ai++)
        for (let vox = 0; vox < v; vox++, i++) {
          const z = Math.fround(ms[i]! * top);
          if (!(z < top)) {
            gv[i] = 0;
            continue;
          }
          const k = Math.max(0, Math.floor(z));
          const o = k * plane + vox * c;
          let s: number;
          if (c === 3) {
            const d = i * 3;
            s = dys[d]! * dif[o]!;
            s += dys[d + 1]! * dif[o + 1]!;
            s += dys[d + 2]! * dif[o + 2]!;
          } else {
            s = 0;
            for (let ch = 0; ch < c; ch++) s += dys[i * c + ch]! * dif[o + ch]!;
          }
          gv[i] = top * s;
        }
      return [g.tensor()];
    };
    return { value, gradFunc };
  }) as (masks: tf.Tensor4D) => tf.Tensor5D;

  dispose(): void {
    this.clip?.dispose();
    this.base?.dispose();
  }
}
