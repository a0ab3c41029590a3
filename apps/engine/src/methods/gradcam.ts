/**
 * Grad-CAM for video: Selvaraju, Cogswell, Das, Vedantam, Parikh & Batra, "Grad-CAM: Visual
 * Explanations from Deep Networks via Gradient-based Localization", ICCV 2017, with the
 * spatiotemporal extension used for 3-D CNNs (the channel weights average the gradient over time
 * and space, the map keeps time; e.g. Stergiou et al., "Saliency Tubes", ICIP 2019):
 *
 *   α_c = mean_{t,y,x} ∂S_target/∂A[t,y,x,c],   L = ReLU(Σ_c α_c A[·,·,·,c])   (T'×H'×W')
 *
 * upsampled to T×H×W with separable linear interpolation (half-pixel centres, like
 * `F.interpolate(mode='trilinear', align_corners=False)`) and divided by its maximum.
 *
 * Defaults: `layer` null = the last layer with a [N,T',H',W',C'] output (the paper uses the last
 * convolutional layer: the best trade-off of semantics and spatial detail, §3).
 *
 * The classifier must expose its layer activations (`LayerActivationAccess`); classifiers that do
 * not get a `GradCamUnsupportedError`.
 */
import * as tf from '@tensorflow/tfjs';
import { GRADCAM_DEFAULTS } from '@fep/shared/methods';
import { assertTarget, reportProgress, resolveKnown } from './gradient-utils.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress, VideoClassifier } from './types.ts';

/** Optional capability of a `VideoClassifier`: evaluate with access to an inner layer. */
export interface LayerActivationAccess {
  /** Layers whose output is a video feature map [N,T',H',W',C'], from input to output. */
  activationLayerNames(): string[];
  /**
   * Logits of `clips` where the named layer's output A is replaced by `edit(A)` before the rest of
   * the network runs (identity when omitted); also returns A itself.
   */
  logitsWithActivation(
    clips: tf.Tensor5D,
    layer: string,
    edit?: (a: tf.Tensor5D) => tf.Tensor5D,
  ): { logits: tf.Tensor2D; activation: tf.Tensor5D };
}

export function hasLayerAccess(model: VideoClassifier): model is VideoClassifier & LayerActivationAccess {
  const m = model as Partial<LayerActivationAccess>;
  return typeof m.activationLayerNames === 'function' && typeof m.logitsWithActivation === 'function';
}

export class GradCamUnsupportedError extends Error {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(message: string) {
    super(message);
    this.name = 'GradCamUnsupportedError';
  }
}

export interface GradCamParams {
  layer: string | null;
}

export const defaults: Readonly<GradCamParams> = GRADCAM_DEFAULTS;

/** Linear interpolation matrix [out, in] with half-pixel centres (align_corners = false), edges clamped. */
export function linearResizeMatrix(inN: number, outN: number): Float32Array {
  const m = new Float32Array(outN * inN);
  const scale = inN / outN;
  for (let o = 0; o < outN; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inN - 1);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inN - 1);
    const f = src - i0;
    m[o * inN + i0]! += 1 - f;
    m[o * inN + i1]! += f;
  }
  return m;
}

/** cam [T',H',W'] → [T,H,W] by separable linear interpolation (three matMuls). */
export function upsample3d(cam: tf.Tensor3D, t: number, h: number, w: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [t0, h0, w0] = cam.shape;
    const mt = tf.tensor2d(linearResizeMatrix(t0, t), [t, t0]);
    const mh = tf.tensor2d(linearResizeMatrix(h0, h), [h, h0]);
    const mw = tf.tensor2d(linearResizeMatrix(w0, w), [w, w0]);
    let x = tf.matMul(cam.reshape([t0 * h0, w0]), mw, false, true).reshape([t0, h0, w]); // W
    x = tf.matMul(x.transpose([0, 2, 1]).reshape([t0 * w, h0]), mh, false, true).reshape([t0, w, h]); // H
    x = tf.matMul(mt, x.transpose([0, 2, 1]).reshape([t0, h * w])).reshape([t, h, w]); // T
    return x as tf.Tensor3D;
  });
}

export const gradcam: ExplanationMethod<GradCamParams> = {
  name: 'gradcam',
  defaults,
  async explain(input: ExplainInput, params: Partial<GradCamParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const p = resolveKnown(defaults, params);
    const { clip, model, target } = input;
    assertTarget(model, target);
    if (!hasLayerAccess(model)) {
      throw new GradCamUnsupportedError(`Grad-CAM needs layer activations, which the model "${model.name}" does not expose.`);
    }
    const names = model.activationLayerNames();
    const layer = p.layer ?? names.at(-1);
    if (!layer || !names.includes(layer)) {
      throw new GradCamUnsupportedError(`Unknown Grad-CAM layer "${String(layer)}". Available: ${names.join(', ')}.`);
    }
    const [t, h, w] = clip.shape;
    const k = model.labels.length;
    const { up, camShape } = tf.tidy(() => {
      const x = clip.expandDims(0) as tf.Tensor5D;
      const a = model.logitsWithActivation(x, layer).activation;
      const onehot = tf.oneHot(tf.tensor1d([target], 'int32'), k).reshape([1, k]);
      // ∂S/∂A through an additive zero offset on A.
      const offset = tf.zerosLike(a);
      const grad = tf.grad((d: tf.Tensor) =>
        tf.sum(tf.mul(model.logitsWithActivation(x, layer, (act) => tf.add(act, d) as tf.Tensor5D).logits, onehot)),
      )(offset);
      const [, t1, h1, w1, c1] = a.shape;
      // α_c: mean over T'·H'·W' with the reduced axis last.
      const alpha = tf.mean(tf.transpose(grad.reshape([t1 * h1 * w1, c1]), [1, 0]), -1); // [C]
      const cam = tf.relu(tf.matMul(a.reshape([t1 * h1 * w1, c1]), alpha.reshape([c1, 1]))).reshape([t1, h1, w1]) as tf.Tensor3D;
      const u = upsample3d(cam, t, h, w);
      const mx = tf.max(u);
      return { up: tf.div(u, tf.maximum(mx, 1e-12)), camShape: [t1, h1, w1] };
    });
    const data = (await up.data()) as Float32Array;
    up.dispose();
    await reportProgress(onProgress, 1, 1);
    return { saliency: data, shape: [t, h, w], iterations: 1, finalEnergy: null, params: { layer }, extras: { camShape } };
  },
};

export const explain = gradcam.explain;
