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
  {
    name: 'gradient',
    label: 'Gradient (saliency)',
    description: 'How strongly each pixel changes the class score, from one backward pass (Simonyan et al., 2014).',
  },
  {
    name: 'smoothgrad',
    label: 'SmoothGrad',
    description: 'Gradients averaged over noisy copies of the clip, which removes much of their speckle (Smilkov et al., 2017).',
  },
  {
    name: 'integrated-gradients',
    label: 'Integrated Gradients',
    description: 'Gradients summed along a path from a blank clip to the real one; attributions add up to the score change (Sundararajan et al., 2017).',
  },
  {
    name: 'gradcam',
    label: 'Grad-CAM (video)',
    description: 'Class-weighted feature maps of a late layer, stretched back over time and space: coarse but fast (Selvaraju et al., 2017).',
  },
  {
    name: 'occlusion',
    label: 'Occlusion',
    description: 'Grey out one space-time window at a time and measure how much the score drops (Zeiler & Fergus, 2014).',
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
