/**
 * Area regulariser of Extremal Perturbations (Fong et al., ICCV 2019; TorchRay):
 *
 *   R_a(m) = (1/N) Σ_i (sort(m)_i − r_i)²,  r = [0 … 0 (⌊(1−a)N⌋ times), 1 … 1]
 *
 * i.e. the sorted mask is pulled towards a vector with exactly a fraction `a` of ones. For video the
 * sort runs over the whole mask volume [T, outH, outW] (Li et al., WACV 2021), so the area budget
 * can move between frames.
 *
 * TF.js 4.22 has no gradient for `TopK` (nor `Equal`) and refuses a graph containing them, so this is a
 * `tf.customGrad`: the value uses the identity Σ (sort(m) − r)² = Σ m² − 2·(sum of the k largest) + k
 * with k = N − ⌊(1−a)N⌋, and the gradient is 2/N · (m − r(m)) where r(m) is the reference value at
 * each element's rank: 1 above the k-th largest value τ, 0 below, and for elements tied with τ the
 * fraction of the remaining ones shared equally (the average of the gradients over all sort orders
 * of the ties, so the result does not depend on an arbitrary tie break).
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, readView } from './heap-io.ts';

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

/** k-th largest of `values` (1 ≤ k ≤ n) by quickselect on a scratch copy: O(n) instead of a sort. */
function kthLargest(values: Float32Array, k: number, scratch: Float32Array): number {
  scratch.set(values);
  // Index of the k-th largest in ascending order.
  const target = values.length - k;
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    // Median of three as the pivot.
    const mid = (lo + hi) >>> 1;
    const a = scratch[lo]!;
    const b = scratch[mid]!;
    const c = scratch[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i]! < pivot) i++;
      while (scratch[j]! > pivot) j--;
      if (i <= j) {
        const t = scratch[i]!;
        scratch[i] = scratch[j]!;
        scratch[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return scratch[target]!;
}

/**
 * Same statistics as `areaStats` in O(N) (quickselect for the threshold, one pass for the sums),
 * plus the reference value of every element (1 above the threshold, the tie share at it, 0 below)
 * written into `ref`. Used by `areaLoss` on every iteration.
 */
export function areaStatsFast(values: Float32Array, area: number, ref: Float32Array, scratch: Float32Array): AreaStats {
  const n = values.length;
  if (!(area >= 0 && area <= 1)) throw new RangeError(`area must be in [0,1], got ${area}`);
  const zeros = Math.floor((1 - area) * n);
  const k = n - zeros;
  let sumSq = 0;
  for (let i = 0; i < n; i++) sumSq += values[i]! * values[i]!;
  if (k === 0) {
    ref.fill(0);
    return { threshold: Infinity, tieShare: 0, loss: sumSq / n };
  }
  const threshold = kthLargest(values, k, scratch);
  let gt = 0;
  let eq = 0;
  let sumGt = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v > threshold) {
      gt++;
      sumGt += v;
    } else if (v === threshold) eq++;
  }
  const tieShare = (k - gt) / eq;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    ref[i] = v > threshold ? 1 : v === threshold ? tieShare : 0;
  }
  // Σ of the k largest = Σ_{v>τ} v + (k − gt)·τ.
  const topSum = sumGt + (k - gt) * threshold;
  return { threshold, tieShare, loss: (sumSq - 2 * topSum + k) / n };
}

/**
 * masks [A, N] (one flattened mask volume per area) → losses [A] (mean over N, not yet multiplied by
 * the regularisation weight). Differentiable with respect to `masks`.
 *
 * The forward reads the masks once (N floats per area), finds the threshold by quickselect and
 * builds the reference r(m) on the CPU; the gradient is one JavaScript pass (no upload of r).
 * (Measured at 16×112×112: the previous full sort + comparison ops on wasm cost ~0.2 s per
 * iteration, this ~15–30 ms.)
 */
export function areaLoss(masks: tf.Tensor2D, areas: readonly number[]): tf.Tensor1D {
  const [a, n] = masks.shape;
  if (areas.length !== a) throw new RangeError(`Got ${areas.length} areas for ${a} masks`);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const m = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    // A zero-copy view on wasm (read before any tensor is allocated; core/heap-io.ts).
    const data = readView(m);
    const ref = new Float32Array(a * n);
    const scratch = new Float32Array(n);
    const losses = new Float32Array(a);
    for (let i = 0; i < a; i++) {
      losses[i] = areaStatsFast(data.subarray(i * n, (i + 1) * n), areas[i]!, ref.subarray(i * n, (i + 1) * n), scratch).loss;
    }
    save([m]);
    const value = tf.tensor1d(losses);
    // 2/N · dy · (m − r), one pass in JavaScript with the rounding of the tensor ops it replaces,
    // tf.mul(tf.mul(dy, 2/N), tf.sub(m, r)): each product and difference rounded to float32.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const scale = Math.fround(2 / n);
      const d = dy.dataSync();
      const g = allocOutput([a, n]);
      const mv = readView(saved[0]!);
      const gv = g.view();
      for (let i = 0; i < a; i++) {
        const t = Math.fround(d[i]! * scale);
        for (let j = i * n; j < (i + 1) * n; j++) gv[j] = t * Math.fround(mv[j]! - ref[j]!);
      }
      return [g.tensor()];
    };
    return { value, gradFunc };
  });
  return f(masks) as tf.Tensor1D;
}
