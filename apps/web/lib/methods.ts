/**
 * Explanation methods the engine runs (apps/engine/src/methods/index.ts `METHOD_NAMES`) and the
 * defaults the request form shows (apps/engine/src/methods/ep.ts `defaults`, which F-EP extends).
 * The browser cannot import the engine (TensorFlow.js); a unit test keeps these copies identical.
 */
export const METHODS = [
  {
    name: 'fep',
    label: 'F-EP (frequency-based extremal perturbation)',
    description: 'Extremal perturbation whose mask updates are filtered in the frequency domain: smoother over time (Lin et al., BMVC 2021).',
  },
  {
    name: 'ep',
    label: 'EP (extremal perturbation)',
    description: 'The mask of a fixed area that keeps the prediction best (Fong et al., ICCV 2019; Li et al. 2021 for video).',
  },
  {
    name: 'random',
    label: 'Random baseline',
    description: 'A random mask of the same area: the floor every real explanation should beat.',
  },
] as const;

export type MethodName = (typeof METHODS)[number]['name'];

/** Defaults of the advanced parameters, as the engine resolves them (sources in ep.ts). */
export const METHOD_DEFAULTS = {
  /** Fraction of the clip volume the mask keeps (TorchRay / Li et al. area 0.1). */
  area: 0.1,
  /** Optimisation steps (engine default; TorchRay uses 800 on a GPU). */
  iterations: 300,
  /** Seed of random initialisation and of the random baseline. */
  seed: 0,
} as const;

export function methodLabel(name: string): string {
  return METHODS.find((m) => m.name === name)?.label.split(' (')[0] ?? name;
}
