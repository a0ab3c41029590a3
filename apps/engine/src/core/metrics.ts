/**
 * Evaluation metrics for saliency volumes [T, H, W] (row-major Float32Array).
 *
 * - Causal insertion / deletion (Petsiuk, Das & Saenko, "RISE", BMVC 2018; adapted to video by
 *   Li et al., WACV 2021, `utils/CausalMetric.py`): voxels (or grid cells, `grid`) are revealed
 *   (insertion, by default starting from a blurred clip) or removed (deletion, by default replaced
 *   by black; Li et al.'s default is the mean colour, `substrate: 'mean'`) in decreasing saliency order over
 *   `steps` (256) equal steps; the curve is the softmax probability of the target after each step
 *   (steps + 1 points incl. the start) and the AUC is the trapezoid rule on x ∈ [0, 1]
 *   (Li et al.'s `auc`). The insertion start is every frame blurred with a Gaussian σ = 5, 11-tap
 *   kernel, zero padding (RISE's and Li et al.'s `gkern(klen=11, nsig=5)`). Forward passes are
 *   batched. Ties in saliency are broken by voxel index (stable order).
 * - Spatial smoothness: mean over frames of the mean absolute difference between horizontally and
 *   vertically adjacent pixels (anisotropic total variation divided by the number of adjacent
 *   pairs, (H−1)·W + H·(W−1)). Lower is smoother.
 * - Temporal consistency: mean over t = 1…T−1 and all pixels of |s_t − s_{t−1}|, i.e. the sum of
 *   absolute frame-to-frame differences divided by (T−1)·H·W. Lower is more consistent.
 *   Both are computed on the saliency divided by its global maximum (if > 0), so maps on different
 *   scales are comparable; values are then in [0, 1].
 * - Sparsity: Gini index of the saliency values (Chalasani et al., ICML 2020): 0 when all voxels
 *   are equal, → 1 when all mass sits in one voxel.
 * - Pointing game (Zhang et al., ECCV 2016; TorchRay / Li et al.): per frame with ground truth, the
 *   maximum-saliency pixel (see `maxPoint` for plateaus) is a hit if a ground-truth pixel lies
 *   at Euclidean distance < tolerance (15 px), or, for boxes, inside the box grown by the tolerance
 *   (Li et al.). Accuracy = hits / frames with ground truth.
 * - IoU of the top-a region: the ⌈a·N⌉ most salient voxels vs the ground-truth voxels; `a`
 *   defaults to the ground-truth fraction of the volume.
 */
import * as tf from '@tensorflow/tfjs';
import type { VideoClassifier } from '../methods/types.ts';
import { allocOutput } from './heap-io.ts';

export type Shape3 = readonly [number, number, number];

function checkSize(s: ArrayLike<number>, shape: Shape3): void {
  if (s.length !== shape[0] * shape[1] * shape[2]) {
    throw new RangeError(`Saliency has ${s.length} values, shape [${shape.join(',')}] needs ${shape[0] * shape[1] * shape[2]}`);
  }
}

function maxNormalised(s: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < s.length; i++) if (s[i]! > max) max = s[i]!;
  const out = Float64Array.from(s as ArrayLike<number>);
  if (max > 0) for (let i = 0; i < out.length; i++) out[i]! /= max;
  return out;
}

/** Normalised trapezoid AUC of a curve sampled at evenly spaced x ∈ [0, 1]. */
export function auc(curve: readonly number[]): number {
  const n = curve.length;
  if (n < 2) throw new RangeError('AUC needs at least two points');
  let s = 0;
  for (const v of curve) s += v;
  return (s - curve[0]! / 2 - curve[n - 1]! / 2) / (n - 1);
}

/** Voxel indices in decreasing saliency order, ties by increasing index. */
export function saliencyOrder(s: ArrayLike<number>): Uint32Array {
  const idx = Uint32Array.from({ length: s.length }, (_, i) => i);
  const v = Float64Array.from(s as ArrayLike<number>);
  return idx.sort((a, b) => v[b]! - v[a]! || a - b);
}

export function spatialSmoothness(s: ArrayLike<number>, shape: Shape3): number {
  checkSize(s, shape);
  const [t, h, w] = shape;
  const n = maxNormalised(s);
  const pairs = (h - 1) * w + h * (w - 1);
  if (pairs === 0) return 0;
  let total = 0;
  for (let f = 0; f < t; f++) {
    let tv = 0;
    const o = f * h * w;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = n[o + y * w + x]!;
        if (x + 1 < w) tv += Math.abs(n[o + y * w + x + 1]! - v);
        if (y + 1 < h) tv += Math.abs(n[o + (y + 1) * w + x]! - v);
      }
    total += tv / pairs;
  }
  return total / t;
}

export function temporalConsistency(s: ArrayLike<number>, shape: Shape3): number {
  checkSize(s, shape);
  const [t, h, w] = shape;
  if (t < 2) return 0;
  const n = maxNormalised(s);
  const hw = h * w;
  let sum = 0;
  for (let i = hw; i < t * hw; i++) sum += Math.abs(n[i]! - n[i - hw]!);
  return sum / ((t - 1) * hw);
}

/**
 * Temporal localisation: the share of the (non-negative) saliency mass that lies on the frames
 * [t0, t1] where the action happens. A saliency spread evenly over time scores the interval's share
 * of the frames, (t1 − t0 + 1) / T; 1 means all of it is inside. Negative values count as 0 (as in
 * the pointing game, only where a method points matters). 0 for an all-zero saliency.
 */
export function intervalShare(s: ArrayLike<number>, shape: Shape3, interval: readonly [number, number]): number {
  checkSize(s, shape);
  const [t, h, w] = shape;
  const [t0, t1] = interval;
  if (!(Number.isInteger(t0) && Number.isInteger(t1) && 0 <= t0 && t0 <= t1 && t1 < t)) {
    throw new RangeError(`interval [${t0}, ${t1}] is not within frames [0, ${t - 1}]`);
  }
  const hw = h * w;
  let inside = 0;
  let total = 0;
  for (let f = 0; f < t; f++) {
    let sum = 0;
    for (let i = f * hw; i < (f + 1) * hw; i++) sum += Math.max(0, s[i]!);
    total += sum;
    if (f >= t0 && f <= t1) inside += sum;
  }
  return total > 0 ? inside / total : 0;
}

/** Gini index of non-negative values. */
export function sparsity(s: ArrayLike<number>): number {
  const v = Float64Array.from(s as ArrayLike<number>).sort();
  const n = v.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    if (v[i]! < 0) throw new RangeError('sparsity expects non-negative saliency');
    total += v[i]!;
    weighted += (2 * (i + 1) - n - 1) * v[i]!;
  }
  return total > 0 ? weighted / (n * total) : 0;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type GroundTruth =
  /** Binary masks [T,H,W] (non-zero = object). */
  | { kind: 'masks'; masks: ArrayLike<number> }
  /** One box per frame (pixel coordinates, inclusive), null where the object is absent. */
  | { kind: 'boxes'; boxes: ReadonlyArray<Box | null> };

export interface PointingGameResult {
  hits: number;
  frames: number;
  accuracy: number;
  /** Per frame: true (hit), false (miss), null (no ground truth). */
  perFrame: Array<boolean | null>;
}

/**
 * The maximum-saliency pixel of one frame. A saturated mask has a plateau of equal maxima; then the
 * plateau pixel nearest to the plateau's centroid is used (first in row-major order on ties), not the
 * plateau's top-left corner.
 */
export function maxPoint(s: ArrayLike<number>, offset: number, h: number, w: number): [number, number] {
  let max = -Infinity;
  for (let i = 0; i < h * w; i++) if (s[offset + i]! > max) max = s[offset + i]!;
  let cy = 0;
  let cx = 0;
  let count = 0;
  for (let i = 0; i < h * w; i++)
    if (s[offset + i] === max) {
      cy += Math.floor(i / w);
      cx += i % w;
      count++;
    }
  cy /= count;
  cx /= count;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < h * w; i++)
    if (s[offset + i] === max) {
      const d = (Math.floor(i / w) - cy) ** 2 + ((i % w) - cx) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
  return [Math.floor(best / w), best % w];
}

export function pointingGame(s: ArrayLike<number>, shape: Shape3, gt: GroundTruth, tolerance = 15): PointingGameResult {
  checkSize(s, shape);
  const [t, h, w] = shape;
  const perFrame: Array<boolean | null> = [];
  let hits = 0;
  let frames = 0;
  for (let f = 0; f < t; f++) {
    const o = f * h * w;
    let present = false;
    if (gt.kind === 'masks') {
      for (let i = 0; i < h * w && !present; i++) present = gt.masks[o + i]! !== 0;
    } else present = gt.boxes[f] != null;
    if (!present) {
      perFrame.push(null);
      continue;
    }
    const [py, px] = maxPoint(s, o, h, w);
    let hit = false;
    if (gt.kind === 'masks') {
      const r = Math.ceil(tolerance);
      for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r) && !hit; y++)
        for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r) && !hit; x++)
          hit = (y - py) ** 2 + (x - px) ** 2 < tolerance * tolerance && gt.masks[o + y * w + x]! !== 0;
    } else {
      const b = gt.boxes[f]!;
      hit = px >= b.x0 - tolerance && px <= b.x1 + tolerance && py >= b.y0 - tolerance && py <= b.y1 + tolerance;
    }
    frames++;
    if (hit) hits++;
    perFrame.push(hit);
  }
  return { hits, frames, accuracy: frames > 0 ? hits / frames : NaN, perFrame };
}

/** IoU between the top-⌈a·N⌉ salient voxels and the ground-truth voxels. */
export function topAreaIoU(s: ArrayLike<number>, shape: Shape3, gtMasks: ArrayLike<number>, area?: number): number {
  checkSize(s, shape);
  checkSize(gtMasks, shape);
  const n = s.length;
  let gtCount = 0;
  for (let i = 0; i < n; i++) if (gtMasks[i]! !== 0) gtCount++;
  const a = area ?? gtCount / n;
  if (!(a >= 0 && a <= 1)) throw new RangeError(`area must be in [0,1], got ${a}`);
  const k = Math.ceil(a * n - 1e-9);
  const order = saliencyOrder(s);
  let inter = 0;
  for (let i = 0; i < k; i++) if (gtMasks[order[i]!]! !== 0) inter++;
  const union = k + gtCount - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * What a removed (deletion) or not yet revealed (insertion) voxel shows:
 *  - 'blur': the frame blurred with RISE's 11-tap σ = 5 Gaussian (Li et al.'s `remove_method="blur"`);
 *  - 'mean': the model's mean colour (its manifest's `mean`, mapped to [0, 1]) — zeros of the
 *    normalised input, which is what Li et al.'s default `remove_method="fade"` feeds the network;
 *  - 'black': 0 in [0, 1] pixel space.
 */
export type CausalSubstrate = 'blur' | 'mean' | 'black';

/** The engine's defaults: insertion from a blurred clip (RISE), deletion to black. */
export const DEFAULT_SUBSTRATE: Record<'insertion' | 'deletion', CausalSubstrate> = { insertion: 'blur', deletion: 'black' };

export interface CausalMetricOptions {
  mode: 'insertion' | 'deletion';
  /** Number of reveal/remove steps (Li et al.'s CausalMetric defaults to 1024, their evaluation script to 256; RISE uses HW/224 per step). */
  steps?: number;
  /** See CausalSubstrate; default DEFAULT_SUBSTRATE[mode]. */
  substrate?: CausalSubstrate;
  /**
   * Perturb cells instead of voxels: each frame is cut into grid × grid cells (Li et al.'s
   * `new_size`, e.g. 16 for their "CM_16"), cells are ranked by their mean saliency and revealed or
   * removed whole. H and W must be multiples of grid. Default: voxels.
   */
  grid?: number;
  /**
   * Perturbed clips per forward pass. Default: measured — the first clip runs alone and the batch
   * is as many clips as fit in CAUSAL_METRIC_BATCH_BYTES of tensors (1 … CAUSAL_METRIC_MAX_BATCH),
   * so a full-size network does not exhaust the wasm backend's 4 GB heap.
   */
  batchSize?: number;
  /** The tensor-memory budget of a measured batch (default CAUSAL_METRIC_BATCH_BYTES). */
  batchBytes?: number;
  /** Abort to stop: checked before every batch (after a turn of the event loop); throws its reason. */
  signal?: AbortSignal;
}

export interface CausalMetricResult {
  auc: number;
  /** steps + 1 probabilities of the target. */
  curve: number[];
}

/** Tensor memory one forward pass of a measured metric batch may use (see batchSize). */
export const CAUSAL_METRIC_BATCH_BYTES = 1 << 30;
export const CAUSAL_METRIC_MAX_BATCH = 8;

/** RISE's insertion substrate: every frame blurred with an 11-tap Gaussian, σ = 5, zero padding. */
export function insertionBlur(clip: tf.Tensor4D): tf.Tensor4D {
  const klen = 11;
  const sigma = 5;
  const half = (klen - 1) / 2;
  const f = Array.from({ length: klen }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const sum = f.reduce((x, y) => x + y, 0);
  const g = f.map((v) => v / sum);
  const [t, h, w, c] = clip.shape;
  const band = (n: number) => {
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = Math.max(0, i - half); j <= Math.min(n - 1, i + half); j++) m[i * n + j] = g[j - i + half]!;
    return tf.tensor2d(m, [n, n]);
  };
  return tf.tidy(() => {
    let y = clip.transpose([0, 1, 3, 2]).reshape([-1, w]);
    y = tf.matMul(y, band(w), false, true).reshape([t, h, c, w]);
    y = y.transpose([0, 3, 2, 1]).reshape([-1, h]);
    y = tf.matMul(y, band(h), false, true).reshape([t, w, c, h]);
    return y.transpose([0, 3, 1, 2]) as tf.Tensor4D;
  });
}

function substrateOf(clip: tf.Tensor4D, substrate: CausalSubstrate, model: VideoClassifier): tf.Tensor4D {
  if (substrate === 'blur') return insertionBlur(clip);
  if (substrate === 'black') return tf.zerosLike(clip);
  const { mean, valueRange } = model.input;
  const [lo, hi] = valueRange;
  const c = clip.shape[3];
  if (mean.length !== c) throw new RangeError(`substrate 'mean' needs the model's mean for ${c} channels (it has ${mean.length})`);
  const colour = tf.tensor1d(mean.map((m) => (m - lo) / (hi - lo)));
  return tf.mul(tf.onesLike(clip), colour) as tf.Tensor4D;
}

/** The units revealed or removed in saliency order: voxels, or grid cells (see CausalMetricOptions.grid). */
function perturbationUnits(saliency: ArrayLike<number>, [t, h, w]: Shape3, grid?: number): { count: number; voxels: (rank: number) => Iterable<number> } {
  if (grid === undefined) {
    const order = saliencyOrder(saliency);
    return { count: order.length, voxels: (r) => [order[r]!] };
  }
  if (!Number.isInteger(grid) || grid < 1 || h % grid !== 0 || w % grid !== 0) throw new RangeError(`grid must be a positive integer dividing ${h} and ${w}`);
  const kh = h / grid, kw = w / grid;
  const cells = new Float64Array(t * grid * grid);
  for (let f = 0; f < t; f++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) cells[(f * grid + Math.floor(y / kh)) * grid + Math.floor(x / kw)]! += saliency[(f * h + y) * w + x]!;
  const order = saliencyOrder(cells);
  return {
    count: order.length,
    *voxels(r) {
      const cell = order[r]!;
      const f = Math.floor(cell / (grid * grid));
      const cy = Math.floor(cell / grid) % grid, cx = cell % grid;
      for (let y = cy * kh; y < (cy + 1) * kh; y++) for (let x = cx * kw; x < (cx + 1) * kw; x++) yield (f * h + y) * w + x;
    },
  };
}

/**
 * Insertion or deletion curve and AUC for one clip [T,H,W,C] in [0,1] and saliency [T,H,W].
 */
export async function causalMetric(
  model: VideoClassifier,
  clip: tf.Tensor4D,
  target: number,
  saliency: ArrayLike<number>,
  opts: CausalMetricOptions,
): Promise<CausalMetricResult> {
  const [t, h, w] = clip.shape;
  checkSize(saliency, [t, h, w]);
  const steps = opts.steps ?? 256;
  const substrate = opts.substrate ?? DEFAULT_SUBSTRATE[opts.mode];
  // 0: not known yet — measured on the first forward pass (a single clip).
  let batch = opts.batchSize === undefined ? 0 : Math.max(1, opts.batchSize);
  const n = t * h * w;
  const units = perturbationUnits(saliency, [t, h, w], opts.grid);
  // np.linspace(0, units, steps + 1).astype(int)
  const points = Array.from({ length: steps + 1 }, (_, i) => Math.floor((i * units.count) / steps));
  const insertion = opts.mode === 'insertion';
  const c = clip.shape[3];
  // A perturbed clip is start + m·(clip − start) with a binary mask m, i.e. per voxel either
  // `start` (m = 0) or fround(start + (clip − start)) (m = 1, not always exactly `clip` in float32).
  // Both are computed once; the current clip is updated only where voxels flip and copied into the
  // input tensor (as broadcasting tensor ops on wasm, upload + mul + add cost ~30 ms per batch of 8).
  const [off, on] = tf.tidy(() => {
    const start = substrateOf(clip, substrate, model);
    return [start.dataSync() as Float32Array, tf.add(start, tf.sub(clip, start)).dataSync() as Float32Array];
  });
  // The current perturbed clip, updated voxel by voxel as they flip, copied into each batch slot.
  const cur = Float32Array.from(insertion ? off : on);
  const target_ = insertion ? on : off;
  const curve: number[] = [];
  let done = 0; // voxels of `order` already flipped
  for (let s0 = 0; s0 <= steps; ) {
    if (opts.signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      opts.signal.throwIfAborted();
    }
    const b = batch === 0 ? 1 : Math.min(batch, steps + 1 - s0);
    const x = allocOutput([b, t, h, w, c]);
    const xv = x.view();
    for (let j = 0; j < b; j++) {
      const upto = points[s0 + j]!;
      for (; done < upto; done++) {
        for (const v of units.voxels(done)) {
          const o = v * c;
          for (let ch = 0; ch < c; ch++) cur[o + ch] = target_[o + ch]!;
        }
      }
      xv.set(cur, j * n * c);
    }
    const forward = () =>
      tf.tidy(() => {
        const p = tf.softmax(model.logits(x.tensor() as tf.Tensor5D));
        const k = p.shape[1];
        return tf.sum(tf.mul(p, tf.oneHot(tf.tensor1d([target], 'int32'), k).reshape([1, k])), -1);
      });
    let probs: tf.Tensor;
    try {
      if (batch === 0) {
        const before = tf.memory().numBytes;
        let measured: tf.Tensor | undefined;
        const info = await tf.profile(() => (measured = forward()));
        probs = measured!;
        const perClip = Math.max(1, info.peakBytes - before + x.tensor().size * 4);
        batch = Math.min(CAUSAL_METRIC_MAX_BATCH, Math.max(1, Math.floor((opts.batchBytes ?? CAUSAL_METRIC_BATCH_BYTES) / perClip)));
      } else probs = forward();
    } finally {
      x.tensor().dispose();
    }
    curve.push(...Array.from(await probs.data()));
    probs.dispose();
    s0 += b;
  }
  return { auc: auc(curve), curve };
}
