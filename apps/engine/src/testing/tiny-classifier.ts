/**
 * Small, fully differentiable `VideoClassifier`s for tests of the explanation core. They are real
 * TF.js computations (per-frame 2-D convolution → ReLU → global average → dense), small enough to
 * run hundreds of forward/backward passes in a unit test.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerActivationAccess } from '../methods/gradcam.ts';
import type { ModelInputSpec, VideoClassifier } from '../methods/types.ts';

export interface TinyClassifierSpec {
  frames: number;
  height: number;
  width: number;
  channels?: number;
}

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function inputSpec(spec: TinyClassifierSpec): ModelInputSpec {
  const c = spec.channels ?? 3;
  return {
    frames: spec.frames,
    height: spec.height,
    width: spec.width,
    channels: c,
    layout: 'NTHWC',
    valueRange: [0, 1],
    mean: new Array(c).fill(0),
    std: new Array(c).fill(1),
  };
}

class ConvClassifier implements VideoClassifier, LayerActivationAccess {
  readonly version = 'test';
  readonly weightsSha256 = 'test';
  constructor(
    readonly name: string,
    readonly labels: string[],
    readonly input: ModelInputSpec,
    private readonly kernel: tf.Tensor4D,
    private readonly bias: tf.Tensor1D,
    private readonly dense: tf.Tensor2D,
    private readonly denseBias: tf.Tensor1D,
    private readonly pool: 'mean' | 'temporal-diff',
    private readonly activation: 'relu' | 'square' = 'relu',
  ) {}

  logits(clips: tf.Tensor5D): tf.Tensor2D {
    return tf.tidy(() => this.logitsWithActivation(clips, 'features').logits);
  }

  /** Grad-CAM access (methods/gradcam.ts): the one feature map is the conv output after activation. */
  activationLayerNames(): string[] {
    return ['features'];
  }

  logitsWithActivation(
    clips: tf.Tensor5D,
    layer: string,
    edit?: (a: tf.Tensor5D) => tf.Tensor5D,
  ): { logits: tf.Tensor2D; activation: tf.Tensor5D } {
    if (layer !== 'features') throw new Error(`unknown layer ${layer}`);
    return tf.tidy(() => {
      const [n, t, h, w, c] = clips.shape;
      const frames = clips.reshape([n * t, h, w, c]) as tf.Tensor4D;
      const pre = tf.add(tf.conv2d(frames, this.kernel, 1, 'same'), this.bias);
      const k = this.kernel.shape[3];
      const activation = (this.activation === 'relu' ? tf.relu(pre) : tf.square(pre)).reshape([n, t, h, w, k]) as tf.Tensor5D;
      const f = edit ? edit(activation) : activation;
      let pooled: tf.Tensor2D;
      if (this.pool === 'mean') {
        pooled = tf.mean(f.reshape([n, t * h * w, k]), 1) as tf.Tensor2D;
      } else {
        // Mean of features plus mean absolute temporal change: makes the model motion-sensitive.
        const seq = f.reshape([n, t, h * w, k]);
        const diff = tf.abs(tf.sub(tf.slice(seq, [0, 1, 0, 0], [n, t - 1, h * w, k]), tf.slice(seq, [0, 0, 0, 0], [n, t - 1, h * w, k])));
        pooled = tf.add(tf.mean(seq.reshape([n, t * h * w, k]), 1), tf.mean(diff.reshape([n, (t - 1) * h * w, k]), 1)) as tf.Tensor2D;
      }
      return { logits: tf.add(tf.matMul(pooled, this.dense), this.denseBias) as tf.Tensor2D, activation };
    });
  }

  dispose(): void {
    tf.dispose([this.kernel, this.bias, this.dense, this.denseBias]);
  }
}

/** A 3×3 conv (C→4) + ReLU + mean + dense (4→classes) with seeded random weights. */
export function createTinyClassifier(spec: TinyClassifierSpec, opts: { classes?: number; seed?: number } = {}): VideoClassifier {
  const c = spec.channels ?? 3;
  const classes = opts.classes ?? 3;
  const rnd = mulberry32(opts.seed ?? 1);
  const r = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  const feats = 4;
  return new ConvClassifier(
    'tiny-random',
    Array.from({ length: classes }, (_, i) => `class-${i}`),
    inputSpec(spec),
    tf.tensor4d(r(9 * c * feats, 1), [3, 3, c, feats]),
    tf.tensor1d(r(feats, 0.1)),
    tf.tensor2d(r(feats * classes, 4), [feats, classes]),
    tf.tensor1d(r(classes, 0.1)),
    'temporal-diff',
  );
}

/**
 * Two classes: "red object" (logit = gain · mean over voxels of (R − (G + B)/2)², a smooth colour
 * contrast energy that blurring removes) and "background" (constant logit). Preserving the red
 * pixels keeps class 0; blurring them lowers it, so an explanation of class 0 should point at the
 * red object.
 */
export function createRedDetector(spec: TinyClassifierSpec, gain = 150, backgroundLogit = 1): VideoClassifier {
  return new ConvClassifier(
    'tiny-red-detector',
    ['red-object', 'background'],
    inputSpec(spec),
    tf.tensor4d([1, -0.5, -0.5], [1, 1, 3, 1]),
    tf.tensor1d([0]),
    tf.tensor2d([gain, 0], [1, 2]),
    tf.tensor1d([0, backgroundLogit]),
    'mean',
    'square',
  );
}

export interface SyntheticRedClip {
  clip: tf.Tensor4D;
  /** Ground-truth object masks [T,H,W] (1 inside the square). */
  gt: Uint8Array;
  shape: [number, number, number];
}

/** A grey-noise clip with a red square moving left→right (deterministic). */
export function redSquareClip(t: number, h: number, w: number, size = 8, seed = 3): SyntheticRedClip {
  const rnd = mulberry32(seed);
  const data = new Float32Array(t * h * w * 3);
  const gt = new Uint8Array(t * h * w);
  const y0 = Math.floor((h - size) / 2);
  for (let f = 0; f < t; f++) {
    const x0 = Math.round(((w - size) * f) / Math.max(1, t - 1) * 0.8 + (w - size) * 0.1);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = (f * h + y) * w + x;
        const inside = y >= y0 && y < y0 + size && x >= x0 && x < x0 + size;
        const g = 0.3 + 0.2 * rnd();
        data[i * 3] = inside ? 0.95 : g;
        data[i * 3 + 1] = inside ? 0.1 : g;
        data[i * 3 + 2] = inside ? 0.1 : g;
        gt[i] = inside ? 1 : 0;
      }
  }
  return { clip: tf.tensor4d(data, [t, h, w, 3]), gt, shape: [t, h, w] };
}

/**
 * A linear classifier for hand-checkable tests: logit_0 = Σ_voxels (weights ⊙ x) (channel 0 only,
 * `weights` [T,H,W]), logit_1 = 0. Its input gradient is `weights` on channel 0 exactly.
 */
export function createLinearClassifier(spec: TinyClassifierSpec, weights: Float32Array): VideoClassifier {
  const { frames: t, height: h, width: w } = spec;
  const wt = tf.tensor(weights, [1, t, h, w]);
  return {
    name: 'tiny-linear',
    version: 'test',
    weightsSha256: 'test',
    labels: ['weighted-sum', 'zero'],
    input: inputSpec(spec),
    logits(clips: tf.Tensor5D): tf.Tensor2D {
      return tf.tidy(() => {
        const n = clips.shape[0];
        const ch0 = tf.slice(clips, [0, 0, 0, 0, 0], [n, t, h, w, 1]).reshape([n, t, h, w]);
        const z = tf.sum(tf.mul(ch0, wt).reshape([n, t * h * w]), -1).reshape([n, 1]);
        return tf.concat([z, tf.zeros([n, 1])], 1) as tf.Tensor2D;
      });
    },
    dispose() {
      wt.dispose();
    },
  };
}
