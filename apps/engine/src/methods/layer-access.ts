/**
 * `LayerActivationAccess` (methods/gradcam.ts) for a classifier backed by a sequential-chain
 * TF.js LayersModel (each layer feeds the next, as in the engine's (2+1)D models): runs the layers
 * one by one, exposing and optionally editing the output of the named layer.
 *
 * Integration: src/model/load-model.ts can attach it to its classifier for layers-models with
 *   `Object.assign(classifier, layerAccessFor(model, (x) => preprocessClips(x, spec)))`
 * (not done here: src/model is owned by the model engineer); until then `gradcam` reports
 * GradCamUnsupportedError for the built-in model.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerActivationAccess } from './gradcam.ts';

export function isSequentialChain(model: tf.LayersModel): boolean {
  const layers = model.layers;
  for (let i = 1; i < layers.length; i++) {
    const inbound = layers[i]!.inboundNodes;
    if (inbound.length !== 1) return false;
    const from = inbound[0]!.inboundLayers;
    if (from.length !== 1 || from[0] !== layers[i - 1]) return false;
  }
  return true;
}

export function layerAccessFor(model: tf.LayersModel, preprocess: (clips: tf.Tensor5D) => tf.Tensor): LayerActivationAccess {
  if (!isSequentialChain(model)) throw new Error(`${model.name}: layer access needs a sequential chain of layers`);
  const layers = model.layers.slice(model.layers[0]!.getClassName() === 'InputLayer' ? 1 : 0);
  const videoLayers = layers.filter((l) => {
    const shape = l.outputShape as (number | null)[];
    return Array.isArray(shape) && shape.length === 5;
  });
  return {
    activationLayerNames: () => videoLayers.map((l) => l.name),
    logitsWithActivation(clips, layer, edit) {
      if (!videoLayers.some((l) => l.name === layer)) throw new Error(`unknown layer ${layer}`);
      return tf.tidy(() => {
        let x = preprocess(clips);
        let activation: tf.Tensor5D | null = null;
        for (const l of layers) {
          x = l.apply(x) as tf.Tensor;
          if (l.name === layer) {
            activation = x as tf.Tensor5D;
            if (edit) x = edit(activation);
          }
        }
        return { logits: x as tf.Tensor2D, activation: activation! };
      });
    },
  };
}
