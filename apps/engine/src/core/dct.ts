/**
 * Orthonormal DCT-II and its inverse (DCT-III) as matrices, and a separable 3-D DCT over the last
 * three axes of a tensor ([..., T, H', W']) computed with plain matrix products.
 *
 * DCT-II (orthonormal, "norm='ortho'" in SciPy):
 *   X_k = α_k Σ_{i=0}^{n-1} x_i cos(π (2i+1) k / (2n)),  α_0 = √(1/n), α_k = √(2/n) for k > 0.
 * The matrix C[k,i] is orthogonal, so DCT-III (the inverse) is Cᵀ.
 *
 * F-EP (Lin et al., BMVC 2021) filters the gradient of the mask parameters in this domain.
 */
import * as tf from '@tensorflow/tfjs';

/** Row-major n×n orthonormal DCT-II matrix C (C[k*n+i]). Computed in float64, returned as float32. */
export function dctMatrix(n: number): Float32Array {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`DCT size must be a positive integer, got ${n}`);
  const m = new Float32Array(n * n);
  for (let k = 0; k < n; k++) {
    const alpha = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) m[k * n + i] = alpha * Math.cos((Math.PI * (2 * i + 1) * k) / (2 * n));
  }
  return m;
}

/**
 * Separable 3-D DCT over the last three axes. Holds its three matrices as tensors: call `dispose()`.
 * Each 1-D transform multiplies the last axis by Cᵀ (forward) or C (inverse) and then rotates the
 * last three axes ([a,b,c] → [c,a,b]); three rotations bring the layout back.
 */
export class Dct3d {
  readonly shape: readonly [number, number, number];
  private readonly mats: [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];

  constructor(shape: readonly [number, number, number]) {
    this.shape = shape;
    this.mats = shape.map((n) => tf.tensor2d(dctMatrix(n), [n, n])) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  }

  /** DCT-II along each of the last three axes. */
  forward<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
    return this.apply(x, false);
  }

  /** DCT-III (inverse of `forward`). */
  inverse<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
    return this.apply(x, true);
  }

  private apply<R extends tf.Rank>(x: tf.Tensor<R>, inverse: boolean): tf.Tensor<R> {
    const rank = x.rank;
    if (rank < 3) throw new RangeError(`Dct3d needs rank ≥ 3, got ${rank}`);
    const [t, h, w] = x.shape.slice(-3) as [number, number, number];
    if (t !== this.shape[0] || h !== this.shape[1] || w !== this.shape[2]) {
      throw new RangeError(`Dct3d built for [${this.shape.join(',')}], got [...,${t},${h},${w}]`);
    }
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -3);
      const leadAxes = lead.map((_, i) => i);
      const a = rank - 3;
      // Rotation [.., A, B, C] → [.., C, A, B].
      const perm = [...leadAxes, a + 2, a, a + 1];
      let y: tf.Tensor = x;
      // Axis order processed: W (matrix index 2), then H (1), then T (0).
      for (const axis of [2, 1, 0] as const) {
        const mat = this.mats[axis];
        const n = this.shape[axis];
        const shp = y.shape;
        // forward: y · Cᵀ ; inverse: y · C
        const flat = tf.matMul(y.reshape([-1, n]), mat, false, !inverse);
        y = flat.reshape(shp).transpose(perm);
      }
      return y as tf.Tensor<R>;
    });
  }

  dispose(): void {
    for (const m of this.mats) m.dispose();
  }
}
