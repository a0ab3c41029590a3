/**
 * Area regulariser of Extremal Perturbations (Fong et al., ICCV 2019; TorchRay):
 *
 *   R_a(m) = (1/N) Σ_i (sort(m)_i − r_i)²,  r = [0 … 0 (⌊(1−a)N⌋ times), 1 … 1]
 *
 * i.e. the sorted mask is pulled towards a vector with exactly a fraction `a` of ones. For video the
 * sort runs over the whole mask volume [T, outH, outW] (Li et al., WACV 2021), so the area budget
 * can move between frames.
 *
 * TF.js cannot differentiate through `TopK`/sorting (ENVIRONMENT.md), so this is a
 * `tf.customGrad`: the value uses the identity Σ (sort(m) − r)² = Σ m² − 2·(sum of the k largest) + k
 * with k = N − ⌊(1−a)N⌋, and the gradient is 2/N · (m − r(m)) where r(m) is the reference value at
 * each element's rank: 1 above the k-th largest value τ, 0 below, and for elements tied with τ the
 * fraction of the remaining ones shared equally (the average of the gradients over all sort orders
 * of the ties, so the result does not depend on an arbitrary tie break).
 */
import * as tf from '@tensorflow/tfjs';

export interface AreaStats {
  /** k-th largest value (the rank threshold), +∞ when k = 0. */
  threshold: number;
  /** Reference assigned to elements equal to the threshold. */
  tieShare: number;
  /** Loss value R_a. */
  loss: number;
}

/** Reference computation on one mask (exposed for tests). */
export function areaStats(values: ArrayLike<number>, area: number): AreaStats {
  const n = values.length;
  if (!(area >= 0 && area <= 1)) throw new RangeError(`area must be in [0,1], got ${area}`);
  const sorted = Float64Array.from(values).sort();
  const zeros = Math.floor((1 - area) * n);
  const k = n - zeros;
  let sumSq = 0;
  for (let i = 0; i < n; i++) sumSq += sorted[i]! * sorted[i]!;
  let topSum = 0;
  for (let i = zeros; i < n; i++) topSum += sorted[i]!;
  const loss = (sumSq - 2 * topSum + k) / n;
  if (k === 0) return { threshold: Infinity, tieShare: 0, loss };
  const threshold = sorted[zeros]!;
  let gt = 0;
  let eq = 0;
  for (let i = 0; i < n; i++) {
    if (sorted[i]! > threshold) gt++;
    else if (sorted[i] === threshold) eq++;
  }
  return { threshold, tieShare: (k - gt) / eq, loss };
}

/**
 * masks [A, N] (one flattened mask volume per area) → losses [A] (mean over N, not yet multiplied by
 * the regularisation weight). Differentiable with respect to `masks`.
 */
export function areaLoss(masks: tf.Tensor2D, areas: readonly number[]): tf.Tensor1D {
  const [a, n] = masks.shape;
  if (areas.length !== a) throw new RangeError(`Got ${areas.length} areas for ${a} masks`);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const m = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const data = m.dataSync();
    const thresholds = new Float32Array(a);
    const shares = new Float32Array(a);
    const losses = new Float32Array(a);
    for (let i = 0; i < a; i++) {
      const s = areaStats(data.subarray(i * n, (i + 1) * n), areas[i]!);
      // Float32 threshold compares exactly with the float32 mask values (they came from float32).
      thresholds[i] = s.threshold;
      shares[i] = s.tieShare;
      losses[i] = s.loss;
    }
    const tau = tf.tensor2d(thresholds, [a, 1]);
    const share = tf.tensor2d(shares, [a, 1]);
    save([m, tau, share]);
    const value = tf.tensor1d(losses);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sm, st, ss] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      return [
        tf.tidy(() => {
          const ref = tf.add(tf.cast(tf.greater(sm, st), 'float32'), tf.mul(tf.cast(tf.equal(sm, st), 'float32'), ss));
          return tf.mul(tf.mul(dy.reshape([a, 1]), 2 / n), tf.sub(sm, ref));
        }),
      ];
    };
    return { value, gradFunc };
  });
  return f(masks) as tf.Tensor1D;
}
