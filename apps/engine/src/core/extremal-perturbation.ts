/**
 * Shared optimisation core of spatiotemporal Extremal Perturbation (EP) and F-EP (EP with frequency-modulated gradients, Lin et al., BMVC 2021).
 *
 * Energy (minimised), per area a, following Li et al. (WACV 2021, `video_perturbation`) who adapt
 * TorchRay's `extremal_perturbation` to video:
 *
 *   E = Σ_a [ reward_a(model(perturb(clip, mask_a))) + λ_t · R_a(full mask volume) ]
 *
 * - games (TorchRay `variant`): `preserve` perturbs outside the mask, `delete` perturbs inside it
 *   (mask 1 − m), `dual` does both in one batch and adds the two rewards.
 * - reward `neg-log-prob` (Li et al. `simple_log_reward`): preserve −log p(target),
 *   delete −log(1 − p(target)); reward `logit` (TorchRay `simple_reward`, negated to be minimised):
 *   preserve −z_target, delete +z_target.
 * - R_a: sorted-mask area regulariser (core/area-regulariser.ts) over the mask volume (by default the
 *   part over the clip; `areaOver: 'full'` includes the margin as TorchRay / Li et al.).
 * - λ_t = λ₀ · growth^(t / iterations): Li et al. use λ₀ = 300 multiplied by 1.0008668 per
 *   iteration, which doubles it over their 800 iterations (growth 2). TorchRay uses λ₀ = 300 with
 *   ×1.0035 per iteration (≈ ×16 over 800).
 * - SGD with momentum μ and dampening d, written out with PyTorch semantics:
 *   b₀ = g₀, b_t = μ·b_{t−1} + (1 − d)·g_t, θ ← clamp(θ − lr·b_t, 0, 1)
 *   (Li et al.: lr 0.05, μ 0.9, d 0.9; TorchRay: lr 0.01, μ 0.9, d 0.9).
 * - Parameters start at 1 (TorchRay and Li et al.) or, with `init: 'random'`, uniform in [0,1]
 *   from a fixed seed.
 * - Several areas are optimised together as one batch (their energies are independent).
 * - `modulateGradient` is applied to ∂E/∂θ [A, T, h, w] before the SGD step: F-EP filters it in the
 *   3-D DCT domain, EP leaves it as is.
 */
import { PREVIEW_MAX_SIDE, type MaskPreview } from '@fep/shared/progress';
import * as tf from '@tensorflow/tfjs';
import { ExplanationCancelledError, type ExplainInput, type OnProgress } from '../methods/types.ts';
import { areaLoss } from './area-regulariser.ts';
import { MaskGenerator } from './mask-generator.ts';
import { Perturbation, type PerturbationType } from './perturbation.ts';

export type Variant = 'preserve' | 'delete' | 'dual';
export type RewardKind = 'neg-log-prob' | 'logit';

export interface ExtremalOptions {
  areas: number[];
  variant: Variant;
  reward: RewardKind;
  perturbation: PerturbationType;
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
  /** Total factor by which the area weight grows over the run (λ_end = λ₀ · growth). */
  areaWeightGrowth: number;
  init: 'ones' | 'random';
  seed: number;
  /** TorchRay's jitter: flip the perturbed clips horizontally on even iterations. */
  jitter: boolean;
  /**
   * Which mask the area regulariser sorts: `crop`, the mask over the clip itself, so that `area` is
   * the fraction of the clip volume kept; or `full`, the mask including the generator's margin, as
   * TorchRay and Li et al. do (there `area` is a fraction of the padded volume, e.g. 134²/112² ≈
   * 1.43× more of the clip at σ = 11).
   */
  areaOver: 'crop' | 'full';
}

/** Gradient hook: receives ∂E/∂θ [A,T,h,w] and returns the tensor to step with (may be the input). */
export type GradientModulator = (grad: tf.Tensor4D) => tf.Tensor4D;

export interface ExtremalResult {
  /** One [T,H,W] mask per area, in `areas` order. */
  masks: Float32Array[];
  shape: [number, number, number];
  /** Total energy after each iteration. */
  energies: number[];
  iterations: number;
  /** Softmax probability of the target for each area's perturbed clip at the end (per game). */
  finalProbabilities: { preserve?: number[]; delete?: number[] };
  /** Achieved mask area (mean of the cropped mask volume) per area. */
  finalAreas: number[];
  paramShape: [number, number, number, number];
}

export class InvalidExplainParamsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidExplainParamsError';
  }
}

function validate(opts: ExtremalOptions, input: ExplainInput): void {
  const bad = (msg: string) => {
    throw new InvalidExplainParamsError(msg);
  };
  if (!Array.isArray(opts.areas) || opts.areas.length === 0) bad('areas must be a non-empty array');
  for (const a of opts.areas) if (!(a > 0 && a < 1)) bad(`area ${a} must be in (0,1)`);
  if (!['preserve', 'delete', 'dual'].includes(opts.variant)) bad(`unknown variant ${opts.variant}`);
  if (!['neg-log-prob', 'logit'].includes(opts.reward)) bad(`unknown reward ${opts.reward}`);
  if (!(Number.isInteger(opts.iterations) && opts.iterations >= 1)) bad('iterations must be an integer ≥ 1');
  if (!(opts.learningRate > 0)) bad('learningRate must be > 0');
  if (!(opts.momentum >= 0 && opts.momentum < 1)) bad('momentum must be in [0,1)');
  if (!(opts.dampening >= 0 && opts.dampening <= 1)) bad('dampening must be in [0,1]');
  if (!(opts.areaWeight >= 0) || !(opts.areaWeightGrowth > 0)) bad('areaWeight ≥ 0 and areaWeightGrowth > 0');
  if (!['crop', 'full'].includes(opts.areaOver)) bad(`unknown areaOver ${opts.areaOver}`);
  const k = input.model.labels.length;
  if (!(Number.isInteger(input.target) && input.target >= 0 && input.target < k)) {
    bad(`target ${input.target} is not a class index in [0,${k})`);
  }
  if (input.clip.rank !== 4) bad('clip must be [T,H,W,C]');
}

/** Per-area reward losses [A] from logits [A or 2A, K]. */
function rewardLoss(logits: tf.Tensor2D, target: number, variant: Variant, kind: RewardKind, a: number): tf.Tensor1D {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const onehot = tf.oneHot(tf.tensor1d([target], 'int32'), k).reshape([1, k]);
    const preserveLoss = (z: tf.Tensor2D) =>
      kind === 'logit' ? tf.neg(tf.sum(tf.mul(z, onehot), -1)) : tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), onehot), -1));
    const deleteLoss = (z: tf.Tensor2D) => {
      if (kind === 'logit') return tf.sum(tf.mul(z, onehot), -1);
      // −log(1 − p_t) = logsumexp(z) − logsumexp(z without the target)
      const others = tf.add(z, tf.mul(onehot, -1e9));
      return tf.sub(tf.logSumExp(z, -1), tf.logSumExp(others, -1));
    };
    if (variant === 'preserve') return preserveLoss(logits) as tf.Tensor1D;
    if (variant === 'delete') return deleteLoss(logits) as tf.Tensor1D;
    const pres = tf.slice(logits, [0, 0], [a, k]);
    const del = tf.slice(logits, [a, 0], [a, k]);
    return tf.add(preserveLoss(pres), deleteLoss(del)) as tf.Tensor1D;
  });
}

/**
 * The pieces of one explanation problem: mask generator, perturbation operator and the energy as a
 * function of the parameters [A, T, h, w]. Call `dispose()` when done.
 */
export class ExtremalProblem {
  readonly generator: MaskGenerator;
  readonly perturbation: Perturbation;
  readonly paramShape: [number, number, number, number];
  private readonly outShape: [number, number];

  constructor(
    readonly input: ExplainInput,
    readonly opts: ExtremalOptions,
  ) {
    validate(opts, input);
    const [t, h, w] = input.clip.shape;
    this.generator = new MaskGenerator({ height: h, width: w, step: opts.step, sigma: opts.sigma, coldness: opts.coldness });
    this.perturbation = new Perturbation(input.clip, {
      type: opts.perturbation,
      levels: opts.levels,
      maxBlur: opts.maxBlur,
      fadeTo: opts.fadeTo,
    });
    const [ph, pw] = this.generator.shapeIn;
    this.paramShape = [opts.areas.length, t, ph, pw];
    this.outShape = this.generator.shapeOut;
  }

  /** Area weight λ at iteration `it` (geometric growth to λ₀·growth at the end of the run). */
  areaWeightAt(it: number): number {
    return this.opts.areaWeight * this.opts.areaWeightGrowth ** (it / this.opts.iterations);
  }

  /** Masks for params [A,T,h,w]: `cropped` [A·T,H,W] and, with `withFull`, `full` (incl. margin). */
  masks(params: tf.Tensor4D, withFull = this.opts.areaOver === 'full'): { cropped: tf.Tensor3D; full: tf.Tensor3D | null } {
    const [a, t, ph, pw] = this.paramShape;
    const p3 = params.reshape([a * t, ph, pw]) as tf.Tensor3D;
    if (withFull) return this.generator.generate(p3);
    // Only the cells over the clip (identical values, fewer cells: see MaskGenerator).
    return { cropped: this.generator.generateCropped(p3), full: null };
  }

  /** Perturbed clips for the game: [A or 2A, T, H, W, C]. */
  perturbed(cropped: tf.Tensor3D): tf.Tensor5D {
    const [a, t] = this.paramShape;
    const [, h, w] = this.input.clip.shape;
    const m = cropped.reshape([a, t, h, w]) as tf.Tensor4D;
    if (this.opts.variant === 'preserve') return this.perturbation.apply(m);
    const inv = tf.sub(1, m) as tf.Tensor4D;
    if (this.opts.variant === 'delete') return this.perturbation.apply(inv);
    return tf.concat([this.perturbation.apply(m), this.perturbation.apply(inv)], 0);
  }

  /** Total energy E(params) at iteration `it` (λ and jitter depend on it). Differentiable. */
  energy(params: tf.Tensor4D, it: number): tf.Scalar {
    const { opts } = this;
    const [a, t] = this.paramShape;
    const [oh, ow] = this.outShape;
    return tf.tidy(() => {
      const { cropped, full } = this.masks(params);
      let x = this.perturbed(cropped);
      if (opts.jitter && it % 2 === 0) x = tf.reverse(x, 3);
      const logits = this.input.model.logits(x);
      const reward = rewardLoss(logits, this.input.target, opts.variant, opts.reward, a);
      const [, h, w] = this.input.clip.shape;
      const sorted = opts.areaOver === 'full' ? full!.reshape([a, t * oh * ow]) : cropped.reshape([a, t * h * w]);
      const regul = tf.mul(areaLoss(sorted as tf.Tensor2D, opts.areas), this.areaWeightAt(it));
      return tf.sum(tf.add(reward, regul));
    });
  }

  initialParams(): tf.Tensor4D {
    return this.opts.init === 'ones'
      ? tf.ones(this.paramShape)
      : tf.randomUniform(this.paramShape, 0, 1, 'float32', this.opts.seed);
  }

  dispose(): void {
    this.generator.dispose();
    this.perturbation.dispose();
  }
}

/**
 * The first area's current mask over the clip, average-pooled to at most PREVIEW_MAX_SIDE cells a
 * side and quantised to bytes (@fep/shared MaskPreview): a live view of the optimisation. The
 * clip's frame timestamps are not known here; explainClip fills them in.
 */
export function maskPreview(problem: ExtremalProblem, params: tf.Tensor4D, iteration: number): MaskPreview {
  const [, t] = problem.paramShape;
  const [, h, w] = problem.input.clip.shape;
  const f = Math.max(1, Math.ceil(Math.max(h, w) / PREVIEW_MAX_SIDE));
  const pooled = tf.tidy(() => {
    const first = tf.slice(problem.masks(params, false).cropped, [0, 0, 0], [t, h, w]).reshape([t, h, w, 1]) as tf.Tensor4D;
    const small = f > 1 ? tf.avgPool(first, f, f, 'same') : first;
    return tf.round(tf.mul(tf.clipByValue(small, 0, 1), 255));
  });
  const [, ph, pw] = pooled.shape as [number, number, number, number];
  const bytes = Uint8Array.from(pooled.dataSync());
  pooled.dispose();
  return { frames: t, height: ph, width: pw, iteration, data: Buffer.from(bytes).toString('base64'), clipHeight: h, clipWidth: w, frameTimestamps: [] };
}

/**
 * Run the optimisation. `onProgress` is called after every iteration with the total energy; if it
 * returns `false` the run stops with `ExplanationCancelledError`. All tensors created here are
 * released before returning or throwing.
 */
export async function runExtremalPerturbation(
  input: ExplainInput,
  opts: ExtremalOptions,
  modulateGradient: GradientModulator | null,
  onProgress?: OnProgress,
): Promise<ExtremalResult> {
  const problem = new ExtremalProblem(input, opts);
  const { model, target } = input;
  const [t, h, w] = input.clip.shape;
  const a = opts.areas.length;
  const paramShape = problem.paramShape;
  let params: tf.Tensor4D = problem.initialParams();
  let buffer: tf.Tensor4D | null = null;
  const energies: number[] = [];

  try {
    for (let it = 0; it < opts.iterations; it++) {
      const next = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => problem.energy(p as tf.Tensor4D, it))(params);
        const g = grad as tf.Tensor4D;
        const step = modulateGradient ? modulateGradient(g) : g;
        const buf: tf.Tensor4D =
          buffer === null ? step.clone() : tf.add(tf.mul(buffer, opts.momentum), tf.mul(step, 1 - opts.dampening));
        const p = tf.clipByValue(tf.sub(params, tf.mul(buf, opts.learningRate)), 0, 1) as tf.Tensor4D;
        return { value, buf, p };
      });
      params.dispose();
      buffer?.dispose();
      params = next.p;
      buffer = next.buf;
      const energy = (await next.value.data())[0]!;
      next.value.dispose();
      energies.push(energy);
      if (onProgress) {
        const current = params;
        const answer = await onProgress({ iteration: it + 1, totalIterations: opts.iterations, energy, preview: () => maskPreview(problem, current, it + 1) });
        if (answer === false) throw new ExplanationCancelledError();
      }
    }

    // Final masks and diagnostics (no gradient).
    const final = tf.tidy(() => {
      const { cropped } = problem.masks(params);
      const m = cropped.reshape([a, t * h * w]);
      const logits = model.logits(problem.perturbed(cropped));
      const probs = tf.softmax(logits);
      const k = probs.shape[1];
      const pt = tf.sum(tf.mul(probs, tf.oneHot(tf.tensor1d([target], 'int32'), k).reshape([1, k])), -1);
      return { m, pt, area: tf.mean(m, -1) };
    });
    const [mData, ptData, areaData] = await Promise.all([final.m.data(), final.pt.data(), final.area.data()]);
    tf.dispose(final);
    const masks: Float32Array[] = [];
    for (let i = 0; i < a; i++) masks.push((mData as Float32Array).slice(i * t * h * w, (i + 1) * t * h * w));
    const pts = Array.from(ptData);
    const finalProbabilities: ExtremalResult['finalProbabilities'] =
      opts.variant === 'preserve'
        ? { preserve: pts }
        : opts.variant === 'delete'
          ? { delete: pts }
          : { preserve: pts.slice(0, a), delete: pts.slice(a) };
    return {
      masks,
      shape: [t, h, w],
      energies,
      iterations: opts.iterations,
      finalProbabilities,
      finalAreas: Array.from(areaData),
      paramShape,
    };
  } finally {
    params.dispose();
    buffer?.dispose();
    problem.dispose();
  }
}
