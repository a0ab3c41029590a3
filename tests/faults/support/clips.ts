/** Video files for the fault cases: SynthActions clips, and hostile ones made with the bundled ffmpeg. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { ffmpegPath } from '@fep/engine/video/ffmpeg.ts';

/** A 16×112×112 SynthActions clip at 8 fps (2 s), what the shipped model takes in one window. */
export async function synthClip(dir: string, seed: number): Promise<string> {
  const clip = generateClip({ seed, classIndex: seed % 4 });
  const file = path.join(dir, `synth-${seed}.mp4`);
  await encodeMp4(clip.frames, [16, 112, 112, 3], file, { fps: 8, quality: 'lossless' });
  return file;
}

function lavfi(file: string, source: string, seconds: number, extra: string[] = []): string {
  execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', source, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...extra, file]);
  return file;
}

/** 64×64 at 300 fps for 590 s: ~177 000 frames in a few MB (a hostile file). */
export function highFrameCountClip(dir: string): string {
  return lavfi(path.join(dir, 'hostile-300fps.mp4'), 'testsrc=size=64x64:rate=300', 590, ['-crf', '40']);
}

/** 3840×2160, 8 fps, 2 s. */
export function uhdClip(dir: string): string {
  return lavfi(path.join(dir, 'hostile-4k.mp4'), 'testsrc=size=3840x2160:rate=8', 2);
}

/** A few MB of 320×240 video, large enough to interrupt mid-upload. */
export function largeClip(dir: string): string {
  return lavfi(path.join(dir, 'large.mp4'), 'testsrc2=size=320x240:rate=25', 6, ['-qp', '0']);
}
