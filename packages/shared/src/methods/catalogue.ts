/**
 * The method catalogue: every explanation method the engine runs, with its parameter schema
 * (strict: unknown keys are refused), its limits and its defaults, each default with its source.
 * The engine (apps/engine/src/methods), the API, the `fep` CLI and the web form all read this one
 * file; it imports only zod, so the browser can load it.
 *
 * Schemas validate what a caller *submits* (every key optional); `defaults` are what the engine
 * fills in. Limits that depend on the deployment (iterations, areas) come from `Limits`.
 */
import { z } from 'zod';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';

export const METHOD_NAMES = ['fep', 'ep', 'ep-smooth', 'random', 'gradient', 'smoothgrad', 'integrated-gradients', 'gradcam', 'occlusion'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}

/** Largest seed: GraphQL `Int` is a signed 32-bit integer. */
export const MAX_SEED = 2 ** 31 - 1;

// ---------------------------------------------------------------------------------------------
// Defaults (the engine's method modules import these; sources in DEFAULT_SOURCES and the
// modules' doc comments).

export interface EpDefaults {
  area: number;
  areas: number[];
  variant: 'preserve' | 'delete' | 'dual';
  reward: 'neg-log-prob' | 'logit';
  perturbation: 'blur' | 'fade';
  levels: number;
  maxBlur: number;
  fadeTo: 'zero' | 'mean';
  step: number;
  sigma: number;
  coldness: number;
  iterations: number;
  learningRate: number;
  momentum: number;
  dampening: number;
  areaWeight: number;
  areaWeightGrowth: number;
  init: 'ones' | 'random';
  seed: number;
  jitter: boolean;
  areaOver: 'crop' | 'full';
}

export const EP_DEFAULTS: Readonly<EpDefaults> = Object.freeze({
  area: 0.1,
  areas: [0.1],
  variant: 'preserve',
  reward: 'logit',
  perturbation: 'blur',
  levels: 8,
  maxBlur: 20,
  fadeTo: 'zero',
  step: 7,
  sigma: 11,
  coldness: 20,
  iterations: 300,
  learningRate: 0.05,
  momentum: 0.9,
  dampening: 0.9,
  areaWeight: 300,
  areaWeightGrowth: 2,
  init: 'ones',
  seed: 0,
  jitter: false,
  areaOver: 'crop',
} satisfies EpDefaults);

export interface FepDefaults extends EpDefaults {
  weighting: 'none' | 'ideal' | 'gaussian';
  temporalCutoff: number;
  spatialCutoff: number;
}

export const FEP_DEFAULTS: Readonly<FepDefaults> = Object.freeze({
  ...EP_DEFAULTS,
  weighting: 'ideal',
  temporalCutoff: 0.125,
  spatialCutoff: 0.5,
} satisfies FepDefaults);

/** EP + post-hoc smoothing: EP's defaults, then F-EP's band applied once to the final mask. */
export const EP_SMOOTH_DEFAULTS: Readonly<FepDefaults> = Object.freeze({ ...FEP_DEFAULTS } satisfies FepDefaults);

export const RANDOM_DEFAULTS: Readonly<{ seed: number }> = Object.freeze({ seed: 0 });
export const GRADIENT_DEFAULTS: Readonly<Record<string, never>> = Object.freeze({});
export const SMOOTHGRAD_DEFAULTS: Readonly<{ samples: number; noiseLevel: number; batchSize: number; seed: number }> = Object.freeze({
  samples: 50,
  noiseLevel: 0.15,
  batchSize: 5,
  seed: 0,
});
export const INTEGRATED_GRADIENTS_DEFAULTS: Readonly<{ steps: number; baseline: 'black' | 'grey' | 'mean'; batchSize: number }> = Object.freeze({
  steps: 50,
  baseline: 'black',
  batchSize: 4,
});
export const GRADCAM_DEFAULTS: Readonly<{ layer: string | null }> = Object.freeze({ layer: null });
export const OCCLUSION_DEFAULTS: Readonly<{
  window: [number, number, number];
  stride: [number, number, number];
  fill: 'grey' | 'zero' | 'mean';
  output: 'probability' | 'logit';
  batchSize: number;
}> = Object.freeze({
  window: [4, 32, 32] as [number, number, number],
  stride: [2, 16, 16] as [number, number, number],
  fill: 'grey',
  output: 'probability',
  batchSize: 8,
});

const TORCHRAY = 'TorchRay extremal_perturbation (Fong et al., ICCV 2019)';
const LI = 'Li et al., WACV 2021 (video_perturbation)';
/** Where each default comes from, in a few words (details in the engine module's doc comment). */
const EP_SOURCES: Record<keyof EpDefaults, string> = {
  area: `${TORCHRAY}: areas=[0.1]`,
  areas: 'one area on CPU: each more area costs one more forward/backward per iteration (ep.ts)',
  variant: `${TORCHRAY}; ${LI}`,
  reward: `${TORCHRAY}: simple_reward (target logit); measured better than −log p on the shipped model (ep.ts)`,
  perturbation: `${TORCHRAY}; ${LI}`,
  levels: `${TORCHRAY}; ${LI}`,
  maxBlur: `${TORCHRAY}; ${LI}`,
  fadeTo: 'only used by perturbation "fade" (TorchRay fade to zero)',
  step: `${TORCHRAY}; ${LI}`,
  sigma: `${LI} (TorchRay's image default is 21)`,
  coldness: `${TORCHRAY} MaskGenerator`,
  iterations: 'TorchRay uses 800 on a GPU; 300 keeps one CPU explanation near 14 s (ep.ts, docs/evaluation.md)',
  learningRate: LI,
  momentum: LI,
  dampening: LI,
  areaWeight: `${TORCHRAY} regul_weight; ${LI}`,
  areaWeightGrowth: `${LI}: ×1.0008668 per iteration over 800 iterations`,
  init: `${TORCHRAY}; ${LI}`,
  seed: 'ours: used only by init "random"',
  jitter: `${LI} do not jitter video`,
  areaOver: 'ours: area is the kept fraction of the clip itself (ep.ts)',
};
const FEP_SOURCES: Record<keyof FepDefaults, string> = {
  ...EP_SOURCES,
  weighting: 'ours: F-EP here is a re-implementation with its own filter, chosen by the frequency ablation in docs/evaluation.md (the paper\'s filter settings are not available offline)',
  temporalCutoff: 'frequency ablation, docs/evaluation.md',
  spatialCutoff: 'frequency ablation, docs/evaluation.md',
};

// ---------------------------------------------------------------------------------------------
// Schemas

const seed = z.number().int('Use a whole number.').min(0, 'Use a seed ≥ 0.').max(MAX_SEED, `Use a seed ≤ ${MAX_SEED}.`);
const fraction = z.number().gt(0, 'Use a fraction above 0.').lt(1, 'Use a fraction below 1.');
const batchSize = z.number().int('Use a whole number.').min(1).max(64);
const positive = (max: number) => z.number().gt(0).max(max);

function epShape(limits: Limits) {
  return {
    area: fraction,
    areas: z.array(fraction).min(1, 'Give at least one area.').max(limits.maxAreas, `At most ${limits.maxAreas} areas.`),
    variant: z.enum(['preserve', 'delete', 'dual']),
    reward: z.enum(['neg-log-prob', 'logit']),
    perturbation: z.enum(['blur', 'fade']),
    levels: z.number().int().min(1).max(32),
    maxBlur: positive(100),
    fadeTo: z.enum(['zero', 'mean']),
    step: z.number().int().min(1).max(64),
    sigma: positive(100),
    coldness: positive(1000),
    iterations: z
      .number()
      .int('Use a whole number.')
      .min(1, 'Use at least 1 iteration.')
      .max(limits.maxIterations, `At most ${limits.maxIterations} iterations.`),
    learningRate: positive(10),
    momentum: z.number().min(0).lt(1),
    dampening: z.number().min(0).max(1),
    areaWeight: z.number().min(0).max(1e6),
    areaWeightGrowth: positive(1e4),
    init: z.enum(['ones', 'random']),
    seed,
    jitter: z.boolean(),
    areaOver: z.enum(['crop', 'full']),
  };
}

/** F-EP's parameters (EP's plus the frequency weighting); also EP + smoothing's, which applies the same band once. */
function fepSchema(limits: Limits) {
  return z
    .strictObject({
      ...epShape(limits),
      weighting: z.enum(['none', 'ideal', 'gaussian']),
      temporalCutoff: z.number().gt(0).max(1),
      spatialCutoff: z.number().gt(0).max(1),
    })
    .partial()
    .superRefine(areasWithinLimit(limits));
}

/** `area` joins `areas` when it is not one of them (ep.ts resolveParams): count both. */
function areasWithinLimit(limits: Limits) {
  return (p: { area?: number; areas?: number[] }, ctx: z.RefinementCtx) => {
    const areas = new Set(p.areas ?? EP_DEFAULTS.areas);
    areas.add(p.area ?? EP_DEFAULTS.area);
    if (areas.size > limits.maxAreas) {
      ctx.addIssue({ code: 'custom', path: ['areas'], message: `At most ${limits.maxAreas} areas, counting area.` });
    }
  };
}

const triple = (min: readonly [number, number, number], max: number) =>
  z.tuple([
    z.number().int().min(min[0]).max(max),
    z.number().int().min(min[1]).max(max),
    z.number().int().min(min[2]).max(max),
  ]);

export type MethodCost = 'seconds' | 'minutes';

export interface MethodEntry {
  readonly name: MethodName;
  readonly label: string;
  /** One sentence for the request form. */
  readonly description: string;
  /** The paper the method comes from. */
  readonly citation: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  /**
   * How long one run takes: 'seconds' (one or a few dozen passes of the model) or 'minutes' (an
   * optimisation, or hundreds of passes). The queue runs 'seconds' methods before waiting
   * 'minutes' ones (prisma/src/explanation-queue.ts), so a Grad-CAM never waits behind F-EP runs.
   */
  readonly cost: MethodCost;
  /** Source of each default. */
  readonly sources: Readonly<Record<string, string>>;
  /** Strict schema of the parameters a caller may submit, under these limits. */
  schema(limits?: Limits): z.ZodType<Record<string, unknown>>;
}

const entries: MethodEntry[] = [
  {
    name: 'fep',
    label: 'F-EP (extremal perturbation with frequency-modulated gradients)',
    description: 'Extremal perturbation whose mask gradients are low-passed in the frequency domain (3-D DCT): smoother over space and time (Lin et al., BMVC 2021; our re-implementation with its own filter).',
    citation: 'Lin, Bao, Wright & Kong, "Gradient Frequency Modulation for Visually Explaining Video Understanding Models", BMVC 2021 (arXiv 2111.01215)',
    cost: 'minutes',
    defaults: FEP_DEFAULTS,
    sources: FEP_SOURCES,
    schema: (limits = DEFAULT_LIMITS) => fepSchema(limits),
  },
  {
    name: 'ep',
    label: 'EP (extremal perturbation)',
    description: 'The mask of a fixed area that keeps the prediction best (Fong et al., ICCV 2019; Li et al. 2021 for video).',
    citation: 'Fong, Patrick & Vedaldi, ICCV 2019; Li, Wang, Li, Huang & Sato, WACV 2021',
    cost: 'minutes',
    defaults: EP_DEFAULTS,
    sources: EP_SOURCES,
    schema: (limits = DEFAULT_LIMITS) => z.strictObject(epShape(limits)).partial().superRefine(areasWithinLimit(limits)),
  },
  {
    name: 'ep-smooth',
    label: 'EP + smoothing (EP, then the F-EP low-pass applied once)',
    description: 'Plain EP whose final mask is low-passed once with the same frequency band F-EP applies to every update: the baseline that tells whether F-EP\'s modulation matters.',
    citation: 'Fong, Patrick & Vedaldi, ICCV 2019 (EP); the band of Lin, Bao, Wright & Kong, BMVC 2021 (F-EP), applied post hoc',
    cost: 'minutes',
    defaults: EP_SMOOTH_DEFAULTS,
    sources: {
      ...FEP_SOURCES,
      weighting: 'ours: the same band as F-EP (FEP_DEFAULTS), so the two differ only in where the low-pass is applied',
    },
    schema: (limits = DEFAULT_LIMITS) => fepSchema(limits),
  },
  {
    name: 'random',
    label: 'Random baseline',
    description: 'A random mask of the same area: the floor every real explanation should beat.',
    citation: 'Adebayo et al., "Sanity Checks for Saliency Maps", NeurIPS 2018',
    cost: 'seconds',
    defaults: RANDOM_DEFAULTS,
    sources: { seed: 'ours, for reproducibility' },
    schema: () => z.strictObject({ seed }).partial(),
  },
  {
    name: 'gradient',
    label: 'Gradient (saliency)',
    description: 'How strongly each pixel changes the class score, from one backward pass (Simonyan et al., 2014).',
    citation: 'Simonyan, Vedaldi & Zisserman, ICLR workshop 2014',
    cost: 'seconds',
    defaults: GRADIENT_DEFAULTS,
    sources: {},
    schema: () => z.strictObject({}),
  },
  {
    name: 'smoothgrad',
    label: 'SmoothGrad',
    description: 'Gradients averaged over noisy copies of the clip, which removes much of their speckle (Smilkov et al., 2017).',
    citation: 'Smilkov, Thorat, Kim, Viégas & Wattenberg, arXiv 1706.03825 (2017)',
    cost: 'seconds',
    defaults: SMOOTHGRAD_DEFAULTS,
    sources: {
      samples: 'Smilkov et al. §3.1: n = 50',
      noiseLevel: 'Smilkov et al. §3.1: 10–20 % of the input range',
      batchSize: 'ours: bounds memory',
      seed: 'ours, for reproducibility',
    },
    schema: () =>
      z
        .strictObject({ samples: z.number().int().min(1).max(200), noiseLevel: z.number().min(0).max(1), batchSize, seed })
        .partial(),
  },
  {
    name: 'integrated-gradients',
    label: 'Integrated Gradients',
    description: 'Gradients summed along a path from a blank clip to the real one; attributions add up to the score change (Sundararajan et al., 2017).',
    citation: 'Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks", ICML 2017',
    cost: 'seconds',
    defaults: INTEGRATED_GRADIENTS_DEFAULTS,
    sources: {
      steps: 'Sundararajan et al.: 20–300 steps; 50 is Captum\'s default',
      baseline: 'Sundararajan et al.: the all-zero (black) image',
      batchSize: 'ours: bounds memory',
    },
    // 300 steps: the paper's upper figure.
    schema: () => z.strictObject({ steps: z.number().int().min(1).max(300), baseline: z.enum(['black', 'grey', 'mean']), batchSize }).partial(),
  },
  {
    name: 'gradcam',
    label: 'Grad-CAM (video)',
    description: 'Class-weighted feature maps of a late layer, stretched back over time and space: coarse but fast (Selvaraju et al., 2017).',
    citation: 'Selvaraju et al., ICCV 2017; Stergiou et al., "Saliency Tubes", ICIP 2019',
    cost: 'seconds',
    defaults: GRADCAM_DEFAULTS,
    sources: { layer: 'Selvaraju et al. §3: the last convolutional layer' },
    schema: () => z.strictObject({ layer: z.string().min(1).max(200).nullable() }).partial(),
  },
  {
    name: 'occlusion',
    label: 'Occlusion',
    description: 'Grey out one space-time window at a time and measure how much the score drops (Zeiler & Fergus, 2014).',
    citation: 'Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014',
    cost: 'minutes',
    defaults: OCCLUSION_DEFAULTS,
    sources: {
      window: 'ours: 32 px ≈ an object part at 112×112 (Z&F occlude object parts)',
      stride: 'ours: boxes overlap by half on each axis',
      fill: 'Zeiler & Fergus: a grey square',
      output: 'Zeiler & Fergus: p(correct class)',
      batchSize: 'ours: bounds memory',
    },
    // Spatial strides ≥ 8 bound the number of forward passes (16×112×112: ≤ 3 136 boxes).
    schema: () =>
      z
        .strictObject({
          window: triple([1, 1, 1], 1024),
          stride: triple([1, 8, 8], 1024),
          fill: z.enum(['grey', 'zero', 'mean']),
          output: z.enum(['probability', 'logit']),
          batchSize,
        })
        .partial(),
  },
];

export const METHOD_CATALOGUE: Readonly<Record<MethodName, MethodEntry>> = Object.freeze(
  Object.fromEntries(entries.map((e) => [e.name, Object.freeze(e)])) as Record<MethodName, MethodEntry>,
);

/** Methods whose parameters include `name` (e.g. which methods take `iterations` or `seed`). */
export function methodTakes(method: MethodName, param: string): boolean {
  return Object.prototype.hasOwnProperty.call(METHOD_CATALOGUE[method].defaults, param);
}

/** A label without its parenthesised expansion ("F-EP"). */
/** A method's cost class (MethodEntry.cost); a name the catalogue no longer has counts as 'minutes'. */
export function methodCost(name: string): MethodCost {
  return isMethodName(name) ? METHOD_CATALOGUE[name].cost : 'minutes';
}

export function methodLabel(name: string): string {
  return isMethodName(name) ? METHOD_CATALOGUE[name].label.split(' (')[0]! : name;
}
