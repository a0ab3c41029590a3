import { readdir, readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClip } from './decode.ts';
import { encodeMp4, jet, overlayFrames, writePngFrames } from './encode.ts';
import { crc32, encodePng } from './png.ts';
import { probeVideo } from './probe.ts';
import { rawFrames, withTempDir } from './test-fixtures.ts';
import { VideoError } from './video-error.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
const f = (name: string) => tmp.file(name);

/** A smooth moving gradient, [T,H,W,3] in [0,1]. */
function gradient(T: number, H: number, W: number): Float32Array {
  const d = new Float32Array(T * H * W * 3);
  for (let t = 0; t < T; t++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const o = ((t * H + y) * W + x) * 3;
        d[o] = x / (W - 1);
        d[o + 1] = y / (H - 1);
        d[o + 2] = (t + 1) / (T + 1);
      }
  return d;
}

beforeAll(async () => {
  tmp = await withTempDir();
});
afterAll(() => tmp.cleanup());

describe('encodeMp4', () => {
  it('writes a browser-friendly H.264 yuv420p mp4 that decodes back close to the input', async () => {
    const [T, H, W] = [12, 32, 48];
    const frames = gradient(T, H, W);
    await encodeMp4(frames, [T, H, W, 3], f('web.mp4'), { fps: 12 });
    const meta = await probeVideo(f('web.mp4'));
    expect(meta).toMatchObject({ codec: 'h264', fps: 12, frameCount: T, width: W, height: H });
    const back = await decodeClip(f('web.mp4'), { frames: T, height: H, width: W, meta });
    let err = 0;
    for (let i = 0; i < frames.length; i++) err += Math.abs(back.data[i]! - frames[i]!);
    expect(err / frames.length).toBeLessThan(4 / 255);
  });

  it('lossless mode reproduces frames to within YUV rounding', async () => {
    const [T, H, W] = [4, 16, 16];
    const frames = gradient(T, H, W);
    await encodeMp4(frames, [T, H, W, 3], f('lossless.mp4'), { fps: 8, quality: 'lossless' });
    const back = await decodeClip(f('lossless.mp4'), { frames: T, height: H, width: W });
    let maxErr = 0;
    for (let i = 0; i < frames.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i]! - frames[i]!));
    expect(maxErr).toBeLessThanOrEqual(3 / 255);
  });

  it('pads odd sizes for yuv420p', async () => {
    await encodeMp4(gradient(2, 15, 17), [2, 15, 17, 3], f('odd.mp4'), { fps: 5 });
    expect(await probeVideo(f('odd.mp4'))).toMatchObject({ width: 18, height: 16 });
  });

  it('leaves nothing behind when ffmpeg fails', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = '/bin/false';
    try {
      const err = await encodeMp4(gradient(2, 8, 8), [2, 8, 8, 3], f('fail.mp4'), { fps: 5 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VideoError);
      expect((err as VideoError).code).toBe('FFMPEG_FAILED');
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
    expect((await readdir(tmp.dir)).filter((n) => n.includes('fail'))).toEqual([]);
  });

  it('rejects frames that do not match the shape', async () => {
    await expect(encodeMp4(new Float32Array(10), [2, 8, 8, 3], f('bad.mp4'), { fps: 5 })).rejects.toThrow(RangeError);
  });
});

describe('PNG and overlays', () => {
  it('encodes PNGs that ffmpeg decodes to the same bytes', async () => {
    const [H, W] = [7, 9];
    const px = new Uint8Array(H * W * 3).map((_, i) => (i * 37) % 256);
    const names = await writePngFrames(f('png'), px, [1, H, W]);
    expect(names).toEqual(['frame_000.png']);
    const back = await rawFrames(f('png/frame_000.png'));
    expect(Buffer.compare(back, Buffer.from(px))).toBe(0);
  });

  it('has valid chunk checksums and scanlines', () => {
    const png = encodePng(new Uint8Array([255, 0, 0, 0, 255, 0]), 2, 1);
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082); // the constant every PNG ends with
    expect(png.subarray(png.length - 4).readUInt32BE()).toBe(0xae426082);
    const idatLen = png.readUInt32BE(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(1 + 6);
    expect(() => encodePng(new Uint8Array(5), 2, 1)).toThrow(RangeError);
  });

  it('leaves frames untouched where saliency is zero and tints the maximum', () => {
    const shape = [2, 2, 2] as const;
    const frames = new Float32Array(2 * 2 * 2 * 3).fill(0.5);
    const sal = new Float32Array(8);
    sal[3] = 2; // frame 0, pixel (1,1): the global maximum
    sal[4] = 1; // frame 1, pixel (0,0): half of it
    const out = overlayFrames(frames, sal, shape, { alpha: 1 });
    expect(Array.from(out.subarray(0, 3))).toEqual([128, 128, 128]);
    expect(Array.from(out.subarray(9, 12))).toEqual(jet(1).map((v) => Math.round(v * 255)));
    const half = jet(0.5).map((v) => Math.round((0.5 * 0.5 + v * 0.5) * 255));
    expect(Array.from(out.subarray(12, 15))).toEqual(half);
    const perFrame = overlayFrames(frames, sal, shape, { alpha: 1, normalize: 'frame' });
    expect(Array.from(perFrame.subarray(12, 15))).toEqual(jet(1).map((v) => Math.round(v * 255)));
    // Min–max: a volume offset by a constant renders the same; a constant volume renders nothing.
    const shifted = overlayFrames(frames, sal.map((v) => v + 0.5), shape, { alpha: 1 });
    expect(Buffer.compare(Buffer.from(shifted), Buffer.from(out))).toBe(0);
    const flat = overlayFrames(frames, new Float32Array(8).fill(0.7), shape);
    expect(flat.every((v) => v === 128)).toBe(true);
  });

  it('jet runs blue → green → red', () => {
    expect(jet(0)).toEqual([0, 0, 0.5]);
    expect(jet(0.5)).toEqual([0.5, 1, 0.5]);
    expect(jet(1)).toEqual([0.5, 0, 0]);
  });
});
