/**
 * Gradient (saliency) baseline: Simonyan, Vedaldi & Zisserman, "Deep Inside Convolutional
 * Networks: Visualising Image Classification Models and Saliency Maps", ICLR workshop 2014.
 * The map is |∂S_c/∂x| reduced over colour channels by the maximum (their §3.1), per voxel of the
 * clip: one forward and one backward pass. No parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { GRADIENT_DEFAULTS } from '@fep/shared/methods';
import { assertTarget, maxAbsOverChannels, reportProgress, targetLogitGradients } from './gradient-utils.ts';
import type { ExplainInput, ExplainResult, ExplanationMethod, OnProgress } from './types.ts';

export type GradientParams = Record<string, never>;

export const defaults: Readonly<GradientParams> = GRADIENT_DEFAULTS;

export const gradient: ExplanationMethod<GradientParams> = {
  name: 'gradient',
  defaults,
  async explain(input: ExplainInput, _params: Partial<GradientParams>, onProgress?: OnProgress): Promise<ExplainResult> {
    const { clip, model, target } = input;
    assertTarget(model, target);
    const [t, h, w] = clip.shape;
    const { saliency, logit } = tf.tidy(() => {
      const { grad, total } = targetLogitGradients(model, clip.expandDims(0) as tf.Tensor5D, target);
      return { saliency: maxAbsOverChannels(grad.squeeze([0]) as tf.Tensor4D), logit: total };
    });
    const data = (await saliency.data()) as Float32Array;
    const z = (await logit.data())[0]!;
    tf.dispose([saliency, logit]);
    await reportProgress(onProgress, 1, 1);
    return { saliency: data, shape: [t, h, w], iterations: 1, finalEnergy: null, params: {}, extras: { targetLogit: z } };
  },
};

export const explain = gradient.explain;
