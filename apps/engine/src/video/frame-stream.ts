import { spawn } from 'node:child_process';
import { ffmpegPath, ffmpegTimeoutMs, lastLines, TailBuffer, timeoutError } from './ffmpeg.ts';
import type { VideoMeta } from './probe.ts';
import { VideoError } from './video-error.ts';

/**
 * The one place that runs ffmpeg to decode. Frames come out of ffmpeg's stdout as raw rgb24,
 * already rotated (ffmpeg's autorotate), resized and cropped, one at a time, so memory stays at
 * a few frames whatever the video length. Each frame's presentation time is read from the
 * `showinfo` filter's log line on stderr, so callers get the *true* source timestamp even for
 * variable-frame-rate video, instead of assuming a constant rate.
 */
export type Fit = 'center-crop' | 'resize';

export interface FrameStreamOptions {
  width: number;
  height: number;
  fit: Fit;
  /** Input seek (seconds on the player timeline); ffmpeg decodes accurately from the previous keyframe. */
  seekSec?: number;
  /** Stop after this many seconds past the seek point. */
  durationSec?: number;
  /**
   * swscale flags. Default `area`: box-filter averaging, the alias-free choice when shrinking
   * a 1080p frame to the ~112 px inputs of C3D/R(2+1)D-style models; accurate_rnd and
   * full_chroma_int make the YUV→RGB step exact to ±1 level.
   */
  scaleFlags?: string;
  /** Abort to stop: ffmpeg is killed and the reader throws the signal's reason. */
  signal?: AbortSignal;
  /** Wall-clock limit of the ffmpeg run; default FFMPEG_TIMEOUT_MS. Past it: VideoError('TIMEOUT'). */
  timeoutMs?: number;
}

export interface RawFrame {
  /** H×W×3 rgb24, row-major. */
  rgb: Buffer;
  /** Presentation time in seconds on the player timeline (0 = container start). */
  time: number;
  /** Order of arrival from the seek point (0-based). */
  n: number;
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\s*(\S+)/;

export function filterChain(meta: Pick<VideoMeta, 'width' | 'height'>, opts: Pick<FrameStreamOptions, 'width' | 'height' | 'fit' | 'scaleFlags'>): string {
  const { width: W, height: H } = opts;
  const flags = opts.scaleFlags ?? 'area+accurate_rnd+full_chroma_int';
  if (opts.fit === 'resize') return `scale=${W}:${H}:flags=${flags},format=rgb24,showinfo`;
  // Centre crop: scale so the frame covers W×H (aspect preserved), then cut the middle. Sizes are
  // computed here rather than with force_original_aspect_ratio, whose rounding can land one
  // pixel short of the crop.
  const s = Math.max(W / meta.width, H / meta.height);
  const sw = Math.max(W, Math.ceil(meta.width * s - 1e-9));
  const sh = Math.max(H, Math.ceil(meta.height * s - 1e-9));
  const x = Math.floor((sw - W) / 2);
  const y = Math.floor((sh - H) / 2);
  return `scale=${sw}:${sh}:flags=${flags},crop=${W}:${H}:${x}:${y},format=rgb24,showinfo`;
}

export async function* readFrames(file: string, meta: VideoMeta, opts: FrameStreamOptions): AsyncGenerator<RawFrame> {
  const frameBytes = opts.width * opts.height * 3;
  if (!(Number.isInteger(opts.width) && Number.isInteger(opts.height) && opts.width > 0 && opts.height > 0)) {
    throw new RangeError(`Output size must be positive integers, got ${opts.width}×${opts.height}.`);
  }
  const seek = Math.max(0, opts.seekSec ?? 0);
  const args = ['-hide_banner', '-nostdin', '-nostats', '-v', 'info'];
  if (seek > 0) args.push('-ss', seek.toFixed(6));
  args.push('-i', file, '-map', `0:${meta.streamIndex}`, '-an', '-sn', '-dn');
  if (opts.durationSec !== undefined) args.push('-t', Math.max(opts.durationSec, 1e-3).toFixed(6));
  args.push('-vf', filterChain(meta, opts), '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  let child;
  try {
    child = spawn(ffmpegPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new VideoError('FFMPEG_FAILED', `Could not start ffmpeg: ${(err as Error).message}`);
  }
  const proc = child;

  const ready: RawFrame[] = [];
  const noTime: Buffer[] = [];
  const times: number[] = [];
  let acc: Buffer[] = [];
  let accBytes = 0;
  let delivered = 0;
  let stderrLine = '';
  const errLog = new TailBuffer(16 * 1024);
  let closed = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let spawnError: Error | null = null;
  let killedByUs = false;
  let paused = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  let parsedAnyTime = false;
  const pair = () => {
    while (noTime.length > 0 && times.length > 0) {
      ready.push({ rgb: noTime.shift()!, time: times.shift()!, n: delivered++ });
    }
    // No showinfo line understood after many frames (an ffmpeg whose log format differs):
    // stop waiting for times, which would stall the pipe, and use the nominal rate instead.
    if (!parsedAnyTime && noTime.length >= 32) {
      while (noTime.length > 0) ready.push({ rgb: noTime.shift()!, time: Number.NaN, n: delivered++ });
    }
    if ((ready.length > 8 || (parsedAnyTime && noTime.length > 8)) && !paused) {
      proc.stdout.pause();
      paused = true;
    }
    if (ready.length > 0) notify();
  };

  proc.stdout.on('data', (chunk: Buffer) => {
    acc.push(chunk);
    accBytes += chunk.length;
    if (accBytes < frameBytes) return;
    let buf = Buffer.concat(acc, accBytes);
    let off = 0;
    while (buf.length - off >= frameBytes) {
      noTime.push(Buffer.from(buf.subarray(off, off + frameBytes)));
      off += frameBytes;
    }
    buf = buf.subarray(off);
    acc = buf.length > 0 ? [buf] : [];
    accBytes = buf.length;
    pair();
  });
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk: string) => {
    stderrLine += chunk;
    const lines = stderrLine.split(/\r?\n/);
    stderrLine = lines.pop() ?? '';
    for (const line of lines) {
      const m = line.includes('showinfo') ? SHOWINFO.exec(line) : null;
      if (m) {
        const t = Number(m[3]);
        times.push(Number.isFinite(t) ? roundUs(t + seek) : Number.NaN);
        parsedAnyTime = true;
      } else if (!line.includes('showinfo')) {
        errLog.push(line + '\n');
      }
    }
    pair();
  });
  proc.on('error', (err) => {
    spawnError = err;
  });
  proc.on('close', (code, signal) => {
    closed = true;
    exitCode = code;
    exitSignal = signal;
    // Should showinfo's format ever change, keep the frames; their times are filled in below.
    while (noTime.length > 0) ready.push({ rgb: noTime.shift()!, time: Number.NaN, n: delivered++ });
    notify();
  });
  const onAbort = () => {
    killedByUs = true;
    proc.kill('SIGKILL');
    notify();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = opts.timeoutMs ?? ffmpegTimeoutMs();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    onAbort();
  }, timeoutMs);
  timer.unref();

  try {
    for (;;) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('Aborted');
      if (timedOut) throw timeoutError('ffmpeg', timeoutMs);
      const frame = ready.shift();
      if (frame) {
        if (paused && ready.length + noTime.length < 4) {
          paused = false;
          proc.stdout.resume();
        }
        // Unparsable pts: fall back to the nominal rate.
        if (!Number.isFinite(frame.time)) frame.time = roundUs(seek + frame.n / meta.fps);
        yield frame;
        continue;
      }
      if (closed) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (spawnError) throw new VideoError('FFMPEG_FAILED', `Could not run ffmpeg: ${(spawnError as Error).message}`);
    if (timedOut) throw timeoutError('ffmpeg', timeoutMs);
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('Aborted');
    if (killedByUs) return;
    if (exitSignal) throw new VideoError('FFMPEG_FAILED', `ffmpeg was killed (${exitSignal}).`);
    if (exitCode !== 0) {
      const log = errLog.toString();
      const corrupt = /invalid data|error while decoding|corrupt|partial file|truncat|moov atom|end of file|invalid nal|missing picture|no frame/i.test(log);
      throw new VideoError(
        corrupt ? 'CORRUPT' : 'FFMPEG_FAILED',
        corrupt
          ? `The video could not be decoded: it is damaged or incomplete (${lastLines(log, 2)}).`
          : `ffmpeg failed with exit code ${exitCode} (${lastLines(log, 2)}).`,
        { stderr: log },
      );
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!closed) {
      killedByUs = true;
      proc.kill('SIGKILL');
    }
  }
}

/** Microsecond rounding: ffmpeg's printed times carry no more, and 0.68 reads better than 0.6799999999999999. */
function roundUs(t: number): number {
  return Math.round(t * 1e6) / 1e6;
}
