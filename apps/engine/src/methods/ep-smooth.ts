/**
 * EP + post-hoc smoothing: plain EP (methods/ep.ts, no gradient modulation), then the final mask
 * low-passed ONCE with the same 3-D DCT band F-EP applies to every gradient step
 * (core/frequency-weighting.ts: the same `weighting`, `temporalCutoff`, `spatialCutoff` defaults),
 * and clipped back to [0, 1].
 *
 * Why it exists: it is the obvious competitor to F-EP. If smoothing the answer afterwards is as
 * good as smoothing every update, F-EP's modulation buys nothing; an independent review measured
 * exactly that on held-out SynthActions clips. Comparing F-EP with EP alone would hide
 * it. The DC coefficient passes with weight 1, so the mask's mean (its effective area) is kept up
 * to the clipping.
 *
 * The band is taken over the output mask's own grid [T, H, W] (fractions of each axis, as for F-EP
 * over its parameter grid); at the defaults that keeps the 2 lowest of 16 temporal frequencies and
 * the lower half of the spatial ones.
 */
import * as tf from '@tensorflow/tfjs';
import { EP_SMOOTH_DEFAULTS } from '@fep/shared/methods';
import type { FrequencyWeightingSpec } from '../core/frequency-weighting.ts';
import { explainExtremal, resolveParams } from './ep.ts';
import { createFrequencyModulator, type FepParams } from './fep.ts';
import type { ExplainInput, ExplanationMethod, OnProgress } from './types.ts';

export const defaults: Readonly<FepParams> = EP_SMOOTH_DEFAULTS;

/** IDCT(W ⊙ DCT(mask)) over [T,H,W] — F-EP's own gradient filter, applied to the mask — clipped to [0, 1]. */
export function lowPassVolume(volume: Float32Array, shape: readonly [number, number, number], spec: FrequencyWeightingSpec): Float32Array {
  const filter = createFrequencyModulator(shape, spec);
  if (!filter) return volume.slice();
  try {
    const out = tf.tidy(() => tf.clipByValue(filter.modulate(tf.tensor4d(volume, [1, ...shape] as [number, number, number, number])), 0, 1));
    const data = Float32Array.from(out.dataSync() as Float32Array);
    out.dispose();
    return data;
  } finally {
    filter.dispose();
  }
}

export const epSmooth: ExplanationMethod<FepParams> = {
  name: 'ep-smooth',
  defaults,
  async explain(input: ExplainInput, params: Partial<FepParams>, onProgress?: OnProgress) {
    const resolved = resolveParams(defaults, params);
    const spec: FrequencyWeightingSpec = { type: resolved.weighting, temporalCutoff: resolved.temporalCutoff, spatialCutoff: resolved.spatialCutoff };
    const raw = await explainExtremal(input, resolved, null, onProgress);
    const smooth = (v: Float32Array) => lowPassVolume(v, raw.shape, spec);
    const byArea = (raw.extras?.masksByArea ?? []) as { area: number; saliency: Float32Array }[];
    const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
    return {
      ...raw,
      saliency: smooth(raw.saliency),
      extras: {
        ...raw.extras,
        masksByArea: byArea.map((m) => ({ area: m.area, saliency: smooth(m.saliency) })),
        // The mean of EP's mask before smoothing, to show what the low-pass changed.
        unsmoothedMeanMask: mean(raw.saliency),
      },
    };
  },
};
