import { execFileSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedDetector } from '../testing/tiny-classifier.ts';
import { decodeClip } from './decode.ts';
import { encodeMp4 } from './encode.ts';
import { probeVideo, type VideoMeta } from './probe.ts';
import { findMostConfidentWindow } from './select-window.ts';
import { ffmpeg, withTempDir } from './test-fixtures.ts';
import { VideoError } from './video-error.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
let hang: string;
let small: string;
let smallMeta: VideoMeta;
const saved = { ...process.env };

/** Child processes of this process whose command is `name` (pgrep exits 1 when there is none). */
function children(name: string): string[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function until(cond: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

beforeAll(async () => {
  tmp = await withTempDir();
  // A stand-in for an ffmpeg/ffprobe that never finishes (exec: the killed process is sleep itself).
  hang = tmp.file('hang.sh');
  await writeFile(hang, '#!/bin/sh\nexec sleep 30\n');
  await chmod(hang, 0o755);
  small = tmp.file('small.mp4');
  await encodeMp4(new Float32Array(8 * 16 * 16 * 3).fill(0.5), [8, 16, 16, 3], small, { fps: 8, quality: 'lossless' });
  smallMeta = await probeVideo(small);
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(() => tmp.cleanup());

describe('ffmpeg and ffprobe time limits', () => {
  it('kills an ffprobe that runs past FFPROBE_TIMEOUT_MS and raises VideoError TIMEOUT', async () => {
    process.env.FFPROBE_PATH = hang;
    process.env.FFPROBE_TIMEOUT_MS = '300';
    const t0 = Date.now();
    const err = await probeVideo(small).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
    expect((err as VideoError).code).toBe('TIMEOUT');
    expect((err as VideoError).message).toMatch(/ffprobe did not finish within 0.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await until(() => children('sleep').length === 0, 2000)).toBe(true);
  });

  it('kills a decoding ffmpeg that runs past FFMPEG_TIMEOUT_MS and raises VideoError TIMEOUT', async () => {
    process.env.FFMPEG_PATH = hang;
    process.env.FFMPEG_TIMEOUT_MS = '300';
    const t0 = Date.now();
    const err = await decodeClip(small, { frames: 8, height: 16, width: 16, meta: smallMeta }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VideoError);
    expect((err as VideoError).code).toBe('TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await until(() => children('sleep').length === 0, 2000)).toBe(true);
  });

  it('rejects a bad FFMPEG_TIMEOUT_MS instead of running without a limit', async () => {
    process.env.FFMPEG_TIMEOUT_MS = 'soon';
    await expect(decodeClip(small, { frames: 8, height: 16, width: 16, meta: smallMeta })).rejects.toThrow(/FFMPEG_TIMEOUT_MS must be a positive number/);
  });
});

describe('window scan cancel', () => {
  it('stops the scan of a long high-frame-rate video within 2 s of the abort and kills ffmpeg', async () => {
    // 60 s at 300 fps: 18 000 frames of 64×64, like the hostile file that ignored cancel for 60 s.
    const file = tmp.file('long.mp4');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=300', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file);
    const model = createRedDetector({ frames: 8, height: 16, width: 16 });
    const controller = new AbortController();
    let scored = 0;
    let abortedAt = 0;
    try {
      const scan = findMostConfidentWindow(file, model, {
        signal: controller.signal,
        onWindow: () => {
          if (++scored === 20) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      });
      await expect(scan).rejects.toThrow(/abort/i);
      expect(Date.now() - abortedAt).toBeLessThan(2000);
      expect(scored).toBeLessThan(18_000 / 4);
      expect(await until(() => children('ffmpeg').length === 0, 2000)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
