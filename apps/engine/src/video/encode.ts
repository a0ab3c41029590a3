import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegPath, ffmpegTimeoutMs, lastLines, TailBuffer, timeoutError } from './ffmpeg.ts';
import { encodePng } from './png.ts';
import { VideoError } from './video-error.ts';

/**
 * Writing frames back out: H.264 .mp4 files (synthetic clips, overlay videos) and PNG overlay
 * frames. Every writer goes through a temporary sibling and a rename, so a failure never
 * leaves a half-written file under the requested name.
 */
export type Mp4Quality = 'web' | 'lossless';

export interface EncodeMp4Options {
  fps: number;
  /**
   * 'web' (default): H.264 High, yuv420p, CRF 18 — x264's "visually lossless" point (x264/ffmpeg
   * H.264 encoding guide), playable in every browser.
   * 'lossless': H.264 High 4:4:4 Predictive, yuv444p, QP 0 — mathematically lossless in YUV
   * (RGB↔YUV rounding of ±1 level remains); for clips fed back to a model. Browsers other than
   * Chromium may not play it.
   */
  quality?: Mp4Quality;
  /** CRF override for 'web'. */
  crf?: number;
}

/** A same-directory temporary name: rename() onto the target is then atomic. */
export function tempSibling(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function toByte(v: number): number {
  const b = Math.round(v * 255);
  return b < 0 ? 0 : b > 255 ? 255 : b;
}

/** One frame of a [T,H,W,3] volume as rgb24 bytes. Accepts [0,1] floats or bytes. */
export function frameBytes(frames: Float32Array | Uint8Array, t: number, height: number, width: number): Buffer {
  const size = height * width * 3;
  const out = Buffer.alloc(size);
  const base = t * size;
  if (frames instanceof Uint8Array) {
    out.set(frames.subarray(base, base + size));
  } else {
    for (let j = 0; j < size; j++) out[j] = toByte(frames[base + j]!);
  }
  return out;
}

/** Encodes frames [T,H,W,3] (floats in [0,1] or rgb24 bytes) to an .mp4 via ffmpeg reading rawvideo on stdin. */
export async function encodeMp4(
  frames: Float32Array | Uint8Array,
  shape: readonly [number, number, number, number?],
  outFile: string,
  opts: EncodeMp4Options,
): Promise<void> {
  const [T, H, W] = shape;
  if (frames.length !== T * H * W * 3) throw new RangeError(`Frames hold ${frames.length} values, shape says ${T * H * W * 3}.`);
  if (!(opts.fps > 0)) throw new RangeError(`fps must be positive, got ${opts.fps}.`);
  const quality = opts.quality ?? 'web';
  const codecArgs =
    quality === 'lossless'
      ? ['-c:v', 'libx264', '-preset', 'medium', '-qp', '0', '-pix_fmt', 'yuv444p']
      : ['-c:v', 'libx264', '-preset', 'medium', '-crf', String(opts.crf ?? 18), '-pix_fmt', 'yuv420p',
         // yuv420p needs even sizes: pad odd ones by one pixel (edge-replicated would need a filter graph; black is fine).
         ...(W % 2 || H % 2 ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [])];
  const tmp = tempSibling(outFile);
  const args = [
    '-hide_banner', '-nostats', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-r', String(opts.fps), '-i', 'pipe:0',
    ...codecArgs, '-movflags', '+faststart', '-f', 'mp4', tmp,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpegPath(), args, { stdio: ['pipe', 'ignore', 'pipe'] });
      const log = new TailBuffer(16 * 1024);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (c: string) => log.push(c));
      let failed: Error | null = null;
      const timeoutMs = ffmpegTimeoutMs();
      const timer = setTimeout(() => {
        failed = timeoutError('ffmpeg', timeoutMs);
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (err) => {
        failed = new VideoError('FFMPEG_FAILED', `Could not run ffmpeg: ${err.message}`);
      });
      child.stdin.on('error', () => {
        /* surfaced through the exit code */
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (failed) return reject(failed);
        if (code === 0) return resolve();
        reject(new VideoError('FFMPEG_FAILED', `ffmpeg could not encode ${path.basename(outFile)} (${signal ?? code}: ${lastLines(log.toString(), 2)}).`));
      });
      void (async () => {
        for (let t = 0; t < T; t++) {
          if (child.stdin.destroyed) return;
          if (!child.stdin.write(frameBytes(frames, t, H, W))) {
            await new Promise<void>((r) => {
              child.stdin.once('drain', r);
              child.stdin.once('close', r);
            });
          }
        }
        child.stdin.end();
      })();
    });
    await rename(tmp, outFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Jet colour map (piecewise-linear approximation of MATLAB's jet), the palette of the EP/F-EP
 * papers' figures and TorchRay's `imsc` overlays.
 */
export function jet(v: number): [number, number, number] {
  const x = v < 0 ? 0 : v > 1 ? 1 : v;
  const c = (y: number) => (y < 0 ? 0 : y > 1 ? 1 : y);
  return [c(1.5 - Math.abs(4 * x - 3)), c(1.5 - Math.abs(4 * x - 2)), c(1.5 - Math.abs(4 * x - 1))];
}

export interface OverlayOptions {
  /** Strength of the heat map where saliency is maximal. Default 0.6. */
  alpha?: number;
  /**
   * Min–max scaling to [0,1]. 'global' (default): over the whole volume, so frames compare with
   * each other; 'frame': each frame on its own. Min–max rather than divide-by-max because an
   * under-optimised mask can sit in, say, [0.65, 0.95], which divide-by-max paints uniformly hot.
   */
  normalize?: 'global' | 'frame';
}

/**
 * Saliency heat map blended onto the frames: pixel = frame·(1 − α·s) + jet(s)·α·s, with s the
 * normalised saliency, so unimportant regions stay as they were and important ones glow.
 * Returns rgb24 frames [T,H,W,3].
 */
export function overlayFrames(
  frames: Float32Array,
  saliency: Float32Array,
  shape: readonly [number, number, number],
  opts: OverlayOptions = {},
): Uint8Array {
  const [T, H, W] = shape;
  if (frames.length !== T * H * W * 3 || saliency.length !== T * H * W) {
    throw new RangeError('Frames and saliency do not match the given [T,H,W] shape.');
  }
  const alpha = opts.alpha ?? 0.6;
  const out = new Uint8Array(T * H * W * 3);
  const plane = H * W;
  const range = (from: number, to: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = from; i < to; i++) {
      const v = saliency[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [lo, hi];
  };
  const globalRange = range(0, saliency.length);
  for (let t = 0; t < T; t++) {
    const [lo, hi] = opts.normalize === 'frame' ? range(t * plane, (t + 1) * plane) : globalRange;
    const span = hi - lo;
    for (let p = 0; p < plane; p++) {
      const s = span > 0 ? (saliency[t * plane + p]! - lo) / span : 0;
      const [r, g, b] = jet(s);
      const w = alpha * s;
      const o = (t * plane + p) * 3;
      out[o] = toByte(frames[o]! * (1 - w) + r * w);
      out[o + 1] = toByte(frames[o + 1]! * (1 - w) + g * w);
      out[o + 2] = toByte(frames[o + 2]! * (1 - w) + b * w);
    }
  }
  return out;
}

/** Writes `prefix_000.png` … into `dir` (created if needed); returns the file names. */
export async function writePngFrames(
  dir: string,
  rgbFrames: Uint8Array,
  shape: readonly [number, number, number],
  prefix = 'frame',
): Promise<string[]> {
  const [T, H, W] = shape;
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  const digits = Math.max(3, String(T - 1).length);
  for (let t = 0; t < T; t++) {
    const name = `${prefix}_${String(t).padStart(digits, '0')}.png`;
    const size = H * W * 3;
    await writeFileAtomic(path.join(dir, name), encodePng(rgbFrames.subarray(t * size, (t + 1) * size), W, H, 3));
    names.push(name);
  }
  return names;
}
