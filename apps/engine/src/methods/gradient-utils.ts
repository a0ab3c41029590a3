/**
 * Shared pieces of the gradient-based baselines (gradient, SmoothGrad, Integrated Gradients,
 * Grad-CAM): gradients of the target logit with respect to a batch of clips, channel reduction,
 * parameter resolution and progress/cancellation.
 *
 * All gradient baselines explain the target's *logit* (the unnormalised class score S_c of
 * Simonyan et al. 2014 and Selvaraju et al. 2017; Sundararajan et al. 2017 use the model output,
 * for which the logit keeps completeness exact).
 */
import * as tf from '@tensorflow/tfjs';
import { ExplanationCancelledError, type OnProgress, type VideoClassifier } from './types.ts';

/**
 * Gradients of logit[target] for each clip of `clips` [N,T,H,W,C] → `grad` [N,T,H,W,C] (the clips
 * are independent, so the gradient of the sum is each clip's own gradient) and `total`, the sum
 * of the N target logits.
 */
export function targetLogitGradients(model: VideoClassifier, clips: tf.Tensor5D, target: number): { grad: tf.Tensor5D; total: tf.Scalar } {
  return tf.tidy(() => {
    const k = model.labels.length;
    const onehot = tf.oneHot(tf.tensor1d([target], 'int32'), k).reshape([1, k]);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(model.logits(x as tf.Tensor5D), onehot)) as tf.Scalar)(clips);
    return { grad: grad as tf.Tensor5D, total: value };
  });
}

/** Target logits of a batch without gradients → Float32Array [N]. */
export function targetLogits(model: VideoClassifier, clips: tf.Tensor5D, target: number): Float32Array {
  return tf.tidy(() => tf.slice(model.logits(clips), [0, target], [-1, 1]).reshape([-1]).dataSync() as Float32Array);
}

/** [T,H,W,C] → [T,H,W]: max over channels of |g| (Simonyan et al. 2014, §3.1). */
export function maxAbsOverChannels(g: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => tf.max(tf.abs(g), -1) as tf.Tensor3D);
}

/** Pick the known keys of `params` over `defaults` (callers may pass other methods' options). */
export function resolveKnown<P extends object>(defaults: Readonly<P>, params: Partial<P> | Record<string, unknown>): P {
  const out = { ...defaults } as Record<string, unknown>;
  for (const key of Object.keys(defaults)) {
    const v = (params as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as P;
}

export async function reportProgress(onProgress: OnProgress | undefined, iteration: number, total: number): Promise<void> {
  if (!onProgress) return;
  const answer = await onProgress({ iteration, totalIterations: total, energy: null });
  if (answer === false) throw new ExplanationCancelledError();
}

export function assertTarget(model: VideoClassifier, target: number): void {
  const k = model.labels.length;
  if (!(Number.isInteger(target) && target >= 0 && target < k)) {
    throw new RangeError(`target ${target} is not a class index in [0,${k})`);
  }
}

/** Seeded PRNG (mulberry32) and a Box–Muller normal sampler for reproducible noise. */
export function normalSampler(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u1 = Math.max(uniform(), 1e-12);
    const u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}
