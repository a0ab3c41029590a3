/**
 * Custom TF.js layers for the (2+1)D video classifier, written with 2-D convolutions only.
 *
 * R(2+1)D (Tran et al., "A Closer Look at Spatiotemporal Convolutions for Action Recognition",
 * CVPR 2018) factorises a t×k×k 3-D convolution into a 1×k×k spatial convolution followed by a
 * t×1×1 temporal one. On TF.js's wasm backend Conv3D is ~70× slower than the same network written
 * as 2-D convolutions (measured on TF.js 4.22's wasm backend), so here:
 *  - spatial conv: [N,T,H,W,C] → [N·T,H,W,C] → conv2d k×k → [N,T,H,W,F];
 *  - temporal conv: [N,T,H,W,C] → [N,T,H·W,C] → conv2d kt×1 → [N,T,H,W,F].
 *
 * Gradients. The wasm backend registers no Conv2DBackpropFilter kernel, and its
 * Conv2DBackpropInput is ~10× slower than the equivalent forward conv2d (measured). Every
 * convolution here is stride 1 with 'same' padding and an odd kernel, so both gradients are
 * written by hand in a `tf.customGrad`:
 *  - ∂L/∂x = conv2d(dy, W̃) with W̃ the spatially flipped kernel with in/out channels swapped
 *    (the transposed convolution of a stride-1 'same' conv, exactly);
 *  - ∂L/∂W as a forward conv2d of the padded input (batch axis as channels) with dy as the filter.
 * When a layer is not trainable (`layer.trainable = false`, set by the loader), the weight gradient
 * is skipped entirely, so explanation methods that differentiate w.r.t. the input pay only for ∂x.
 *
 * Downsampling is done by pooling (AvgPool/MaxPool have wasm gradient kernels), not by strided
 * convolutions, which keeps the gradients above exact and fast.
 *
 * Importing this module registers the classes with `tf.serialization.registerClass`, which
 * `loadModel` relies on to deserialise model.json.
 */
import * as tf from '@tensorflow/tfjs';
import { allocOutput, hasHeapViews, readView } from '../core/heap-io.ts';

type Activation = 'relu' | 'linear';

/** Transposed kernel for the input gradient of a stride-1 'same' conv with an odd kernel. */
function flipKernel(w: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]));
}

/**
 * ∂L/∂W of conv2d(x, W, stride 1, 'same'):
 *   dW[i,j,ci,co] = Σ_{b,y,x} x_pad[b, y+i, x+j, ci] · dy[b, y, x, co],
 * computed as one forward conv2d (XNNPACK) with the batch axis as channels: input
 * x_padᵀ [Ci, H+kh-1, W+kw-1, B], filter dyᵀ [H, W, B, Co], 'valid' → [Ci, kh, kw, Co].
 * Measured on wasm: 40 ms vs 210 ms for im2col + matMul (transposeA) for a [64,28,28,16]→32 conv.
 */
function kernelGrad(x: tf.Tensor4D, dy: tf.Tensor4D, kh: number, kw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const ph = (kh - 1) / 2;
    const pw = (kw - 1) / 2;
    const xp = ph > 0 || pw > 0 ? tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]]) : x;
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const f = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    return tf.transpose(tf.conv2d(xt, f, 1, 'valid'), [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * conv2d, stride 1, 'same' padding, odd kernel, with hand-written gradients (see module doc).
 * `withKernelGrad=false` returns no weight gradient (the kernel is treated as a constant).
 */
export function conv2dSame(x: tf.Tensor4D, kernel: tf.Tensor4D, withKernelGrad: boolean): tf.Tensor4D {
  const [kh, kw] = kernel.shape;
  if (kh % 2 !== 1 || kw % 2 !== 1) throw new Error(`conv2dSame needs an odd kernel, got ${kh}×${kw}`);
  if (withKernelGrad) {
    const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
      save([x4, w4]);
      return {
        value: tf.conv2d(x4, w4, 1, 'same'),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          const g = dy as tf.Tensor4D;
          const wf = flipKernel(ws);
          const dx = tf.conv2d(g, wf, 1, 'same');
          wf.dispose();
          return [dx, kernelGrad(xs, g, kh, kw)];
        },
      };
    });
    return f(x, kernel) as tf.Tensor4D;
  }
  // Kernel as a constant: keep it alive via save() (closed-over tensors may be disposed by then).
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([wi]);
    return {
      value: tf.conv2d(xi, wi, 1, 'same'),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const ws = saved[0] as tf.Tensor4D;
        const wf = flipKernel(ws);
        const dx = tf.conv2d(dy as tf.Tensor4D, wf, 1, 'same');
        wf.dispose();
        return [dx, tf.zerosLike(ws)];
      },
    };
  });
  return f(x, kernel) as tf.Tensor4D;
}

function applyActivation(x: tf.Tensor, activation: Activation): tf.Tensor {
  return activation === 'relu' ? tf.relu(x) : x;
}

function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

function shape5(s: tf.Shape | tf.Shape[]): (number | null)[] {
  const shape = (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
  if (shape.length !== 5) throw new Error(`expected a 5-D input [N,T,H,W,C], got shape [${shape.join(',')}]`);
  return shape;
}

export interface FactorisedConvConfig {
  filters: number;
  kernelSize: number;
  activation?: Activation;
  name?: string;
  trainable?: boolean;
  /** Seed for the He-normal initialiser (He et al., ICCV 2015), for reproducible training. */
  seed?: number;
}

abstract class FactorisedConvBase extends tf.layers.Layer {
  protected readonly filters: number;
  protected readonly kernelSize: number;
  protected readonly activation: Activation;
  protected readonly seed: number | undefined;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(config: FactorisedConvConfig) {
    super({ name: config.name, trainable: config.trainable ?? true });
    this.filters = config.filters;
    this.kernelSize = config.kernelSize;
    this.activation = config.activation ?? 'relu';
    this.seed = config.seed;
    if (this.kernelSize % 2 !== 1) throw new Error(`${this.getClassName()}: kernelSize must be odd, got ${this.kernelSize}`);
  }

  protected abstract kernelShape(inChannels: number): [number, number, number, number];

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = shape5(inputShape);
    const c = s[4];
    if (c == null) throw new Error(`${this.getClassName()}: the channel dimension must be known`);
    this.kernel = this.addWeight(
      'kernel',
      this.kernelShape(c),
      'float32',
      tf.initializers.heNormal({ seed: this.seed }),
    );
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape5(inputShape);
    return [s[0]!, s[1]!, s[2]!, s[3]!, this.filters];
  }

  protected convolve(x4: tf.Tensor4D): tf.Tensor4D {
    if (!this.kernel || !this.bias) throw new Error(`${this.getClassName()} used before build()`);
    const y = conv2dSame(x4, this.kernel.read() as tf.Tensor4D, this.trainable);
    return tf.add(y, this.bias.read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      activation: this.activation,
    };
  }
}

/** Per-frame k×k convolution on [N,T,H,W,C] (the "(2)" of (2+1)D). */
export class SpatialConv extends FactorisedConvBase {
  static className = 'FepSpatialConv';
  protected kernelShape(c: number): [number, number, number, number] {
    return [this.kernelSize, this.kernelSize, c, this.filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      const y = this.convolve(tf.reshape(x, [n * t, h, w, c]));
      return applyActivation(tf.reshape(y, [n, t, h, w, this.filters]), this.activation);
    });
  }
}

/** kt×1 convolution over time on [N,T,H,W,C], via conv2d on [N,T,H·W,C] (the "(+1)" of (2+1)D). */
export class TemporalConv extends FactorisedConvBase {
  static className = 'FepTemporalConv';
  protected kernelShape(c: number): [number, number, number, number] {
    return [this.kernelSize, 1, c, this.filters];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      const y = this.convolve(tf.reshape(x, [n, t, h * w, c]));
      return applyActivation(tf.reshape(y, [n, t, h, w, this.filters]), this.activation);
    });
  }
}

/**
 * Non-overlapping average pooling (window = stride = [kh, kw], 'valid') of [B,H,W,C] with a direct
 * gradient: every input of a window receives dy·(1/(kh·kw)), rows and columns beyond the last full
 * window 0 — what AvgPoolGrad computes, written as one pass over zero-copy views (core/heap-io.ts).
 * Measured on wasm for the 4×4 stem pool of a [16,112,112,3] clip: AvgPoolGrad 7 ms, this ~1 ms.
 */
export function avgPoolNonOverlapping(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const [b, h, w, c] = input.shape;
    const [kh, kw] = size;
    const value = tf.avgPool(input, size, size, 'valid');
    const gradFunc = (dy: tf.Tensor) => {
      const ho = Math.floor(h / kh);
      const wo = Math.floor(w / kw);
      const out = allocOutput([b, h, w, c]);
      const g = readView(dy);
      const dx = out.view();
      const r = Math.fround(1 / (kh * kw));
      if (ho * kh !== h || wo * kw !== w) dx.fill(0);
      for (let bi = 0; bi < b; bi++)
        for (let y = 0; y < ho * kh; y++) {
          const src = ((bi * ho + Math.floor(y / kh)) * wo) * c;
          const dst = ((bi * h + y) * w) * c;
          for (let xo = 0; xo < wo; xo++)
            for (let ch = 0; ch < c; ch++) {
              const v = g[src + xo * c + ch]! * r;
              for (let j = 0; j < kw; j++) dx[dst + (xo * kw + j) * c + ch] = v;
            }
        }
      return [out.tensor()];
    };
    return { value, gradFunc };
  });
  return f(x) as tf.Tensor4D;
}

/** Smallest positive normal float32 (C++ `std::numeric_limits<float>::min()`). */
const FLT_MIN = 1.1754943508222875e-38;

/**
 * Non-overlapping max pooling (window = stride = [kh, kw], 'valid') of [B,H,W,C] with a direct
 * gradient on the wasm backend: dy of a window goes to one input, chosen exactly as TF.js 4.22's wasm
 * `MaxPoolGrad` kernel does (measured, tested against it): scanning the window row by row, the last
 * position whose value is ≥ FLT_MIN (the smallest positive normal float, the kernel's initial
 * maximum). A window with no such value (all zeros or negative) gets its gradient at flat index 0
 * of the input if it contains it, otherwise nowhere: the kernel's initial position is that index.
 * (After a ReLU, as in the shipped model, such windows hold zeros whose ReLU gradient is 0 anyway.)
 * One pass over zero-copy views instead of the kernel (~4 ms per F-EP backward for the shipped
 * model's pools). Other backends keep tf.maxPool's own gradient.
 */
export function maxPoolNonOverlapping(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  if (!hasHeapViews()) return tf.maxPool(x, size, size, 'valid');
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    save([input]);
    const [b, h, w, c] = input.shape;
    const [kh, kw] = size;
    const value = tf.maxPool(input, size, size, 'valid');
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const ho = Math.floor(h / kh);
      const wo = Math.floor(w / kw);
      const out = allocOutput([b, h, w, c]);
      const xv = readView(saved[0]!);
      const g = readView(dy);
      const dx = out.view();
      dx.fill(0);
      for (let bi = 0; bi < b; bi++)
        for (let yo = 0; yo < ho; yo++)
          for (let xo = 0; xo < wo; xo++) {
            const first = ((bi * h + yo * kh) * w + xo * kw) * c;
            const src = ((bi * ho + yo) * wo + xo) * c;
            for (let ch = 0; ch < c; ch++) {
              let best = FLT_MIN;
              // The kernel's initial position is flat index 0 of the whole input: a window without a
              // value ≥ FLT_MIN passes its gradient on only if it contains that element.
              let pos = first + ch === 0 ? 0 : -1;
              for (let i = 0; i < kh; i++)
                for (let j = 0; j < kw; j++) {
                  const at = first + (i * w + j) * c + ch;
                  const v = xv[at]!;
                  if (v >= best) {
                    best = v;
                    pos = at;
                  }
                }
              if (pos >= 0) dx[pos] = g[src + ch]!;
            }
          }
      return [out.tensor()];
    };
    return { value, gradFunc };
  });
  return f(x) as tf.Tensor4D;
}

export interface Pool2Plus1DConfig {
  /** Spatial pooling window and stride (1 = none). */
  spatial: number;
  /** Temporal pooling window and stride (1 = none). */
  temporal: number;
  mode: 'max' | 'avg';
  name?: string;
}

/** Non-overlapping spatial and/or temporal pooling on [N,T,H,W,C], as 2-D pooling. */
export class Pool2Plus1D extends tf.layers.Layer {
  static className = 'FepPool2Plus1D';
  private readonly spatial: number;
  private readonly temporal: number;
  private readonly mode: 'max' | 'avg';

  constructor(config: Pool2Plus1DConfig) {
    super({ name: config.name });
    this.spatial = config.spatial;
    this.temporal = config.temporal;
    this.mode = config.mode;
  }

  private pool(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
    return this.mode === 'max' ? maxPoolNonOverlapping(x, size) : avgPoolNonOverlapping(x, size);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape5(inputShape);
    const div = (v: number | null, k: number): number | null => (v == null ? null : Math.floor(v / k));
    return [s[0]!, div(s[1]!, this.temporal), div(s[2]!, this.spatial), div(s[3]!, this.spatial), s[4]!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = single(inputs);
      let [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      if (this.spatial > 1) {
        const y = this.pool(tf.reshape(x, [n * t, h, w, c]), [this.spatial, this.spatial]);
        [h, w] = [y.shape[1], y.shape[2]];
        x = tf.reshape(y, [n, t, h, w, c]);
      }
      if (this.temporal > 1) {
        const y = this.pool(tf.reshape(x, [n, t, h * w, c]), [this.temporal, 1]);
        t = y.shape[1];
        x = tf.reshape(y, [n, t, h, w, c]);
      }
      return x;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), spatial: this.spatial, temporal: this.temporal, mode: this.mode };
  }
}

/** Global average over T, H, W: [N,T,H,W,C] → [N,C]. The reduced axes are made last-but-none
 * via reshape to [N, T·H·W, C] and mean over axis 1. */
export class GlobalAvgPool3D extends tf.layers.Layer {
  static className = 'FepGlobalAvgPool3D';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape5(inputShape);
    return [s[0]!, s[4]!];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      return tf.mean(tf.reshape(x, [n, t * h * w, c]), 1);
    });
  }
}

/**
 * Parameter-free motion stem: [N,T,H,W,C] → [N,T,H,W,2C] = concat(x_t, x_t − x_{t−1}) with the
 * difference of the first frame set to 0. Frame differences are the classic cue for motion
 * (e.g. the "RGB difference" input of TSN, Wang et al., ECCV 2016); giving them to the network
 * explicitly removes the static appearance from half of its input, which lets a small network
 * trained from scratch on little data find the moving object.
 */
export class TemporalDiff extends tf.layers.Layer {
  static className = 'FepTemporalDiff';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape5(inputShape);
    return [s[0]!, s[1]!, s[2]!, s[3]!, s[4] == null ? null : 2 * s[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      const diff = tf.sub(tf.slice(x, [0, 1], [n, t - 1]), tf.slice(x, [0, 0], [n, t - 1]));
      const padded = tf.concat([tf.zeros([n, 1, h, w, c]), diff], 1);
      return tf.concat([x, padded], 4);
    });
  }
}

/**
 * Global average and max over T, H, W, concatenated: [N,T,H,W,C] → [N,2C]. The max half routes
 * the gradient to the strongest response (the moving target) instead of spreading it over every
 * background position, which is what lets training leave the chance plateau on SynthActions
 * (measured: with average pooling alone the loss stayed at chance for 180 steps).
 */
export class GlobalAvgMaxPool3D extends tf.layers.Layer {
  static className = 'FepGlobalAvgMaxPool3D';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = shape5(inputShape);
    return [s[0]!, s[4] == null ? null : 2 * s[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const [n, t, h, w, c] = x.shape as [number, number, number, number, number];
      const x3 = tf.reshape(x, [n, t * h * w, c]);
      return hasHeapViews() ? globalAvgMaxDirectGrad(x3) : globalAvgMax(x3).value;
    });
  }
}

/** [N, V, C] → mean ‖ max over V: [N, 2C], reducing over the last axis (on wasm a sum over the last axis is far faster than over a leading one). */
function globalAvgMax(x3: tf.Tensor): { value: tf.Tensor; max: tf.Tensor } {
  const flat = tf.transpose(x3, [0, 2, 1]);
  const max = tf.max(flat, 2);
  return { value: tf.concat([tf.mean(flat, 2), max], 1), max };
}

/**
 * `globalAvgMax` with its gradient in one JavaScript pass on the wasm backend, bit for bit what
 * TF.js's gradients of mean, max, transpose and concat compute: dx = fround(dy_mean / V) + dy_max at
 * every element equal to its channel's max (all ties), + (dy_max · 0) elsewhere. Replaces ~10 small
 * kernels (Equal, Cast, Mul, Div, Transpose, Add…: ~2 ms per F-EP backward).
 */
function globalAvgMaxDirectGrad(x3: tf.Tensor): tf.Tensor {
  const [n, v, c] = x3.shape as [number, number, number];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const { value, max } = globalAvgMax(input);
    save([input, max]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const out = allocOutput([n, v, c]);
      const xv = readView(saved[0]!);
      const mv = readView(saved[1]!);
      const d = readView(dy);
      const dx = out.view();
      for (let b = 0; b < n; b++)
        for (let ch = 0; ch < c; ch++) {
          const mean = Math.fround(d[b * 2 * c + ch]! / v);
          const dmax = d[b * 2 * c + c + ch]!;
          const m = mv[b * c + ch]!;
          const zero = dmax * 0;
          for (let i = 0, o = b * v * c + ch; i < v; i++, o += c) dx[o] = mean + (xv[o] === m ? dmax : zero);
        }
      return [out.tensor()];
    };
    return { value, gradFunc };
  });
  return f(x3);
}

let registered = false;
/** Register the custom layers (idempotent). Called on import and by `loadModel`. */
export function registerFepLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(SpatialConv);
  tf.serialization.registerClass(TemporalConv);
  tf.serialization.registerClass(Pool2Plus1D);
  tf.serialization.registerClass(GlobalAvgPool3D);
  tf.serialization.registerClass(TemporalDiff);
  tf.serialization.registerClass(GlobalAvgMaxPool3D);
  registered = true;
}
registerFepLayers();
