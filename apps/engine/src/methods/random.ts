/**
 * Random saliency baseline: i.i.d. uniform [0,1) values per voxel from a seeded PRNG (mulberry32).
 * It is the sanity floor every real method must beat (Adebayo et al., "Sanity Checks for Saliency
 * Maps", NeurIPS 2018, use random attributions the same way). Default `seed` 0.
 */
import { RANDOM_DEFAULTS } from '@fep/shared/methods';
import { mulberry32 } from '../synth/prng.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress } from './types.ts';

export interface RandomParams {
  seed: number;
}

export const defaults: Readonly<RandomParams> = RANDOM_DEFAULTS;

export const random: ExplanationMethod<RandomParams> = {
  name: 'random',
  defaults,
  async explain(input: ExplainInput, params: Partial<RandomParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const resolved = { ...defaults, ...params };
    const [t, h, w] = input.clip.shape;
    const next = mulberry32(resolved.seed);
    const saliency = new Float32Array(t * h * w);
    for (let i = 0; i < saliency.length; i++) saliency[i] = next();
    await onProgress?.({ iteration: 1, totalIterations: 1, energy: null });
    return { saliency, shape: [t, h, w], iterations: 1, finalEnergy: null, params: { ...resolved } };
  },
};

export const explain = random.explain;
