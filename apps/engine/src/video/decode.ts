import { probeVideo, type VideoLimits, type VideoMeta } from './probe.ts';
import { readFrames, type Fit, type RawFrame } from './frame-stream.ts';
import { VideoError } from './video-error.ts';

/**
 * Turns a video file into model-ready clips: T frames sampled at a constant rate, rotated,
 * resized or centre-cropped to H×W, as float32 [T,H,W,3] in [0,1].
 *
 * Which frame is "the frame at time τ": the frame being displayed at τ, i.e. the last frame
 * whose presentation time is ≤ τ (what a player shows). Sample times are
 * τ_i = startSec + i·windowSec/T, so the default window T/fps yields T consecutive frames.
 *
 * Truncation policy (decided here, relied upon by the engine):
 * - A window that runs past the *end of the video* (the probed stream duration) is padded by
 *   repeating the last decoded frame; `paddedFrames` says how many. This is what lets a clip
 *   shorter than the model's T frames be explained at all.
 * - Frames that the container promises (τ well inside the probed duration) but the decoder
 *   cannot produce mean the file is damaged: VideoError('CORRUPT'), never silent padding.
 *   "Well inside" = more than max(3 frame periods, 0.2 s) before the probed end, to tolerate
 *   containers whose duration is a little longer than their last frame.
 */
export interface DecodeClipOptions {
  frames: number;
  height: number;
  width: number;
  /** Start of the window on the player timeline, seconds. Default 0. */
  startSec?: number;
  /** Length of the sampled window. Default frames / fps (native frame rate). */
  windowSec?: number;
  /** Default 'center-crop' (aspect-preserving, the usual test-time transform for video classifiers). */
  fit?: Fit;
  meta?: VideoMeta;
  limits?: Partial<VideoLimits>;
  signal?: AbortSignal;
}

export interface DecodedClip {
  /** [T,H,W,3] row-major, values in [0,1]. */
  data: Float32Array;
  shape: [number, number, number, 3];
  /** Presentation time (s, player timeline) of the source frame used for each clip frame. */
  timestamps: number[];
  /** Index of that frame in the stream (time × fps, from the first frame). */
  sourceFrameIndices: number[];
  /** Trailing clip frames that repeat the last frame because the video ended. */
  paddedFrames: number;
  startSec: number;
  windowSec: number;
  meta: VideoMeta;
}

function tolerance(meta: VideoMeta): number {
  return Math.max(3 / meta.fps, 0.2);
}

function epsilon(meta: VideoMeta): number {
  // showinfo prints pts_time with 6 significant digits; 2 ms covers that, capped well below a frame period.
  return Math.min(2e-3, 0.25 / meta.fps);
}

function checkShape(frames: number, height: number, width: number): void {
  for (const [k, v] of [['frames', frames], ['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${k} must be a positive integer, got ${v}.`);
  }
}

export async function decodeClip(file: string, opts: DecodeClipOptions): Promise<DecodedClip> {
  const { frames: T, height: H, width: W } = opts;
  checkShape(T, H, W);
  const meta = opts.meta ?? (await probeVideo(file, opts.limits));
  const fit = opts.fit ?? 'center-crop';
  const startSec = opts.startSec ?? 0;
  const windowSec = opts.windowSec ?? T / meta.fps;
  const endTime = meta.firstFrameTime + meta.durationSec;
  if (!(startSec >= 0) || startSec >= endTime) {
    throw new RangeError(`startSec must lie in [0, ${endTime.toFixed(3)}) s, got ${startSec}.`);
  }
  if (!(windowSec > 0)) throw new RangeError(`windowSec must be positive, got ${windowSec}.`);

  const step = windowSec / T;
  const tau = Array.from({ length: T }, (_, i) => startSec + i * step);
  const eps = epsilon(meta);
  const seekSec = Math.max(0, tau[0]! - 1.5 / meta.fps);
  const durationSec = tau[T - 1]! - seekSec + 1.5 / meta.fps;

  const frameSize = H * W * 3;
  const data = new Float32Array(T * frameSize);
  const timestamps: number[] = new Array<number>(T).fill(0);
  const sourceFrameIndices: number[] = new Array<number>(T).fill(0);
  let paddedFrames = 0;
  let i = 0;
  const assign = (f: RawFrame) => {
    const base = i * frameSize;
    for (let j = 0; j < frameSize; j++) data[base + j] = f.rgb[j]! / 255;
    timestamps[i] = f.time;
    sourceFrameIndices[i] = Math.max(0, Math.round((f.time - meta.firstFrameTime) * meta.fps));
    i++;
  };

  let prev: RawFrame | null = null;
  let streamError: unknown = null;
  try {
    for await (const f of readFrames(file, meta, { width: W, height: H, fit, seekSec, durationSec, signal: opts.signal })) {
      while (i < T && f.time > tau[i]! + eps) assign(prev ?? f);
      if (i >= T) break;
      prev = f;
    }
  } catch (err) {
    if (!(err instanceof VideoError)) throw err;
    streamError = err;
  }
  if (i < T) {
    if (streamError) throw streamError;
    if (!prev) {
      throw new VideoError('CORRUPT', `No frame could be decoded at ${startSec.toFixed(3)} s although the video lasts ${meta.durationSec.toFixed(3)} s.`);
    }
    const lastEnd = prev.time + 1 / meta.fps;
    while (i < T) {
      if (tau[i]! < lastEnd - eps) {
        assign(prev);
        continue;
      }
      if (lastEnd < endTime - tolerance(meta)) {
        throw new VideoError(
          'CORRUPT',
          `The video stops decoding at ${lastEnd.toFixed(3)} s but claims to last ${meta.durationSec.toFixed(3)} s: the file is damaged or incomplete.`,
          { decodedUntil: lastEnd, durationSec: meta.durationSec },
        );
      }
      assign(prev);
      paddedFrames++;
    }
  }
  return { data, shape: [T, H, W, 3], timestamps, sourceFrameIndices, paddedFrames, startSec, windowSec, meta };
}

export interface ClipWindow {
  index: number;
  /** First source frame of the window. */
  startFrame: number;
  startSec: number;
  windowSec: number;
}

/**
 * Native-rate windows of T frames every `stride` frames, plus a last window flush with the
 * end of the video so the tail is covered. A video shorter than T gives one (padded) window.
 */
export function sampleWindows(meta: Pick<VideoMeta, 'frameCount' | 'fps' | 'firstFrameTime'>, T: number, stride: number): ClipWindow[] {
  if (!Number.isInteger(T) || T <= 0) throw new RangeError(`T must be a positive integer, got ${T}.`);
  if (!Number.isInteger(stride) || stride <= 0) throw new RangeError(`stride must be a positive integer, got ${stride}.`);
  const starts: number[] = [];
  const last = Math.max(0, meta.frameCount - T);
  for (let s = 0; s <= last; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== last) starts.push(last);
  return starts.map((startFrame, index) => ({
    index,
    startFrame,
    startSec: meta.firstFrameTime + startFrame / meta.fps,
    windowSec: T / meta.fps,
  }));
}

export interface DecodeWindowsOptions {
  frames: number;
  height: number;
  width: number;
  /** Source frames between window starts. */
  stride: number;
  fit?: Fit;
  meta?: VideoMeta;
  limits?: Partial<VideoLimits>;
  signal?: AbortSignal;
}

export interface DecodedWindow extends DecodedClip {
  window: ClipWindow;
}

/**
 * Every native-rate window of the video, in order, from a single decoding pass (one ffmpeg
 * process, a ring of T frames in memory). Window starts follow `sampleWindows`, but on the
 * frames actually decoded: if the container's frame count was off, the tail window is placed
 * on the real last frame.
 */
export async function* decodeWindows(file: string, opts: DecodeWindowsOptions): AsyncGenerator<DecodedWindow> {
  const { frames: T, height: H, width: W, stride } = opts;
  checkShape(T, H, W);
  if (!Number.isInteger(stride) || stride <= 0) throw new RangeError(`stride must be a positive integer, got ${stride}.`);
  const meta = opts.meta ?? (await probeVideo(file, opts.limits));
  const fit = opts.fit ?? 'center-crop';
  const ring: RawFrame[] = [];
  let count = 0;
  let emitted = 0;
  let lastStart = -1;

  const build = (startFrame: number, frames: RawFrame[], padded: number): DecodedWindow => {
    const frameSize = H * W * 3;
    const data = new Float32Array(T * frameSize);
    const timestamps: number[] = [];
    const sourceFrameIndices: number[] = [];
    for (let t = 0; t < T; t++) {
      const f = frames[Math.min(t, frames.length - 1)]!;
      const base = t * frameSize;
      for (let j = 0; j < frameSize; j++) data[base + j] = f.rgb[j]! / 255;
      timestamps.push(f.time);
      sourceFrameIndices.push(f.n);
    }
    const window: ClipWindow = { index: emitted++, startFrame, startSec: frames[0]!.time, windowSec: T / meta.fps };
    lastStart = startFrame;
    return {
      data,
      shape: [T, H, W, 3],
      timestamps,
      sourceFrameIndices,
      paddedFrames: padded,
      startSec: window.startSec,
      windowSec: window.windowSec,
      meta,
      window,
    };
  };

  for await (const f of readFrames(file, meta, { width: W, height: H, fit, signal: opts.signal })) {
    ring.push(f);
    if (ring.length > T) ring.shift();
    count++;
    const start = count - T;
    if (start >= 0 && start % stride === 0) yield build(start, ring.slice(), 0);
  }
  if (count === 0) throw new VideoError('CORRUPT', 'No frame of the video could be decoded.');
  if (count < T) {
    yield build(0, ring.slice(), T - count);
  } else if (lastStart !== count - T) {
    yield build(count - T, ring.slice(), 0);
  }
}
