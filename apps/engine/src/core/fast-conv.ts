/**
 * conv2d with a fast input gradient, for models whose convolutions are not already written that way.
 *
 * The wasm backend's `Conv2DBackpropInput` is ~10× slower than a forward conv2d (XNNPACK) computing
 * the same numbers (measured: 118 ms → 11 ms for a 16×56×56×16→32 3×3 layer).
 * The input gradient of a convolution is itself a convolution of the output gradient with the
 * spatially flipped kernel, in/out channels swapped:
 *  - stride 1: one conv2d of dy zero-padded by (k − 1) on each side ('full' correlation), cropped
 *    by the forward padding;
 *  - stride s: instead of inserting s − 1 zeros between the dy values (s² times the work), the
 *    kernel is split into s² sub-kernels W[ry::s, rx::s]; sub-kernel (ry, rx) produces the input
 *    positions ≡ (ry, rx) mod s with a stride-1 conv2d, and `depthToSpace` interleaves them
 *    (the same work as the forward pass, not s² times it).
 * The kernel is treated as a constant (explanations need ∂/∂input only; no weight gradient).
 * The src/model (2+1)D layers already use the stride-1 case (model/layers.ts `conv2dSame`); this
 * module covers any stride, padding ('same', 'valid' or explicit) and kernel size.
 */
import * as tf from '@tensorflow/tfjs';

export type ConvPadding = 'same' | 'valid' | [[number, number], [number, number]];

/** TF's padding amounts [before, after] per spatial axis for input n, kernel k, stride s. */
export function explicitPadding(n: number, k: number, s: number, padding: 'same' | 'valid'): [number, number] {
  if (padding === 'valid') return [0, 0];
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * ∂L/∂x of y = conv2d(x, w, stride, padding) given dy, with forward convolutions only.
 * x shape [B, H, W, Ci]; w [kh, kw, Ci, Co]; dy [B, Ho, Wo, Co].
 */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  xShape: [number, number, number, number],
  stride: number,
  padding: ConvPadding,
): tf.Tensor4D {
  const [b, h, wd, ci] = xShape;
  const [kh, kw] = w.shape;
  const [ph, pw] = Array.isArray(padding)
    ? padding
    : [explicitPadding(h, kh, stride, padding), explicitPadding(wd, kw, stride, padding)];
  const hp = h + ph[0] + ph[1];
  const wp = wd + pw[0] + pw[1];

  return tf.tidy(() => {
    let dxp: tf.Tensor4D;
    if (stride === 1) {
      // Flipped kernel with in/out swapped: [kh, kw, Co, Ci].
      const wf = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const padded = tf.pad(dy, [[0, 0], [kh - 1, kh - 1], [kw - 1, kw - 1], [0, 0]]);
      dxp = tf.conv2d(padded, wf, 1, 'valid'); // [B, ho + kh − 1, wo + kw − 1, Ci]
    } else {
      const s = stride;
      const qh = Math.ceil(hp / s);
      const qw = Math.ceil(wp / s);
      const parts: tf.Tensor4D[] = [];
      for (let ry = 0; ry < s; ry++)
        for (let rx = 0; rx < s; rx++) {
          const khr = Math.max(0, Math.ceil((kh - ry) / s));
          const kwr = Math.max(0, Math.ceil((kw - rx) / s));
          if (khr === 0 || kwr === 0) {
            parts.push(tf.zeros([b, qh, qw, ci]));
            continue;
          }
          // Sub-kernel W[ry + m·s, rx + n·s], flipped, in/out swapped: [khr, kwr, Co, Ci].
          const rows = Array.from({ length: khr }, (_, m) => ry + m * s);
          const cols = Array.from({ length: kwr }, (_, n) => rx + n * s);
          const sub = tf.gather(tf.gather(w, rows, 0), cols, 1) as tf.Tensor4D;
          const wf = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
          const padded = tf.pad(dy, [[0, 0], [khr - 1, khr - 1], [kwr - 1, kwr - 1], [0, 0]]);
          let part = tf.conv2d(padded, wf, 1, 'valid'); // q ∈ [0, ho + khr − 1)
          const [, hq, wq] = part.shape;
          // Fit to [qh, qw]: crop or pad with zeros (positions no output reaches).
          part = tf.slice(part, [0, 0, 0, 0], [b, Math.min(hq, qh), Math.min(wq, qw), ci]);
          if (hq < qh || wq < qw) part = tf.pad(part, [[0, 0], [0, Math.max(0, qh - hq)], [0, Math.max(0, qw - wq)], [0, 0]]);
          parts.push(part);
        }
      // depthToSpace: channel block (ry·s + rx) goes to position (q·s + ry, q·s + rx).
      dxp = tf.depthToSpace(tf.concat(parts, 3) as tf.Tensor4D, s);
    }
    // dxp covers padded positions [0, …); crop the forward padding and the unused tail.
    const covered = [dxp.shape[1], dxp.shape[2]];
    let out = tf.slice(dxp, [0, ph[0], pw[0], 0], [b, Math.min(h, covered[0]! - ph[0]), Math.min(wd, covered[1]! - pw[0]), ci]);
    if (out.shape[1] < h || out.shape[2] < wd) out = tf.pad(out, [[0, 0], [0, h - out.shape[1]], [0, wd - out.shape[2]], [0, 0]]);
    return out as tf.Tensor4D;
  });
}

/**
 * conv2d(x, kernel, stride, padding) with a fast gradient w.r.t. x; the kernel is a constant (its
 * gradient is zero). Measured on wasm (bench/conv-grad-ab.ts, [16,56,56,16]→32, 3×3, fwd+bwd, loaded
 * 2-core machine): stride 1 — TF.js's own 731 ms, `conv2dInputGrad` 278 ms; stride 2 — TF.js's own
 * 178 ms, the sub-kernel path 250 ms (the output gradient is 4× smaller, so Conv2DBackpropInput is
 * cheap and the s² small convolutions + depthToSpace cost more). So stride 1 uses
 * `conv2dInputGrad` and larger strides TF.js's own `conv2dTranspose` (the same numbers).
 */
export function conv2dFastGrad(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number, padding: ConvPadding): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([wi]);
    const pad = Array.isArray(padding) ? [[0, 0], padding[0], padding[1], [0, 0]] as [number, number][] : null;
    const value = pad ? tf.conv2d(tf.pad(xi, pad), wi, stride, 'valid') : tf.conv2d(xi, wi, stride, padding as 'same' | 'valid');
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const ws = saved[0] as tf.Tensor4D;
        const g = dy as tf.Tensor4D;
        if (stride === 1) return [conv2dInputGrad(g, ws, xi.shape, stride, padding), tf.zerosLike(ws)];
        if (!Array.isArray(padding)) return [tf.conv2dTranspose(g, ws, xi.shape, stride, padding), tf.zerosLike(ws)];
        // Explicit padding: gradient w.r.t. the padded input, then crop.
        const [b, h, w, c] = xi.shape;
        const padded: [number, number, number, number] = [b, h + padding[0][0] + padding[0][1], w + padding[1][0] + padding[1][1], c];
        const gp = tf.conv2dTranspose(g, ws, padded, stride, 'valid');
        return [tf.slice(gp, [0, padding[0][0], padding[1][0], 0], [b, h, w, c]), tf.zerosLike(ws)];
      },
    };
  });
  return f(x, kernel) as tf.Tensor4D;
}
