import * as tf from '@tensorflow/tfjs';
import type { VideoClassifier } from '../methods/types.ts';
import { decodeWindows, type DecodedWindow } from './decode.ts';
import type { Fit } from './frame-stream.ts';
import { probeVideo, type VideoLimits, type VideoMeta } from './probe.ts';

/**
 * "Which part of a long video should we explain?" — slide the model's clip window over the
 * video (one decoding pass) and keep the window the model is most sure about. Only forward
 * passes, batched, so this costs a small fraction of one explanation.
 */
export interface SelectWindowOptions {
  /**
   * Frames between window starts. Default T/2 (rounded up): half-overlapping clips, the
   * sampling C3D used for video-level features (16-frame clips, 8-frame overlap; Tran et al.,
   * ICCV 2015).
   */
  stride?: number;
  fit?: Fit;
  /** Score windows by this class's probability instead of the top-1 probability. */
  target?: number;
  /** Windows per forward pass. Default 4. */
  batchSize?: number;
  meta?: VideoMeta;
  limits?: Partial<VideoLimits>;
  /**
   * Abort to stop the scan: checked after every batch of forward passes (with a turn of the
   * event loop, so timers and messages that abort it get to run) and ffmpeg is killed.
   */
  signal?: AbortSignal;
  onWindow?: (scored: ScoredWindow, index: number) => void;
}

export interface ScoredWindow {
  startSec: number;
  startFrame: number;
  /** Top-1 class (or the target class when one was given) and its softmax probability. */
  classIndex: number;
  probability: number;
}

export interface WindowSelection extends ScoredWindow {
  windows: ScoredWindow[];
  stride: number;
}

/** Softmax of logits [N,K] → per row: arg-max (or `target`) and its probability. */
function scoreBatch(model: VideoClassifier, batch: DecodedWindow[], target: number | undefined): ScoredWindow[] {
  const { frames: T, height: H, width: W } = model.input;
  const probs = tf.tidy(() => {
    const x = tf.tensor5d(concat(batch.map((b) => b.data)), [batch.length, T, H, W, 3]);
    return tf.softmax(model.logits(x));
  });
  try {
    const p = probs.arraySync() as number[][];
    return batch.map((b, i) => {
      const row = p[i]!;
      let k = target ?? 0;
      if (target === undefined) for (let j = 1; j < row.length; j++) if (row[j]! > row[k]!) k = j;
      return { startSec: b.window.startSec, startFrame: b.window.startFrame, classIndex: k, probability: row[k]! };
    });
  } finally {
    probs.dispose();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export async function findMostConfidentWindow(file: string, model: VideoClassifier, opts: SelectWindowOptions = {}): Promise<WindowSelection> {
  const { frames: T, height: H, width: W } = model.input;
  const stride = opts.stride ?? Math.max(1, Math.ceil(T / 2));
  const batchSize = Math.max(1, opts.batchSize ?? 4);
  if (opts.target !== undefined && !(Number.isInteger(opts.target) && opts.target >= 0 && opts.target < model.labels.length)) {
    throw new RangeError(`target must be a class index in [0, ${model.labels.length}), got ${opts.target}.`);
  }
  const signal = opts.signal;
  const meta = opts.meta ?? (await probeVideo(file, opts.limits, { signal }));
  const windows: ScoredWindow[] = [];
  let batch: DecodedWindow[] = [];
  const flush = async () => {
    for (const s of scoreBatch(model, batch, opts.target)) {
      windows.push(s);
      opts.onWindow?.(s, windows.length - 1);
    }
    batch = [];
    if (signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal.throwIfAborted();
    }
  };
  for await (const w of decodeWindows(file, { frames: T, height: H, width: W, stride, fit: opts.fit, meta, signal })) {
    batch.push(w);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  // Ties go to the earliest window.
  let best = windows[0]!;
  for (const w of windows) if (w.probability > best.probability) best = w;
  return { ...best, windows, stride };
}
