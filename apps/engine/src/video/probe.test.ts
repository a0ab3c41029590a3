import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from './probe.ts';
import { ffmpeg, withTempDir } from './test-fixtures.ts';
import { VideoError } from './video-error.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
const f = (name: string) => tmp.file(name);

beforeAll(async () => {
  tmp = await withTempDir();
  const src = ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=2'];
  await ffmpeg(...src, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', f('plain.mp4'));
  await ffmpeg(...src, '-f', 'lavfi', '-i', 'sine=duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-shortest', f('with-audio.mp4'));
  await ffmpeg(...src, '-c:v', 'libvpx-vp9', f('plain.webm'));
  await ffmpeg('-i', f('plain.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', f('rotated.mp4'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=duration=1', f('audio.m4a'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25', '-frames:v', '0', '-c:v', 'libx264', f('zero.avi'));
  await writeFile(f('notes.txt'), 'This is a text file, not a video.\n'.repeat(20));
  await writeFile(f('empty.mp4'), '');
  const mp4 = await readFile(f('plain.mp4'));
  // The default mp4 muxer puts the index (moov) at the end: cutting the tail loses it.
  await writeFile(f('truncated.mp4'), mp4.subarray(0, Math.floor(mp4.length * 0.6)));
});
afterAll(() => tmp.cleanup());

async function probeError(file: string, limits = {}): Promise<VideoError> {
  const err = await probeVideo(file, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VideoError);
  return err as VideoError;
}

describe('probeVideo', () => {
  it('reads fps, frame count, duration, size and codec', async () => {
    const meta = await probeVideo(f('plain.mp4'));
    expect(meta).toMatchObject({
      fps: 25,
      frameCount: 50,
      frameCountSource: 'nb_frames',
      width: 64,
      height: 48,
      codec: 'h264',
      rotation: 0,
      hasAudio: false,
      firstFrameTime: 0,
    });
    expect(meta.durationSec).toBeCloseTo(2, 2);
  });

  it('derives the frame count from duration × fps when the container has no nb_frames (WebM)', async () => {
    const meta = await probeVideo(f('plain.webm'));
    expect(meta.codec).toBe('vp9');
    expect(meta.frameCountSource).toBe('duration');
    expect(meta.frameCount).toBe(50);
  });

  it('notices audio next to video', async () => {
    expect((await probeVideo(f('with-audio.mp4'))).hasAudio).toBe(true);
  });

  it('reports display rotation and swaps width/height for quarter turns', async () => {
    const meta = await probeVideo(f('rotated.mp4'));
    expect([90, 270]).toContain(meta.rotation);
    expect(meta).toMatchObject({ width: 48, height: 64, codedWidth: 64, codedHeight: 48 });
  });

  it('rejects a text file as NOT_A_VIDEO', async () => {
    const err = await probeError(f('notes.txt'));
    expect(err.code).toBe('NOT_A_VIDEO');
    expect(err.message).toMatch(/not a video/i);
  });

  it('rejects an empty file as NOT_A_VIDEO', async () => {
    expect((await probeError(f('empty.mp4'))).code).toBe('NOT_A_VIDEO');
  });

  it('rejects an audio-only file as NO_VIDEO_STREAM', async () => {
    const err = await probeError(f('audio.m4a'));
    expect(err.code).toBe('NO_VIDEO_STREAM');
    expect(err.message).toMatch(/audio but no video/);
  });

  it('rejects a video stream without frames as ZERO_FRAMES', async () => {
    expect((await probeError(f('zero.avi'))).code).toBe('ZERO_FRAMES');
  });

  it('reports an mp4 that lost its tail as CORRUPT, not NOT_A_VIDEO', async () => {
    const err = await probeError(f('truncated.mp4'));
    expect(err.code).toBe('CORRUPT');
    expect(err.message).toMatch(/damaged or incomplete/);
  });

  it('enforces resolution limits in either orientation', async () => {
    const err = await probeError(f('plain.mp4'), { maxLongSide: 60 });
    expect(err.code).toBe('TOO_LARGE_RESOLUTION');
    expect(err.message).toContain('64×48');
    expect((await probeError(f('rotated.mp4'), { maxShortSide: 40 })).code).toBe('TOO_LARGE_RESOLUTION');
    await expect(probeVideo(f('rotated.mp4'), { maxLongSide: 64, maxShortSide: 48 })).resolves.toBeTruthy();
  });

  it('enforces the duration limit', async () => {
    const err = await probeError(f('plain.mp4'), { maxDurationSec: 1.5 });
    expect(err.code).toBe('TOO_LONG');
    expect(err.details).toMatchObject({ maxDurationSec: 1.5 });
  });

  it('honours FFPROBE_PATH and reports a missing binary as FFMPEG_FAILED', async () => {
    const saved = process.env.FFPROBE_PATH;
    process.env.FFPROBE_PATH = f('no-such-ffprobe');
    try {
      expect((await probeError(f('plain.mp4'))).code).toBe('FFMPEG_FAILED');
    } finally {
      if (saved === undefined) delete process.env.FFPROBE_PATH;
      else process.env.FFPROBE_PATH = saved;
    }
  });
});
