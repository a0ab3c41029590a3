/**
 * Input preprocessing shared by the loader and the training script, so that training and
 * inference apply exactly the same transform: [0,1] clips in NTHWC → the model's value range,
 * per-channel (x − mean) / std, and the model's layout.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelInputSpec } from '../methods/types.ts';

/** clips [N,T,H,W,C] in [0,1] → the tensor the network expects (differentiable). */
export function preprocessClips(clips: tf.Tensor5D, spec: ModelInputSpec): tf.Tensor5D {
  return tf.tidy(() => {
    const [lo, hi] = spec.valueRange;
    let x: tf.Tensor = clips;
    if (lo !== 0 || hi !== 1) x = tf.add(tf.mul(x, hi - lo), lo);
    const mean = tf.tensor1d(spec.mean);
    const invStd = tf.div(1, tf.tensor1d(spec.std));
    x = tf.mul(tf.sub(x, mean), invStd);
    if (spec.layout === 'NCTHW') x = tf.transpose(x, [0, 4, 1, 2, 3]);
    return x as tf.Tensor5D;
  });
}
