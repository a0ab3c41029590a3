/**
 * Input preprocessing shared by the loader and the training script, so that training and
 * inference apply exactly the same transform: [0,1] clips in NTHWC → the model's value range,
 * per-channel (x − mean) / std, and the model's layout.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, hasHeapViews, readView } from '../core/heap-io.ts';
import type { ModelInputSpec } from '../methods/types.ts';

/**
 * (x − mean[c]) · invStd[c] over the last axis, as one pass over zero-copy views of the wasm heap,
 * with its gradient dy · invStd[c]. Bit-identical to `tf.mul(tf.sub(x, mean), invStd)` (each step
 * is rounded to float32 exactly as the element-wise kernels do); on wasm those two broadcasting
 * kernels cost ~30 ms for a batch of 8 clips of 16×112×112×3 (more than the shipped network's
 * whole forward pass), this ~5 ms.
 */
function normaliseChannels(x: tf.Tensor, mean: Float32Array, invStd: Float32Array): tf.Tensor {
  const c = mean.length;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const n = input.size;
    const out = allocOutput(input.shape);
    const xv = readView(input);
    const y = out.view();
    if (c === 3) {
      // RGB, unrolled (the generic loop is ~2× slower in V8).
      const [m0, m1, m2] = [mean[0]!, mean[1]!, mean[2]!];
      const [s0, s1, s2] = [invStd[0]!, invStd[1]!, invStd[2]!];
      for (let i = 0; i < n; i += 3) {
        y[i] = Math.fround(xv[i]! - m0) * s0;
        y[i + 1] = Math.fround(xv[i + 1]! - m1) * s1;
        y[i + 2] = Math.fround(xv[i + 2]! - m2) * s2;
      }
    } else {
      for (let i = 0; i < n; i += c)
        for (let ch = 0; ch < c; ch++) y[i + ch] = Math.fround(xv[i + ch]! - mean[ch]!) * invStd[ch]!;
    }
    const gradFunc = (dy: tf.Tensor) => {
      const g = allocOutput(dy.shape);
      const dv = readView(dy);
      const gv = g.view();
      if (c === 3) {
        const [s0, s1, s2] = [invStd[0]!, invStd[1]!, invStd[2]!];
        for (let i = 0; i < n; i += 3) {
          gv[i] = dv[i]! * s0;
          gv[i + 1] = dv[i + 1]! * s1;
          gv[i + 2] = dv[i + 2]! * s2;
        }
      } else {
        for (let i = 0; i < n; i += c) for (let ch = 0; ch < c; ch++) gv[i + ch] = dv[i + ch]! * invStd[ch]!;
      }
      return [g.tensor()];
    };
    return { value: out.tensor(), gradFunc };
  });
  return f(x);
}

/** clips [N,T,H,W,C] in [0,1] → the tensor the network expects (differentiable). */
export function preprocessClips(clips: tf.Tensor5D, spec: ModelInputSpec): tf.Tensor5D {
  return tf.tidy(() => {
    const [lo, hi] = spec.valueRange;
    let x: tf.Tensor = clips;
    if (lo !== 0 || hi !== 1) x = tf.add(tf.mul(x, hi - lo), lo);
    const c = x.shape[x.rank - 1]!;
    if (hasHeapViews() && x.dtype === 'float32' && spec.mean.length === c && spec.std.length === c) {
      // Same float32 values as the tensor ops below: fround(mean), fround(1 / fround(std)).
      const mean = Float32Array.from(spec.mean);
      const invStd = Float32Array.from(Float32Array.from(spec.std), (s) => 1 / s);
      x = normaliseChannels(x, mean, invStd);
    } else {
      const mean = tf.tensor1d(spec.mean);
      const invStd = tf.div(1, tf.tensor1d(spec.std));
      x = tf.mul(tf.sub(x, mean), invStd);
    }
    if (spec.layout === 'NCTHW') x = tf.transpose(x, [0, 4, 1, 2, 3]);
    return x as tf.Tensor5D;
  });
}
