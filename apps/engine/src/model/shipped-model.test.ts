import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import type { VideoClassifier } from '../methods/types.ts';
import { heldOutClip, SYNTH_ACTIONS_LABELS } from '../synth/synth-actions.ts';
import { BUILTIN_MODEL_DIR, loadModel } from './load-model.ts';
import { computeWeightsSha256, readManifest } from './manifest.ts';

/** Held-out clips evaluated here: the first N of the MODEL_CARD's held-out set (same seeds). */
const N = 96;
/** Allowed shortfall w.r.t. the reported accuracy (N is smaller than the card's held-out set). */
const TOLERANCE = 0.05;

let model: VideoClassifier;

beforeAll(async () => {
  await initBackend('wasm');
  model = await loadModel(BUILTIN_MODEL_DIR);
});

afterAll(() => model?.dispose());

interface TrainingLog {
  selectedStep: number;
  history: { step: number; heldOutAccuracy?: number }[];
}

function reportedAccuracy(): number {
  const log = JSON.parse(readFileSync(path.join(BUILTIN_MODEL_DIR, 'training-log.json'), 'utf8')) as TrainingLog;
  const entry = log.history.find((h) => h.step === log.selectedStep);
  if (entry?.heldOutAccuracy === undefined) throw new Error('training-log.json has no held-out accuracy for the selected step');
  return entry.heldOutAccuracy;
}

describe('shipped SynthActions model', () => {
  it('is committed with a manifest, model card and matching weights hash', () => {
    const manifest = readManifest(BUILTIN_MODEL_DIR);
    expect(manifest.labels).toEqual([...SYNTH_ACTIONS_LABELS]);
    expect(manifest.input).toMatchObject({ frames: 16, height: 112, width: 112, channels: 3, layout: 'NTHWC', valueRange: [0, 1] });
    expect(computeWeightsSha256(BUILTIN_MODEL_DIR)).toBe(manifest.weightsSha256);
    expect(model.weightsSha256).toBe(manifest.weightsSha256);
    expect(manifest.modelCard).toBeDefined();
    const card = readFileSync(path.join(BUILTIN_MODEL_DIR, manifest.modelCard!), 'utf8');
    expect(card).toContain(`${(100 * reportedAccuracy()).toFixed(1)} %`);
    expect(existsSync(path.join(BUILTIN_MODEL_DIR, 'weights.bin'))).toBe(true);
  });

  it(`reaches the reported held-out accuracy on ${N} held-out clips`, async () => {
    let correct = 0;
    for (let start = 0; start < N; start += 8) {
      const clips = Array.from({ length: 8 }, (_, j) => heldOutClip(start + j));
      const buf = new Float32Array(8 * 16 * 112 * 112 * 3);
      clips.forEach((c, j) => buf.set(c.frames, j * c.frames.length));
      const x = tf.tensor5d(buf, [8, 16, 112, 112, 3]);
      const pred = tf.tidy(() => tf.argMax(model.logits(x), 1));
      const p = await pred.data();
      clips.forEach((c, j) => (correct += p[j] === c.classIndex ? 1 : 0));
      tf.dispose([x, pred]);
    }
    const acc = correct / N;
    expect(acc).toBeGreaterThanOrEqual(reportedAccuracy() - TOLERANCE);
  });

  it('gives a finite, non-zero input gradient for the explained class', () => {
    const clip = heldOutClip(3);
    const x = tf.tensor5d(clip.frames, [1, 16, 112, 112, 3]);
    const g = tf.grad((c: tf.Tensor) => tf.sum(tf.slice(model.logits(c as tf.Tensor5D), [0, clip.classIndex], [1, 1])))(x);
    const [absSum] = tf.sum(tf.abs(g)).dataSync();
    expect(Number.isFinite(absSum)).toBe(true);
    expect(absSum).toBeGreaterThan(0);
    tf.dispose([x, g]);
  });
});
