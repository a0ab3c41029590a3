/**
 * ONNX Conv / MaxPool / AveragePool on channels-last tensors, written with 2-D TF.js kernels only.
 *
 * TF.js wasm's Conv3D is ~70× slower than the same work as 2-D convolutions
 * (measured on TF.js 4.22), so a 3-D convolution with kernel (kt,kh,kw) on x [N,T,H,W,C]:
 *  - (kt,1,1), no spatial stride or padding: one conv2d over time, x as [N,T,H·W,C], kernel [kt,1];
 *  - otherwise: Σ_i conv2d(frames t·st + i·dt − pt of x, W[:,:,i]) — kt 2-D convolutions over the
 *    (strided, shifted) frames, each on [N·To,H,W,C]; (1,k,k) kernels are the case kt = 1.
 * Both are exact rewrites of the 3-D convolution (tested against tf.conv3d in conv.test.ts).
 * 1-D convolutions run as 2-D with a height of 1. Groups: depthwise (group = C_in) with
 * depthwiseConv2d, other groups as one convolution per group, concatenated.
 *
 * Pooling is separable: a 3-D max (or average) over a box is the max (average) over time of the
 * 2-D max (average) over each frame. Average pools are two 2-D avgPools; max pools are running
 * tf.maximum over strided slices, one axis at a time (wasm's MaxPoolGrad is wrong for negative
 * inputs, see maxPoolValid). Padding is explicit
 * (−3.4e38 for max, zeros for average) and pools run 'valid'; for average pools that exclude
 * padding (count_include_pad = 0, ONNX's default) the result is divided by the same pool of a
 * mask of real elements, so every window is divided by its own count.
 *
 * Gradients are TF.js's own (depthwiseConv2d, maxPool, avgPool, pad, slice, reshape all have them
 * on wasm) except conv2d's input gradient, which runs as forward convolutions (core/fast-conv.ts)
 * where strides are equal and there is no dilation; only input gradients are ever taken, weights
 * are constants.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dFastGrad } from '../../core/fast-conv.ts';

export interface SpatialParams {
  /** Kernel extent per spatial axis (1, 2 or 3 of them). */
  kernel: number[];
  strides: number[];
  /** ONNX order: begins of every axis, then ends. */
  pads: number[];
  dilations: number[];
}

/** Conv weights converted once to TF.js's [kh,kw,Cin/g,Cout] layout, per time tap. */
export interface PreparedConv {
  params: SpatialParams;
  group: number;
  inChannels: number;
  outChannels: number;
  /** Per time tap (1 for 1-D/2-D convs): per group, a [kh,kw,Cin/g,Cout/g] kernel; or depthwise [kh,kw,Cin,mult]. */
  taps: tf.Tensor4D[][];
  depthwise: boolean;
  /** (kt,1,1) kernels: the taps stacked as one [kt,1,Cin,Cout] kernel (group 1 only). */
  temporal: tf.Tensor4D | null;
  bias: tf.Tensor1D | null;
  dispose(): void;
}

/**
 * W in ONNX layout [Cout, Cin/g, k...] (1 to 3 spatial axes) → PreparedConv.
 * `params.kernel` must equal W's spatial dims.
 */
export function prepareConv(w: tf.Tensor, bias: tf.Tensor | null, params: SpatialParams, group: number): PreparedConv {
  const nd = w.rank - 2;
  const [cout, cinG] = w.shape as [number, number];
  const cin = cinG * group;
  const depthwise = group > 1 && group === cin;
  const owned: tf.Tensor[] = [];
  // Prepared on first use, possibly inside the caller's tidy: keep them until dispose().
  const keep = <T extends tf.Tensor>(t: T): T => {
    owned.push(tf.keep(t));
    return t;
  };
  // Bring W to [Cout, Cin/g, kt, kh, kw] (kt = 1 for 2-D, kt = kh = 1 for 1-D).
  const w5 = tf.tidy(() => (nd === 3 ? w : nd === 2 ? w.expandDims(2) : w.expandDims(2).expandDims(2)) as tf.Tensor5D);
  const [, , kt, kh, kw] = w5.shape;
  const taps: tf.Tensor4D[][] = [];
  for (let i = 0; i < kt; i++) {
    const tap = tf.tidy(() => w5.slice([0, 0, i, 0, 0], [cout, cinG, 1, kh, kw]).reshape([cout, cinG, kh, kw]));
    if (depthwise) {
      const mult = cout / cin;
      // ONNX output channel c·mult + m ↔ depthwise filter [.., c, m] (TF.js orders outputs the same way).
      taps.push([keep(tf.tidy(() => tap.reshape([cin, mult, kh, kw]).transpose([2, 3, 0, 1]) as tf.Tensor4D))]);
    } else {
      const coutG = cout / group;
      const groups: tf.Tensor4D[] = [];
      for (let g = 0; g < group; g++) {
        groups.push(keep(tf.tidy(() => tap.slice([g * coutG, 0, 0, 0], [coutG, cinG, kh, kw]).transpose([2, 3, 1, 0]) as tf.Tensor4D)));
      }
      taps.push(groups);
    }
    tap.dispose();
  }
  let temporal: tf.Tensor4D | null = null;
  if (nd === 3 && group === 1 && kt > 1 && kh === 1 && kw === 1) {
    temporal = keep(tf.tidy(() => tf.stack(taps.map((g) => g[0]!)).reshape([kt, 1, cin, cout]) as tf.Tensor4D));
  }
  if (w5 !== w) w5.dispose();
  const b = bias ? keep(bias.reshape([cout]) as tf.Tensor1D) : null;
  return {
    params,
    group,
    inChannels: cin,
    outChannels: cout,
    taps,
    depthwise,
    temporal,
    bias: b,
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}

type Pad2 = [[number, number], [number, number], [number, number], [number, number]];

/**
 * depthwiseConv2d with an input gradient the wasm backend can run: it registers no
 * DepthwiseConv2dNativeBackpropInput. For stride 1 the input gradient of a depthwise conv is
 * the depthwise conv of dy with the spatially flipped filter (one per channel multiplier), padded
 * by d·(k−1) − p on each side; strided depthwise convs run as one conv2d per channel instead
 * (conv2d's input gradient exists on wasm).
 */
function depthwise(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], pad: Pad2, dil: [number, number]): tf.Tensor4D {
  const [kh, kw, c, mult] = filter.shape;
  const back: Pad2 = [[0, 0], [dil[0] * (kh - 1) - pad[1][0], dil[0] * (kh - 1) - pad[1][1]], [dil[1] * (kw - 1) - pad[2][0], dil[1] * (kw - 1) - pad[2][1]], [0, 0]];
  if (strides[0] !== 1 || strides[1] !== 1 || back.some(([a, b]) => a < 0 || b < 0)) {
    const perChannel = Array.from({ length: c }, (_, ch) => filter.slice([0, 0, ch, 0], [kh, kw, 1, mult]) as tf.Tensor4D);
    return conv2dGroups(x, perChannel, false, strides, pad, dil);
  }
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([wi]);
    return {
      value: tf.depthwiseConv2d(xi, wi, 1, pad as unknown as 'valid', 'NHWC', dil),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const w = saved[0] as tf.Tensor4D;
        const g = dy as tf.Tensor4D;
        const dx = tf.tidy(() => {
          const flipped = tf.reverse(w, [0, 1]);
          const gm = g.reshape([g.shape[0], g.shape[1], g.shape[2], c, mult]);
          const parts = Array.from({ length: mult }, (_, m) =>
            tf.depthwiseConv2d(
              gm.slice([0, 0, 0, 0, m], [-1, -1, -1, -1, 1]).reshape([g.shape[0], g.shape[1], g.shape[2], c]) as tf.Tensor4D,
              flipped.slice([0, 0, 0, m], [kh, kw, c, 1]) as tf.Tensor4D,
              1,
              back as unknown as 'valid',
              'NHWC',
              dil,
            ),
          );
          return parts.length === 1 ? parts[0]! : tf.addN(parts);
        });
        // Weights are constants here: no filter gradient.
        return [dx, tf.zerosLike(w)];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}

function conv2dGroups(x: tf.Tensor4D, tap: tf.Tensor4D[], isDepthwise: boolean, strides: [number, number], pad: Pad2, dil: [number, number]): tf.Tensor4D {
  if (isDepthwise) return depthwise(x, tap[0]!, strides, pad, dil);
  const conv = (xi: tf.Tensor4D, k: tf.Tensor4D) => conv2dPlain(xi, k, strides, pad, dil);
  if (tap.length === 1) return conv(x, tap[0]!);
  const cinG = tap[0]!.shape[2];
  const outs = tap.map((k, g) => conv(x.slice([0, 0, 0, g * cinG], [-1, -1, -1, cinG]), k));
  return tf.concat(outs, 3);
}

/**
 * conv2d whose input gradient avoids the wasm backend's slow Conv2DBackpropInput where it can
 * (core/fast-conv.ts: equal strides, no dilation); weights are constants, so no filter gradient.
 */
function conv2dPlain(x: tf.Tensor4D, k: tf.Tensor4D, strides: [number, number], pad: Pad2, dil: [number, number]): tf.Tensor4D {
  if (strides[0] === strides[1] && dil[0] === 1 && dil[1] === 1) return conv2dFastGrad(x, k, strides[0], [pad[1], pad[2]]);
  return tf.conv2d(x, k, strides, pad, 'NHWC', dil);
}

/** Output length of a conv/pool axis. */
export function outLength(len: number, k: number, s: number, p0: number, p1: number, d = 1, ceil = false): number {
  const span = d * (k - 1) + 1;
  const num = len + p0 + p1 - span;
  if (!ceil) return Math.floor(num / s) + 1;
  let out = Math.ceil(num / s) + 1;
  // The last window must start inside the input or the left padding (PyTorch's and ONNX's rule).
  if ((out - 1) * s >= len + p0) out--;
  return out;
}

/**
 * Take frames start, start+step, … (count of them) along axis 1 of x [N,T,...], with slice and
 * reshape only (both have cheap gradients), padding the end with zeros if the last group runs over.
 */
function strideFrames(x: tf.Tensor, start: number, step: number, count: number): tf.Tensor {
  const t = x.shape[1]!;
  if (step === 1) return start === 0 && count === t ? x : x.slice([0, start], [-1, count]);
  const need = start + count * step;
  const xs = need > t ? tf.pad(x, [[0, 0], [0, need - t], ...x.shape.slice(2).map(() => [0, 0] as [number, number])]) : x;
  const rest = x.shape.slice(2);
  return xs
    .slice([0, start], [-1, count * step])
    .reshape([x.shape[0]!, count, step, ...rest])
    .slice([0, 0, 0], [-1, -1, 1])
    .reshape([x.shape[0]!, count, ...rest]);
}

/** ONNX Conv on a channels-last tensor: x [N,L,C] / [N,H,W,C] / [N,T,H,W,C] → same rank, Cout last. */
export function convCl(x: tf.Tensor, c: PreparedConv): tf.Tensor {
  const nd = x.rank - 2;
  const { strides, pads, dilations } = c.params;
  const n = x.shape[0]!;
  const cin = x.shape[x.rank - 1]!;
  if (cin !== c.inChannels) throw new Error(`Conv: input has ${cin} channels, the weights expect ${c.inChannels}`);
  // Normalise to 3 spatial axes (t,h,w).
  const pick = (arr: number[], which: 't' | 'h' | 'w', dflt: number): number => {
    const idx = nd === 3 ? { t: 0, h: 1, w: 2 }[which] : nd === 2 ? { t: -1, h: 0, w: 1 }[which] : { t: -1, h: -1, w: 0 }[which];
    return idx < 0 ? dflt : arr[idx]!;
  };
  const st = pick(strides, 't', 1), sh = pick(strides, 'h', 1), sw = pick(strides, 'w', 1);
  const dt = pick(dilations, 't', 1), dh = pick(dilations, 'h', 1), dw = pick(dilations, 'w', 1);
  const begins = pads.slice(0, nd), ends = pads.slice(nd);
  const pt0 = pick(begins, 't', 0), pt1 = pick(ends, 't', 0);
  const ph0 = pick(begins, 'h', 0), ph1 = pick(ends, 'h', 0);
  const pw0 = pick(begins, 'w', 0), pw1 = pick(ends, 'w', 0);
  if ((sh > 1 || sw > 1) && (dh > 1 || dw > 1)) throw new Error('Conv: TF.js cannot combine spatial strides > 1 with dilations > 1');
  const kt = c.taps.length;
  const x5 = (nd === 3 ? x : nd === 2 ? x.expandDims(1) : x.expandDims(1).expandDims(1)) as tf.Tensor5D;
  const [, t, h, w] = x5.shape;
  const to = outLength(t, kt, st, pt0, pt1, dt);
  let y: tf.Tensor;
  if (c.temporal && sh === 1 && sw === 1 && ph0 + ph1 + pw0 + pw1 === 0) {
    // (kt,1,1): one conv2d over time with H·W as the width.
    const x4 = x5.reshape([n, t, h * w, cin]) as tf.Tensor4D;
    const out = conv2dPlain(x4, c.temporal, [st, 1], [[0, 0], [pt0, pt1], [0, 0], [0, 0]], [dt, 1]);
    y = out.reshape([n, to, h, w, c.outChannels]);
  } else {
    const xp = pt0 + pt1 > 0 ? tf.pad(x5, [[0, 0], [pt0, pt1], [0, 0], [0, 0], [0, 0]]) : x5;
    const pad: Pad2 = [[0, 0], [ph0, ph1], [pw0, pw1], [0, 0]];
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < kt; i++) {
      const frames = strideFrames(xp, i * dt, st, to).reshape([n * to, h, w, cin]) as tf.Tensor4D;
      parts.push(conv2dGroups(frames, c.taps[i]!, c.depthwise, [sh, sw], pad, [dh, dw]));
    }
    const sum = parts.length === 1 ? parts[0]! : tf.addN(parts);
    const [, ho, wo, co] = sum.shape;
    y = sum.reshape([n, to, ho, wo, co]);
  }
  if (c.bias) y = tf.add(y, c.bias);
  if (nd === 3) return y;
  return nd === 2 ? y.squeeze([1]) : y.squeeze([1, 2]);
}

export interface PoolParams extends SpatialParams {
  ceilMode: boolean;
  /** AveragePool: count padded elements in the divisor. */
  countIncludePad: boolean;
}

const MAX_PAD = -3.4e38;

/** Pad x [N, s1..sk, C] on its spatial axes; `extra` adds to the end pads (ceil_mode), always with `value`. */
function padSpatial(x: tf.Tensor, begins: number[], ends: number[], value: number): tf.Tensor {
  if (begins.every((b) => b === 0) && ends.every((e) => e === 0)) return x;
  return tf.pad(x, [[0, 0], ...begins.map((b, i) => [b, ends[i]!] as [number, number]), [0, 0]], value);
}

/** Separable 'valid' pool of x [N,T,H,W,C] (or [N,H,W,C], [N,L,C]) with the given window and strides. */
function poolValid(x: tf.Tensor, mode: 'avg', kernel: number[], strides: number[]): tf.Tensor {
  const nd = x.rank - 2;
  const op = tf.avgPool;
  const c = x.shape[x.rank - 1]!;
  const n = x.shape[0]!;
  if (nd === 1) {
    const y = op(x.expandDims(1) as tf.Tensor4D, [1, kernel[0]!], [1, strides[0]!], 'valid');
    return y.squeeze([1]);
  }
  if (nd === 2) return op(x as tf.Tensor4D, [kernel[0]!, kernel[1]!], [strides[0]!, strides[1]!], 'valid');
  const [, t, h, w] = x.shape as number[];
  const [kt, kh, kw] = kernel as [number, number, number];
  const [st, sh, sw] = strides as [number, number, number];
  let y = x;
  let ho = h!, wo = w!;
  if (kh > 1 || kw > 1 || sh > 1 || sw > 1) {
    const s = op(x.reshape([n * t!, h!, w!, c]) as tf.Tensor4D, [kh, kw], [sh, sw], 'valid');
    [, ho, wo] = s.shape as number[] as [number, number, number];
    y = s.reshape([n, t!, ho, wo, c]);
  }
  if (kt > 1 || st > 1) {
    const s = op(y.reshape([n, t!, ho * wo, c]) as tf.Tensor4D, [kt, 1], [st, 1], 'valid');
    y = s.reshape([n, s.shape[1], ho, wo, c]);
  }
  return y;
}

/** Elements start, start+step, … (count of them) along `axis`, by slice + reshape (cheap gradients). */
function strideAxis(x: tf.Tensor, axis: number, start: number, step: number, count: number): tf.Tensor {
  const shape = x.shape;
  const begin = shape.map((_, a) => (a === axis ? start : 0));
  if (step === 1) return x.slice(begin, shape.map((d, a) => (a === axis ? count : d)));
  const need = start + count * step;
  const xs = need > shape[axis]! ? tf.pad(x, shape.map((_, a) => [0, a === axis ? need - shape[axis]! : 0] as [number, number])) : x;
  const sl = xs.slice(begin, shape.map((d, a) => (a === axis ? count * step : d)));
  const split = [...shape.slice(0, axis), count, step, ...shape.slice(axis + 1)];
  return sl
    .reshape(split)
    .slice(split.map(() => 0), split.map((d, a) => (a === axis + 1 ? 1 : d)))
    .reshape(shape.map((d, a) => (a === axis ? count : d)));
}

/**
 * 'valid' max pool of x (already padded) as a running tf.maximum over the window's strided slices,
 * one spatial axis at a time. Not tf.maxPool: TF.js 4.22's wasm MaxPoolGrad starts its search at
 * FLT_MIN (see maxPoolNonOverlapping in ../layers.ts), so windows whose values are all below it —
 * any negative inputs, e.g. after tanh — get wrong gradients (measured here: off by up to 2 against
 * the cpu backend). tf.maximum's gradient picks one winner per window (the first, as PyTorch).
 */
function maxPoolValid(x: tf.Tensor, kernel: number[], strides: number[]): tf.Tensor {
  let y = x;
  kernel.forEach((k, i) => {
    const axis = i + 1;
    const s = strides[i]!;
    if (k === 1 && s === 1) return;
    const out = Math.floor((y.shape[axis]! - k) / s) + 1;
    let m = strideAxis(y, axis, 0, s, out);
    for (let j = 1; j < k; j++) m = tf.maximum(m, strideAxis(y, axis, j, s, out));
    y = m;
  });
  return y;
}

/** ONNX MaxPool / AveragePool on a channels-last tensor (1 to 3 spatial axes). */
export function poolCl(x: tf.Tensor, mode: 'max' | 'avg', p: PoolParams): tf.Tensor {
  const nd = x.rank - 2;
  if (p.dilations.some((d) => d !== 1)) throw new Error('pooling with dilations > 1 is not supported');
  const spatial = x.shape.slice(1, 1 + nd);
  const begins = p.pads.slice(0, nd);
  const ends = p.pads.slice(nd);
  // ceil_mode: pad the end so that the last (partial) window exists.
  const extra = spatial.map((len, i) => {
    const out = outLength(len, p.kernel[i]!, p.strides[i]!, begins[i]!, ends[i]!, 1, p.ceilMode);
    return Math.max(0, (out - 1) * p.strides[i]! + p.kernel[i]! - (len + begins[i]! + ends[i]!));
  });
  const endsX = ends.map((e, i) => e + extra[i]!);
  if (mode === 'max') return maxPoolValid(padSpatial(x, begins, endsX, MAX_PAD), p.kernel, p.strides);
  const avg = poolValid(padSpatial(x, begins, endsX, 0), 'avg', p.kernel, p.strides);
  const padded = begins.some((b) => b > 0) || endsX.some((e) => e > 0);
  if (!padded || (p.countIncludePad && extra.every((e) => e === 0))) return avg;
  // Divide each window by its own count of counted elements: pool a mask the same way.
  const frac = tf.tidy(() => {
    const ones = tf.ones([1, ...spatial, 1]);
    const mask = p.countIncludePad ? padSpatial(padSpatial(ones, begins, ends, 1), begins.map(() => 0), extra, 0) : padSpatial(ones, begins, endsX, 0);
    return poolValid(mask, 'avg', p.kernel, p.strides);
  });
  return tf.div(avg, frac);
}
