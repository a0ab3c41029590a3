/**
 * Spatiotemporal Extremal Perturbation (EP) for video: Fong, Patrick & Vedaldi, "Understanding Deep
 * Networks via Extremal Perturbations and Smooth Masks", ICCV 2019 (TorchRay
 * `extremal_perturbation`), extended to video per frame by Li, Wang, Li, Huang & Sato, "Towards
 * Visually Explaining Video Understanding Networks with Perturbation", WACV 2021
 * (github.com/shinkyo0513/Spatio-Temporal-Perturbations-for-Video-Attribution,
 * `visual_meth/perturbation_area.py`, function `video_perturbation`).
 *
 * Defaults and their sources:
 * - `area` 0.1 (TorchRay's default `areas=[0.1]`) is the mask returned as `saliency`; `areas`
 *   defaults to just [0.1]. Several areas (e.g. [0.05, 0.1, 0.2], as in Li et al.'s evaluation) can
 *   be optimised together as one batch — every area costs one more forward/backward pass of the
 *   network per iteration, so on CPU the default is a single area. If `area` is not in `areas` it
 *   is appended.
 * - `variant` 'preserve' (TorchRay, Li et al.).
 * - `reward` 'logit' (TorchRay's default `simple_reward`: the target logit). Li et al.'s
 *   `simple_log_reward` (−log p(target), `reward: 'neg-log-prob'`) saturates when the model is
 *   confident on the unperturbed clip: with `init: 'ones'` the mask starts as the whole clip,
 *   p(target) ≈ 1 and ∂(−log p)/∂mask ≈ 0, so for the first iterations only the area regulariser
 *   moves the mask and its tie-breaking, not the model, decides the region. Measured with the
 *   shipped model (held-out accuracy 99.5 %, p ≈ 1.000 on its clips) on heldOutClip(0), F-EP, 300
 *   iterations: pointing game 0/16 frames with −log p (the mask kept the clip's top-left border,
 *   which alone leaves p = 0.001) and 15/16 with the logit.
 * - `perturbation` 'blur' with `levels` 8 and `maxBlur` 20 (TorchRay and Li et al.).
 * - `step` 7 (TorchRay, Li et al.) → a 16×16 parameter grid per frame at 112×112.
 * - `sigma` 11 (Li et al.'s video default; TorchRay's image default is 21). The smaller kernel also
 *   costs ~3× less on CPU: the smooth max evaluates (2·(1+⌈σ/step⌉)+1)² taps per pixel
 *   (49 instead of 81) on a 134² instead of 148² grid per frame.
 * - `coldness` 20 (TorchRay MaskGenerator).
 * - `learningRate` 0.05, `momentum` 0.9, `dampening` 0.9 (Li et al.; TorchRay uses lr 0.01).
 * - `areaWeight` 300 (TorchRay `regul_weight`, Li et al.) growing geometrically to ×2 by the end of
 *   the run (`areaWeightGrowth` 2: Li et al.'s ×1.0008668 per iteration over 800 iterations).
 * - `iterations` 300: TorchRay uses 800 (Li et al. 2000) on a GPU. On the wasm backend one
 *   iteration on a 16×112×112 clip costs ~47 ms per area (npm run bench:engine, idle 2-core
 *   machine), so 300 iterations take ~14 s and 800 would take ~38 s, past the 20 s a review
 *   session can wait; with 300 the F-EP ablation in docs/evaluation.md already reaches
 *   pointing game 0.90 on held-out clips.
 * - `init` 'ones' (TorchRay, Li et al.); `seed` 0 is used only by `init: 'random'`.
 * - `areaOver` 'crop': the area regulariser sorts the mask over the clip, so `area` is the fraction
 *   of the clip volume that is kept (what the UI and the IoU metric mean by it). TorchRay and Li et
 *   al. sort the mask including the generator's margin (`'full'`), which silently keeps ≈1.4× more
 *   of a 112×112 clip at σ = 11 and 3× more at 32×32.
 * - `jitter` false: Li et al. do not jitter video; TorchRay's horizontal flip would also change the
 *   meaning of direction-dependent actions.
 */
import { runExtremalPerturbation, type ExtremalOptions, type GradientModulator } from '../core/extremal-perturbation.ts';
import { EP_DEFAULTS } from '@fep/shared/methods';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress } from './types.ts';

export interface EpParams extends ExtremalOptions {
  /** Area whose mask is returned as the saliency. */
  area: number;
}

/** The catalogue's EP defaults (packages/shared/src/methods/catalogue.ts), sourced above. */
export const defaults: Readonly<EpParams> = EP_DEFAULTS;

/** Merge user params over defaults; make sure `area` is one of `areas`. */
export function resolveParams<P extends EpParams>(base: Readonly<P>, params: Partial<P>): P {
  const merged = { ...base, ...params } as P;
  const areas = [...merged.areas];
  if (!areas.includes(merged.area)) areas.push(merged.area);
  return { ...merged, areas };
}

/** Shared by EP and F-EP: run the core and package the result. */
export async function explainExtremal(
  input: ExplainInput,
  resolved: EpParams,
  modulator: GradientModulator | null,
  onProgress?: OnProgress,
  extraParams: Record<string, unknown> = {},
): Promise<ExplainResult> {
  const out = await runExtremalPerturbation(input, resolved, modulator, onProgress);
  const index = resolved.areas.indexOf(resolved.area);
  return {
    saliency: out.masks[index]!,
    shape: out.shape,
    iterations: out.iterations,
    finalEnergy: out.energies.at(-1) ?? null,
    params: { ...resolved, ...extraParams },
    extras: {
      areas: resolved.areas,
      masksByArea: resolved.areas.map((a, i) => ({ area: a, saliency: out.masks[i]! })),
      energyTrace: out.energies,
      finalProbabilities: out.finalProbabilities,
      finalAreas: out.finalAreas,
      paramShape: out.paramShape,
    },
  };
}

export const ep: ExplanationMethod<EpParams> = {
  name: 'ep',
  defaults,
  explain(input: ExplainInput, params: Partial<EpParams>, onProgress?: OnProgress) {
    return explainExtremal(input, resolveParams(defaults, params), null, onProgress);
  },
};

export const explain = ep.explain;
