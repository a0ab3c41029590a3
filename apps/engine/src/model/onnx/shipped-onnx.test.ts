/**
 * The shipped SynthActions model through the ONNX route: scripts/export_shipped_onnx.py rebuilds it
 * in PyTorch from its TF.js weights and exports model.onnx (fixtures/synth-r2plus1d). Loading that
 * file through the ONNX import must give the same network as the TF.js Layers model: the same
 * logits and predictions on held-out clips, and an F-EP explanation (defaults, same seed) that
 * matches the TF.js one (Pearson ≥ 0.999) with the same pointing-game result on the ground truth.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { pointingGame } from '../../core/metrics.ts';
import { getMethod } from '../../methods/index.ts';
import type { VideoClassifier } from '../../methods/types.ts';
import { heldOutClip } from '../../synth/synth-actions.ts';
import { pearson } from '../../worker/compare.ts';
import { BUILTIN_MODEL_DIR, loadModel } from '../load-model.ts';
import { readManifest } from '../manifest.ts';
import { SHIPPED_ONNX_DIR } from './fixtures.ts';

let layers: VideoClassifier;
let onnx: VideoClassifier;

beforeAll(async () => {
  await initBackend('wasm');
  layers = await loadModel(BUILTIN_MODEL_DIR);
  onnx = await loadModel(SHIPPED_ONNX_DIR);
});
afterAll(() => {
  layers?.dispose();
  onnx?.dispose();
});

describe('the shipped model exported to ONNX', () => {
  it('has the shipped manifest’s input, normalisation and labels, in NCTHW', () => {
    const shipped = readManifest(BUILTIN_MODEL_DIR);
    const exported = readManifest(SHIPPED_ONNX_DIR);
    expect(exported.format).toBe('onnx');
    expect(exported.input.layout).toBe('NCTHW');
    for (const k of ['frames', 'height', 'width', 'channels', 'valueRange', 'mean', 'std'] as const) expect(exported.input[k]).toEqual(shipped.input[k]);
    expect(exported.labels).toEqual(shipped.labels);
  });

  it('gives the TF.js model’s logits and predictions on 16 held-out clips', () => {
    const { frames, height, width } = layers.input;
    let worst = 0;
    for (let i = 0; i < 16; i++) {
      const c = heldOutClip(i, { frames, height, width });
      const x = tf.tensor5d(c.frames, [1, frames, height, width, 3]);
      const a = tf.tidy(() => layers.logits(x).dataSync());
      const b = tf.tidy(() => onnx.logits(x).dataSync());
      x.dispose();
      const mag = Math.max(...Array.from(a, Math.abs));
      for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!) / mag);
      expect(b.indexOf(Math.max(...b))).toBe(a.indexOf(Math.max(...a)));
    }
    console.log(`shipped model via ONNX: worst logit error ${worst.toExponential(2)} (relative to the largest logit)`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('gives the same F-EP explanation (defaults) and pointing-game result as the TF.js model', async () => {
    const { frames, height, width } = layers.input;
    const synth = heldOutClip(2, { frames, height, width });
    const clip = tf.tensor4d(synth.frames, [frames, height, width, 3]);
    const fep = getMethod('fep');
    const before = tf.memory().numTensors;
    const a = await fep.explain({ clip, model: layers, target: synth.classIndex }, {});
    const b = await fep.explain({ clip, model: onnx, target: synth.classIndex }, {});
    expect(tf.memory().numTensors).toBe(before);
    clip.dispose();
    const r = pearson(a.saliency, b.saliency);
    const shape: [number, number, number] = [frames, height, width];
    const pgA = pointingGame(a.saliency, shape, { kind: 'masks', masks: synth.gt }, 15);
    const pgB = pointingGame(b.saliency, shape, { kind: 'masks', masks: synth.gt }, 15);
    console.log(JSON.stringify({ fepPearson: r, pointingGame: { layers: `${pgA.hits}/${pgA.frames}`, onnx: `${pgB.hits}/${pgB.frames}` } }));
    expect(r).toBeGreaterThanOrEqual(0.999);
    expect(pgB.perFrame).toEqual(pgA.perFrame);
  }, 600_000);
});
