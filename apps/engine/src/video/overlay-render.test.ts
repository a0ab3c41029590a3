/**
 * `fep overlay` (renderOverlay) redraws what `fep explain` drew: the same clip frames decoded
 * again from the video, the same blend, so the PNG frames are byte-identical; the MP4 has one frame
 * per clip frame. And the input rules of packages/shared/src/trust.ts on real files: a SynthActions
 * clip (the built-in model's training data) passes them, an ffmpeg `testsrc` pattern breaks them.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessTrust } from '@fep/shared/trust';
import { channelStats } from '../explain-video.ts';
import { BUILTIN_MODEL_DIR } from '../model/load-model.ts';
import { readManifest } from '../model/manifest.ts';
import { generateClip } from '../synth/synth-actions.ts';
import { decodeClip } from './decode.ts';
import { encodeMp4 } from './encode.ts';
import { probeVideo } from './probe.ts';
import { renderOverlay, writeOverlayOutputs } from './overlay-render.ts';
import { ffmpeg, withTempDir } from './test-fixtures.ts';
import { runCapture, ffprobePath } from './ffmpeg.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
const T = 16;
const S = 112;

beforeAll(async () => {
  tmp = await withTempDir();
  const clip = generateClip({ seed: 5 });
  await encodeMp4(clip.frames, [T, S, S, 3], tmp.file('synth.mp4'), { fps: 8 });
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', tmp.file('testsrc.mp4'));
});
afterAll(async () => tmp?.cleanup());

describe('renderOverlay', () => {
  it('writes the same PNG frames as the explain path and an MP4 of T frames', async () => {
    const clip = await decodeClip(tmp.file('synth.mp4'), { frames: T, height: S, width: S });
    const saliency = new Float32Array(T * S * S).map((_, i) => (i % 97) / 97);
    const first = await writeOverlayOutputs(clip.data, saliency, [T, S, S], T / clip.windowSec, tmp.file('a'));
    const again = await renderOverlay({ video: tmp.file('synth.mp4'), saliency, shape: [T, S, S], startSec: clip.startSec, windowSec: clip.windowSec, out: tmp.file('b') });
    expect(again.frames).toEqual(first.frames);
    expect(again.timestamps).toEqual(clip.timestamps);
    for (const f of first.frames) expect((await readFile(path.join(tmp.file('b'), f))).equals(await readFile(path.join(tmp.file('a'), f)))).toBe(true);
    expect((await readdir(path.join(tmp.file('b'), 'overlays'))).length).toBe(T);
    const probe = await runCapture(ffprobePath(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', tmp.file('b/overlay.mp4')]);
    expect(probe.stdout.toString().trim()).toBe(`${S},${S},${T}`);
  });
});

describe('trust input rules on real videos', () => {
  const manifest = readManifest(BUILTIN_MODEL_DIR);
  const assess = async (file: string, probability: number) => {
    const meta = await probeVideo(file);
    const clip = await decodeClip(file, { frames: T, height: S, width: S, meta });
    return assessTrust({
      prediction: { label: 'move_down', probability, top5: [{ probability }] },
      classes: manifest.labels.length,
      video: { width: meta.width, height: meta.height, fps: meta.fps, durationSec: meta.durationSec },
      trainingData: manifest.trainingData,
      normalisation: { mean: manifest.input.mean, std: manifest.input.std },
      pixelStats: channelStats(clip.data, 3),
    }).map((w) => w.code);
  };

  it('a SynthActions clip raises nothing', async () => {
    expect(await assess(tmp.file('synth.mp4'), 1)).toEqual([]);
  });

  it('a testsrc pattern breaks every input rule, and a saturated score on it is suspicious', async () => {
    expect(await assess(tmp.file('testsrc.mp4'), 1)).toEqual([
      'RESOLUTION_UNLIKE_TRAINING',
      'FPS_UNLIKE_TRAINING',
      'DURATION_UNLIKE_TRAINING',
      'PIXEL_STATS_UNLIKE_TRAINING',
      'SATURATED_ON_UNFAMILIAR_INPUT',
    ]);
  });
});
