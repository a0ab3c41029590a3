/**
 * Integrated Gradients: Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks",
 * ICML 2017. attr_i = (x_i − x'_i) · ∫₀¹ ∂F(x' + α(x − x'))/∂x_i dα, approximated with the
 * trapezoid rule over `steps` intervals (steps + 1 gradient evaluations), F = target logit.
 * Completeness: Σ_i attr_i ≈ F(x) − F(x'); the achieved gap is reported in `extras`.
 * The saliency is |Σ_channels attr| per voxel; the signed per-voxel sums are `integratedGradients`'s
 * output for callers that need them.
 *
 * Defaults: `steps` 50 (the paper: "20 to 300 steps" suffice for completeness within 5 %; 50 is
 * Captum's default), `baseline` 'black' (the paper's image baseline: all zeros; 'grey' = 0.5 and
 * 'mean' = the clip's per-channel mean are also offered), `batchSize` 4 interpolation points per
 * forward/backward pass so that memory stays bounded whatever `steps` is.
 */
import * as tf from '@tensorflow/tfjs';
import { INTEGRATED_GRADIENTS_DEFAULTS } from '@fep/shared/methods';
import { assertTarget, reportProgress, resolveKnown, targetLogitGradients, targetLogits } from './gradient-utils.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress, VideoClassifier } from './types.ts';

export interface IntegratedGradientsParams {
  steps: number;
  baseline: 'black' | 'grey' | 'mean';
  batchSize: number;
}

export const defaults: Readonly<IntegratedGradientsParams> = INTEGRATED_GRADIENTS_DEFAULTS;

export interface IgOutput {
  /** Signed attributions [T,H,W,C]. */
  attributions: tf.Tensor4D;
  /** F(x) and F(x') (target logits). */
  fx: number;
  fBaseline: number;
  batches: number;
}

function baselineOf(clip: tf.Tensor4D, kind: IntegratedGradientsParams['baseline']): tf.Tensor4D {
  return tf.tidy(() => {
    if (kind === 'black') return tf.zerosLike(clip);
    if (kind === 'grey') return tf.fill(clip.shape, 0.5) as tf.Tensor4D;
    if (kind === 'mean') return tf.mul(tf.onesLike(clip), tf.mean(clip, [0, 1, 2], true)) as tf.Tensor4D;
    throw new RangeError(`unknown baseline ${String(kind)}`);
  });
}

/** Signed Integrated Gradients attributions (caller disposes `attributions`). */
export async function integratedGradients(
  clip: tf.Tensor4D,
  model: VideoClassifier,
  target: number,
  p: IntegratedGradientsParams,
  onProgress?: OnProgress,
): Promise<IgOutput> {
  if (!(Number.isInteger(p.steps) && p.steps >= 1)) throw new RangeError('steps must be an integer ≥ 1');
  if (!(Number.isInteger(p.batchSize) && p.batchSize >= 1)) throw new RangeError('batchSize must be an integer ≥ 1');
  const [t, h, w, c] = clip.shape;
  const n = t * h * w * c;
  const base = baselineOf(clip, p.baseline);
  const delta = tf.sub(clip, base) as tf.Tensor4D;
  // Trapezoid weights over α_j = j / steps, j = 0..steps.
  const alphas = Array.from({ length: p.steps + 1 }, (_, j) => j / p.steps);
  const weights = alphas.map((_, j) => (j === 0 || j === p.steps ? 0.5 : 1) / p.steps);
  let sum: tf.Tensor = tf.zeros([n]);
  const batches = Math.ceil(alphas.length / p.batchSize);
  try {
    for (let b = 0; b < batches; b++) {
      const a = alphas.slice(b * p.batchSize, (b + 1) * p.batchSize);
      const wts = weights.slice(b * p.batchSize, (b + 1) * p.batchSize);
      const next = tf.tidy(() => {
        const al = tf.tensor(a, [a.length, 1, 1, 1, 1]);
        const x = tf.add(base.expandDims(0), tf.mul(al, delta.expandDims(0))) as tf.Tensor5D;
        const { grad } = targetLogitGradients(model, x, target);
        // Weighted sum over the batch as a matMul: [1,m]·[m,n].
        const g = tf.matMul(tf.tensor2d(wts, [1, a.length]), grad.reshape([a.length, n])).reshape([n]);
        return tf.add(sum, g);
      });
      sum.dispose();
      sum = next;
      await reportProgress(onProgress, b + 1, batches);
    }
    const attributions = tf.tidy(() => tf.mul(sum.reshape([t, h, w, c]), delta) as tf.Tensor4D);
    const [fx, fBaseline] = tf.tidy(() => targetLogits(model, tf.stack([clip, base]) as tf.Tensor5D, target));
    return { attributions, fx: fx!, fBaseline: fBaseline!, batches };
  } finally {
    tf.dispose([sum, base, delta]);
  }
}

export const integratedGradientsMethod: ExplanationMethod<IntegratedGradientsParams> = {
  name: 'integrated-gradients',
  defaults,
  async explain(input: ExplainInput, params: Partial<IntegratedGradientsParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const p = resolveKnown(defaults, params);
    const { clip, model, target } = input;
    assertTarget(model, target);
    const [t, h, w] = clip.shape;
    const out = await integratedGradients(clip, model, target, p, onProgress);
    const { saliency, total } = tf.tidy(() => {
      const perVoxel = tf.sum(out.attributions, -1);
      return { saliency: tf.abs(perVoxel), total: tf.sum(perVoxel) };
    });
    out.attributions.dispose();
    const data = (await saliency.data()) as Float32Array;
    const attributionSum = (await total.data())[0]!;
    tf.dispose([saliency, total]);
    return {
      saliency: data,
      shape: [t, h, w],
      iterations: out.batches,
      finalEnergy: null,
      params: { ...p },
      extras: { attributionSum, targetLogit: out.fx, baselineLogit: out.fBaseline, completenessGap: attributionSum - (out.fx - out.fBaseline) },
    };
  },
};

export const explain = integratedGradientsMethod.explain;
