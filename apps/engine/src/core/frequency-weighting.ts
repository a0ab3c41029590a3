/**
 * Frequency weighting W[kt,ky,kx] applied to the 3-D DCT coefficients of the mask-parameter
 * gradient in F-EP (Lin, Bao, Wright, Kong, "Gradient Frequency Modulation for Visually Explaining Video Understanding Models",
 * BMVC 2021, arXiv 2111.01215). The weightings and cut-offs are this engine's own: the paper's
 * filter settings are not available offline (see methods/fep.ts).
 *
 * Frequencies are expressed as a fraction of the band of each axis: ν = k / n for DCT index
 * k ∈ [0, n) along an axis of n coefficients (ν = 0 is DC, ν → 1 the highest frequency).
 * The weighting is separable into a temporal factor and a spatial factor:
 *
 *   W[kt,ky,kx] = Wt(νt) · Ws(νy) · Ws(νx)
 *
 * - `none`: all-pass, W ≡ 1. F-EP with this weighting *is* EP (identical arithmetic).
 * - `ideal`: box low-pass, Wt = [νt < ct], Ws = [ν < cs] (DC always passes).
 * - `gaussian`: Wt = exp(−νt² / (2 ct²)), Ws = exp(−ν² / (2 cs²)) (DC weight 1).
 *
 * `temporalCutoff` (ct) and `spatialCutoff` (cs) are fractions in (0, 1]. The F-EP paper does not
 * publish the exact filter parameters; the defaults live in methods/fep.ts and are chosen by the
 * ablation.
 */
import * as tf from '@tensorflow/tfjs';

export type FrequencyWeightingType = 'none' | 'ideal' | 'gaussian';

export interface FrequencyWeightingSpec {
  type: FrequencyWeightingType;
  /** Temporal cut-off as a fraction of the temporal band, (0, 1]. Ignored for `none`. */
  temporalCutoff: number;
  /** Spatial cut-off as a fraction of each spatial band, (0, 1]. Ignored for `none`. */
  spatialCutoff: number;
}

export class InvalidWeightingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWeightingError';
  }
}

function axisWeights(n: number, type: FrequencyWeightingType, cutoff: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const nu = k / n;
    if (type === 'none') out[k] = 1;
    else if (type === 'ideal') out[k] = k === 0 || nu < cutoff ? 1 : 0;
    else out[k] = Math.exp(-(nu * nu) / (2 * cutoff * cutoff));
  }
  return out;
}

function validate(spec: FrequencyWeightingSpec): void {
  if (!['none', 'ideal', 'gaussian'].includes(spec.type)) {
    throw new InvalidWeightingError(`Unknown frequency weighting "${String(spec.type)}".`);
  }
  if (spec.type === 'none') return;
  for (const [name, c] of [
    ['temporalCutoff', spec.temporalCutoff],
    ['spatialCutoff', spec.spatialCutoff],
  ] as const) {
    if (!(typeof c === 'number' && c > 0 && c <= 1)) {
      throw new InvalidWeightingError(`${name} must be in (0, 1], got ${String(c)}.`);
    }
  }
}

/** Weights as a row-major Float32Array of shape [T, H', W']. */
export function frequencyWeightingArray(
  shape: readonly [number, number, number],
  spec: FrequencyWeightingSpec,
): Float32Array {
  validate(spec);
  const [t, h, w] = shape;
  const wt = axisWeights(t, spec.type, spec.temporalCutoff);
  const wy = axisWeights(h, spec.type, spec.spatialCutoff);
  const wx = axisWeights(w, spec.type, spec.spatialCutoff);
  const out = new Float32Array(t * h * w);
  for (let a = 0; a < t; a++)
    for (let b = 0; b < h; b++)
      for (let c = 0; c < w; c++) out[(a * h + b) * w + c] = wt[a]! * wy[b]! * wx[c]!;
  return out;
}

/** Weights as a [T, H', W'] tensor (caller disposes). */
export function frequencyWeighting(
  shape: readonly [number, number, number],
  spec: FrequencyWeightingSpec,
): tf.Tensor3D {
  return tf.tensor3d(frequencyWeightingArray(shape, spec), [...shape] as [number, number, number]);
}

export function isAllPass(spec: FrequencyWeightingSpec): boolean {
  return spec.type === 'none';
}
