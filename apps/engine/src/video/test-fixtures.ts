import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffmpegPath, lastLines, runCapture } from './ffmpeg.ts';

/** Helpers for tests: real files made by the real ffmpeg in a temporary directory. */
export async function ffmpeg(...args: string[]): Promise<void> {
  const res = await runCapture(ffmpegPath(), ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
  if (res.code !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${lastLines(res.stderr)}`);
}

/** Reads a file's first frame(s) back as rgb24 (no scaling) — an independent decode path for assertions. */
export async function rawFrames(file: string, frames = 1): Promise<Buffer> {
  const res = await runCapture(ffmpegPath(), ['-v', 'error', '-i', file, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  if (res.code !== 0) throw new Error(`decode failed: ${lastLines(res.stderr)}`);
  return res.stdout;
}

export async function withTempDir(): Promise<{ dir: string; file: (name: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fep-video-'));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
