import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeClip, decodeWindows, sampleWindows } from './decode.ts';
import { encodeMp4 } from './encode.ts';
import { probeVideo } from './probe.ts';
import { ffmpeg, withTempDir } from './test-fixtures.ts';
import { VideoError } from './video-error.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
const f = (name: string) => tmp.file(name);
const N = 30; // frames in the index-coded clip
const FPS = 10;
const STEP = 8; // grey level per frame index

/** Frame k is uniformly grey at level 8k, so any decoded frame tells which source frame it was. */
function indexCoded(n: number, size = 16): Float32Array {
  const data = new Float32Array(n * size * size * 3);
  for (let k = 0; k < n; k++) data.fill((k * STEP) / 255, k * size * size * 3, (k + 1) * size * size * 3);
  return data;
}

function frameIndexOf(data: Float32Array, t: number, H: number, W: number): number {
  const size = H * W * 3;
  let sum = 0;
  for (let j = 0; j < size; j++) sum += data[t * size + j]!;
  return Math.round(((sum / size) * 255) / STEP);
}

beforeAll(async () => {
  tmp = await withTempDir();
  await encodeMp4(indexCoded(N), [N, 16, 16, 3], f('index.mp4'), { fps: FPS, quality: 'lossless' });
  const mp4 = await readFile(f('index.mp4')); // faststart: index first, so a cut file still probes
  await writeFile(f('index-cut.mp4'), mp4.subarray(0, Math.floor(mp4.length * 0.5)));
  // Three vertical bands red | green | blue, 96×32.
  await ffmpeg(
    '-f', 'lavfi', '-i', 'color=red:size=96x32:rate=10:duration=1,drawbox=x=32:y=0:w=32:h=32:color=lime:t=fill,drawbox=x=64:y=0:w=32:h=32:color=blue:t=fill',
    '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', f('bands.mp4'),
  );
  // Left half red, right half blue, with a display rotation.
  await ffmpeg('-f', 'lavfi', '-i', 'color=red:size=32x16:rate=10:duration=1,drawbox=x=16:y=0:w=16:h=16:color=blue:t=fill',
    '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', f('lr.mp4'));
  await ffmpeg('-i', f('lr.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', f('lr-rotated.mp4'));
});
afterAll(() => tmp.cleanup());

describe('decodeClip', () => {
  it('samples T consecutive frames at the native rate, with their source timestamps', async () => {
    const clip = await decodeClip(f('index.mp4'), { frames: 8, height: 16, width: 16, startSec: 1.0 });
    expect(clip.shape).toEqual([8, 16, 16, 3]);
    expect(clip.data.length).toBe(8 * 16 * 16 * 3);
    expect(clip.sourceFrameIndices).toEqual([10, 11, 12, 13, 14, 15, 16, 17]);
    expect(Array.from({ length: 8 }, (_, t) => frameIndexOf(clip.data, t, 16, 16))).toEqual(clip.sourceFrameIndices);
    clip.timestamps.forEach((ts, i) => expect(ts).toBeCloseTo(1.0 + i / FPS, 5));
    expect(clip.paddedFrames).toBe(0);
    expect(Math.min(...clip.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...clip.data)).toBeLessThanOrEqual(1);
  });

  it('spreads T frames evenly over a longer window', async () => {
    const clip = await decodeClip(f('index.mp4'), { frames: 8, height: 16, width: 16, startSec: 0, windowSec: 2.4 });
    expect(clip.sourceFrameIndices).toEqual([0, 3, 6, 9, 12, 15, 18, 21]);
    expect(Array.from({ length: 8 }, (_, t) => frameIndexOf(clip.data, t, 16, 16))).toEqual(clip.sourceFrameIndices);
  });

  it('picks the frame on screen at a start time between two frames', async () => {
    const clip = await decodeClip(f('index.mp4'), { frames: 2, height: 16, width: 16, startSec: 0.55 });
    expect(clip.sourceFrameIndices).toEqual([5, 6]);
  });

  it('pads with the last frame when the window runs past the end of the video', async () => {
    const clip = await decodeClip(f('index.mp4'), { frames: 8, height: 16, width: 16, startSec: 2.5 });
    expect(clip.sourceFrameIndices).toEqual([25, 26, 27, 28, 29, 29, 29, 29]);
    expect(clip.paddedFrames).toBe(3);
    expect(frameIndexOf(clip.data, 7, 16, 16)).toBe(29);
  });

  it('reports frames the container promises but cannot deliver as CORRUPT', async () => {
    const meta = await probeVideo(f('index-cut.mp4'));
    expect(meta.frameCount).toBe(N); // the index survived, the data did not
    const err = await decodeClip(f('index-cut.mp4'), { frames: 8, height: 16, width: 16, startSec: 2.0, meta }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
    expect((err as VideoError).code).toBe('CORRUPT');
  });

  it('reports a missing or failing ffmpeg as FFMPEG_FAILED (not CORRUPT, and without hanging)', async () => {
    const meta = await probeVideo(f('index.mp4'));
    const saved = process.env.FFMPEG_PATH;
    try {
      for (const bin of [f('no-such-ffmpeg'), '/bin/false']) {
        process.env.FFMPEG_PATH = bin;
        const err = await decodeClip(f('index.mp4'), { frames: 4, height: 16, width: 16, meta }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(VideoError);
        expect((err as VideoError).code).toBe('FFMPEG_FAILED');
        expect((err as VideoError).isUserError).toBe(false);
      }
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });

  it('rejects a start time outside the video', async () => {
    await expect(decodeClip(f('index.mp4'), { frames: 4, height: 16, width: 16, startSec: 3.5 })).rejects.toThrow(RangeError);
    await expect(decodeClip(f('index.mp4'), { frames: 0, height: 16, width: 16 })).rejects.toThrow(RangeError);
  });

  it('centre-crops by default and stretches with fit=resize', async () => {
    const at = (d: Float32Array, W: number, x: number, y: number) => [0, 1, 2].map((c) => Math.round(d[(y * W + x) * 3 + c]! * 255));
    const crop = await decodeClip(f('bands.mp4'), { frames: 1, height: 16, width: 16 });
    for (const x of [0, 8, 15]) {
      const [r, g, b] = at(crop.data, 16, x, 8);
      expect(g).toBeGreaterThan(200); // only the middle (green) band survives the crop
      expect(r).toBeLessThan(40);
      expect(b).toBeLessThan(40);
    }
    const resized = await decodeClip(f('bands.mp4'), { frames: 1, height: 16, width: 16, fit: 'resize' });
    const left = at(resized.data, 16, 1, 8);
    const mid = at(resized.data, 16, 8, 8);
    const right = at(resized.data, 16, 14, 8);
    expect(left[0]).toBeGreaterThan(200);
    expect(mid[1]).toBeGreaterThan(200);
    expect(right[2]).toBeGreaterThan(200);
  });

  it('honours the display rotation', async () => {
    const meta = await probeVideo(f('lr-rotated.mp4'));
    expect(meta.rotation).not.toBe(0);
    const clip = await decodeClip(f('lr-rotated.mp4'), { frames: 1, height: 32, width: 16, fit: 'resize', meta });
    const px = (x: number, y: number) => [0, 1, 2].map((c) => clip.data[(y * 16 + x) * 3 + c]!);
    // Source: red left half, blue right half. A clockwise quarter turn brings the left half to
    // the top; a counter-clockwise one (= 270° clockwise) brings the right half there.
    const top = px(8, 2);
    const bottom = px(8, 29);
    const [topColour, bottomColour] = meta.rotation === 90 ? ['red', 'blue'] : ['blue', 'red'];
    const colour = (p: number[]) => (p[0]! > 0.8 && p[2]! < 0.2 ? 'red' : p[2]! > 0.8 && p[0]! < 0.2 ? 'blue' : 'other');
    expect(colour(top)).toBe(topColour);
    expect(colour(bottom)).toBe(bottomColour);
  });
});

describe('sampleWindows / decodeWindows', () => {
  it('plans strided windows plus one flush with the end', () => {
    const windows = sampleWindows({ frameCount: 30, fps: 10, firstFrameTime: 0 }, 8, 8);
    expect(windows.map((w) => w.startFrame)).toEqual([0, 8, 16, 22]);
    expect(windows[1]).toMatchObject({ startSec: 0.8, windowSec: 0.8 });
    expect(sampleWindows({ frameCount: 5, fps: 10, firstFrameTime: 0 }, 8, 4).map((w) => w.startFrame)).toEqual([0]);
    expect(() => sampleWindows({ frameCount: 5, fps: 10, firstFrameTime: 0 }, 8, 0)).toThrow(RangeError);
  });

  it('decodes every window in one pass, matching the plan and the frames', async () => {
    const meta = await probeVideo(f('index.mp4'));
    const plan = sampleWindows(meta, 8, 8);
    const seen: number[][] = [];
    for await (const w of decodeWindows(f('index.mp4'), { frames: 8, height: 16, width: 16, stride: 8, meta })) {
      expect(Array.from({ length: 8 }, (_, t) => frameIndexOf(w.data, t, 16, 16))).toEqual(w.sourceFrameIndices);
      w.timestamps.forEach((ts, i) => expect(ts).toBeCloseTo(w.sourceFrameIndices[i]! / FPS, 5));
      seen.push(w.sourceFrameIndices);
    }
    expect(seen.map((s) => s[0])).toEqual(plan.map((w) => w.startFrame));
    expect(seen.at(-1)).toEqual([22, 23, 24, 25, 26, 27, 28, 29]);
  });

  it('pads a video shorter than T into a single window', async () => {
    const windows = [];
    for await (const w of decodeWindows(f('index.mp4'), { frames: 40, height: 16, width: 16, stride: 8 })) windows.push(w);
    expect(windows).toHaveLength(1);
    expect(windows[0]!.paddedFrames).toBe(10);
    expect(windows[0]!.sourceFrameIndices.slice(-11)).toEqual(new Array(11).fill(29));
  });

  it('falls back to the nominal rate when ffmpeg logs no frame times (e.g. another ffmpeg build)', async () => {
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=32x32:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', f('fifty.mp4'));
    // A wrapper that swallows ffmpeg's log, so no showinfo line ever arrives.
    const { ffmpegPath } = await import('./ffmpeg.ts');
    const wrapper = f('quiet-ffmpeg.sh');
    await writeFile(wrapper, `#!/bin/sh\nexec "${ffmpegPath()}" "$@" 2>/dev/null\n`, { mode: 0o755 });
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = wrapper;
    try {
      const starts: number[] = [];
      let last: number[] = [];
      for await (const w of decodeWindows(f('fifty.mp4'), { frames: 16, height: 8, width: 8, stride: 16 })) {
        starts.push(w.window.startFrame);
        last = w.timestamps;
      }
      expect(starts).toEqual([0, 16, 32, 34]);
      last.forEach((ts, i) => expect(ts).toBeCloseTo((34 + i) / 25, 6));
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    let n = 0;
    for await (const _ of decodeWindows(f('index.mp4'), { frames: 4, height: 16, width: 16, stride: 1 })) {
      if (++n === 2) break;
    }
    expect(n).toBe(2); // returning at all shows the generator killed ffmpeg instead of draining it
  });
});
