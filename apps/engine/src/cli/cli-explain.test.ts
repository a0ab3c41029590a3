import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { classProbabilities } from '../explain-video.ts';
import { fileSystemSaver } from '../model/fs-io.ts';
import { loadModel } from '../model/load-model.ts';
import { computeWeightsSha256, MANIFEST_FILE, type FepModelManifest } from '../model/manifest.ts';
import { buildR2Plus1D } from '../model/r2plus1d.ts';
import { readNpy } from '../synth/npy.ts';
import { generateClip, SYNTH_ACTIONS_LABELS } from '../synth/synth-actions.ts';
import { decodeClip } from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import { withTempDir } from '../video/test-fixtures.ts';
import { runInProcess } from './run-in-process.ts';
import { METHOD_NAMES } from '../methods/names.ts';

/**
 * End to end through the real bin: `fep synth` → `fep explain`, against a small but real
 * (2+1)D network saved in the shipped model format (fep-model.json + TF.js files), so the
 * test exercises the loader, the methods and the metrics without the cost of the 112-px model.
 */
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/fep.mjs');
const [T, H, W] = [8, 48, 48];

function fep(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, FEP_NO_PROGRESS: '1', ENGINE_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}


let tmp: Awaited<ReturnType<typeof withTempDir>>;
let modelDir: string;
let manifest: FepModelManifest;
const clipFile = () => tmp.file('clip.mp4');
const gtFile = () => tmp.file('gt.npy');

beforeAll(async () => {
  await initBackend('wasm');
  tmp = await withTempDir();
  modelDir = tmp.file('model');
  await mkdir(modelDir);
  const net = buildR2Plus1D({ frames: T, height: H, width: W, classes: SYNTH_ACTIONS_LABELS.length, widths: [2, 3, 4], seed: 5 });
  await net.save(fileSystemSaver(modelDir));
  net.dispose();
  manifest = {
    name: 'tiny-synth',
    version: '0.0.1',
    format: 'layers-model',
    input: { frames: T, height: H, width: W, channels: 3, layout: 'NTHWC', valueRange: [0, 1], mean: [0.4, 0.4, 0.4], std: [0.15, 0.15, 0.15] },
    labels: [...SYNTH_ACTIONS_LABELS],
    weightsSha256: computeWeightsSha256(modelDir),
  };
  writeFileSync(path.join(modelDir, MANIFEST_FILE), JSON.stringify(manifest));
  // 16 frames: two native-rate windows of the model's 8.
  const r = await fep('synth', '--class', 'grow', '--seed', '11', '--frames', '16', '--height', String(H), '--width', String(W), '--out', clipFile(), '--gt', gtFile());
  if (r.code !== 0) throw new Error(`fep synth failed: ${r.stderr}`);
});
afterAll(() => tmp.cleanup());

describe('fep synth → fep explain', () => {
  it('the decoded clip gives the model the same output as the generated frames', async () => {
    const model = await loadModel(modelDir);
    try {
      const generated = generateClip({ seed: 11, classIndex: SYNTH_ACTIONS_LABELS.indexOf('grow'), frames: 16, height: H, width: W });
      const decoded = await decodeClip(clipFile(), { frames: T, height: H, width: W });
      const a = tf.tensor4d(generated.frames.subarray(0, T * H * W * 3), [T, H, W, 3]);
      const b = tf.tensor4d(decoded.data, [T, H, W, 3]);
      const pa = classProbabilities(model, a);
      const pb = classProbabilities(model, b);
      tf.dispose([a, b]);
      for (let k = 0; k < pa.length; k++) expect(Math.abs(pa[k]! - pb[k]!)).toBeLessThan(0.01);
    } finally {
      model.dispose();
    }
  });

  it('writes saliency.npy, overlays and result.json with the documented shape', async () => {
    const out = tmp.file('out-fep');
    const r = await fep('explain', clipFile(), '--model', modelDir, '--iterations', '20', '--areas', '0.1', '--metric-steps', '8', '--gt', gtFile(), '--out', out);
    expect(r.stderr).not.toMatch(/^fep: /m);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { out: string; method: string };
    expect(summary).toMatchObject({ out, method: 'fep' });

    const sal = readNpy(path.join(out, 'saliency.npy'));
    expect(sal.dtype).toBe('float32');
    expect(sal.shape).toEqual([T, H, W]);
    expect(readNpy(gtFile()).shape.slice(1)).toEqual(sal.shape.slice(1)); // voxel-aligned with the ground truth
    const overlays = (await readdir(path.join(out, 'overlays'))).sort();
    expect(overlays).toEqual(Array.from({ length: T }, (_, t) => `frame_00${t}.png`));
    const png = await readFile(path.join(out, 'overlays', overlays[0]!));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(W);
    expect(png.readUInt32BE(20)).toBe(H);
    expect((await readdir(out)).sort()).toEqual(['overlay.mp4', 'overlays', 'result.json', 'saliency.npy']); // no staging left
    expect(await probeVideo(path.join(out, 'overlay.mp4'))).toMatchObject({ frameCount: T, width: W, height: H });

    const res = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8'));
    expect(res.prediction).toEqual(expect.objectContaining({ label: expect.any(String), index: expect.any(Number), probability: expect.any(Number) }));
    expect(res.top5).toHaveLength(5);
    expect(res.target.index).toBe(res.prediction.index);
    expect(res.method).toBe('fep');
    expect(res.params).toMatchObject({ iterations: 20, areas: [0.1], area: 0.1, weighting: expect.any(String), seed: 0 });
    for (const k of ['insertionAuc', 'deletionAuc', 'temporalConsistency', 'spatialSmoothness', 'sparsity']) {
      expect(typeof res.metrics[k]).toBe('number');
    }
    expect(res.metrics.pointingGame.frames).toBeGreaterThan(0);
    const videoSha = createHash('sha256').update(await readFile(clipFile())).digest('hex');
    expect(res.provenance).toMatchObject({
      videoSha256: videoSha,
      modelSha256: manifest.weightsSha256,
      modelName: 'tiny-synth',
      modelVersion: '0.0.1',
      engineVersion: expect.any(String),
      backend: 'wasm',
      device: 'cpu',
      seed: 0,
    });
    expect(res.provenance.frameTimestamps).toHaveLength(T);
    expect(res.clip.sourceFrameIndices).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(res.timings.iterations).toBe(20);
    expect(res.timings.totalMs).toBeGreaterThan(0);
    expect(res.saliency.shape).toEqual([T, H, W]);
  });

  it('explains every window with --all-windows and picks a window with --start auto', async () => {
    const out = tmp.file('out-windows');
    const r = await fep('explain', clipFile(), '--model', modelDir, '--method', 'random', '--all-windows', '--metric-steps', '0', '--out', out);
    expect(r.code).toBe(0);
    expect((await readdir(path.join(out, 'windows'))).sort()).toEqual(['000', '001']);
    const index = JSON.parse(await readFile(path.join(out, 'result.json'), 'utf8'));
    expect(index.windows.map((w: { window: { startFrame: number } }) => w.window.startFrame)).toEqual([0, 8]);
    const second = JSON.parse(await readFile(path.join(out, 'windows', '001', 'result.json'), 'utf8'));
    expect(second.clip.sourceFrameIndices).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(readNpy(path.join(out, 'windows', '001', 'saliency.npy')).shape).toEqual([T, H, W]);

    const auto = tmp.file('out-auto');
    const a = await fep('explain', clipFile(), '--model', modelDir, '--method', 'random', '--start', 'auto', '--stride', '4', '--metric-steps', '0', '--out', auto);
    expect(a.code).toBe(0);
    const res = JSON.parse(await readFile(path.join(auto, 'result.json'), 'utf8'));
    expect(res.windowSelection.windows).toHaveLength(3);
    expect(res.clip.startSec).toBeCloseTo(res.windowSelection.startSec, 6);
  });

  it('rejects bad arguments before writing anything', async () => {
    const out = tmp.file('out-bad');
    const cases: Array<[string[], RegExp]> = [
      [['--target', 'juggling'], /Unknown target label "juggling"/],
      [['--iterations', '0'], /--iterations must be ≥ 1/],
      [['--method', 'telepathy'], new RegExp(`Unknown explanation method "telepathy"\\. Available: ${METHOD_NAMES.join(", ")}\\.`)],
      [['--all-windows', '--start', '1'], /cannot be combined/],
      [['--start', '9'], /past the end of the video \(2\.000 s\)/],
      // Checked against the method catalogue (packages/shared/src/methods).
      [['--iterations', '100000000'], /--iterations must be ≤ 2000/],
      [['--params', '{"areas":[2]}'], /--areas: Use a fraction below 1/],
      [['--params', '{"volume":11}'], /--params \(volume\): Unknown parameter "volume"/],
      [['--method', 'gradient', '--iterations', '5'], /--iterations: The gradient method has no iterations parameter/],
      [['--areas', '0.1,0.2,0.3,0.4,0.5'], /--areas: At most 4 areas/],
      [['--params', 'not json'], /--params must be a JSON object/],
    ];
    // In-process run(): the bin's code path without a process (and a TF.js load) per case.
    for (const [extra, message] of cases) {
      const r = await runInProcess('explain', clipFile(), '--model', modelDir, '--out', out, ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect((await runInProcess('explain', clipFile())).stderr).toContain('Missing required option --out');
    const viaBin = await fep('explain', clipFile(), '--model', modelDir, '--out', out, '--iterations', 'many');
    expect(viaBin.code).toBe(2);
    expect(viaBin.stderr).toContain('--iterations must be an integer');
    expect(existsSync(out)).toBe(false);
  });

  it('leaves no partial output when the video turns out damaged mid-way', async () => {
    const mp4 = await readFile(clipFile()); // faststart: the index survives the cut, the frames do not
    await writeFile(tmp.file('cut.mp4'), mp4.subarray(0, Math.floor(mp4.length * 0.3)));
    const out = tmp.file('out-cut');
    const r = await fep('explain', tmp.file('cut.mp4'), '--model', modelDir, '--method', 'random', '--start', '1.2', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CORRUPT');
    expect(existsSync(out)).toBe(false);
  });

  it('reports an unusable video with exit 1 and writes nothing', async () => {
    await writeFile(tmp.file('song.txt'), 'la la la\n'.repeat(50));
    const out = tmp.file('out-text');
    const r = await fep('explain', tmp.file('song.txt'), '--model', modelDir, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('NOT_A_VIDEO');
    expect(existsSync(out)).toBe(false);
  });
});
