/**
 * Issue #3's scientific acceptance check: on SynthActions held-out clips (never trained or selected
 * on), F-EP's explanations of the shipped model point at the ground-truth object (pointing game,
 * 15 px, Li et al.) clearly more often than the random-saliency sanity floor (Adebayo et al. 2018).
 * One clip per class, target = the clip's true class, F-EP defaults except the iteration count.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { pointingGame } from '../core/metrics.ts';
import { loadModel } from '../model/load-model.ts';
import { heldOutClip, SYNTH_ACTIONS_LABELS } from '../synth/synth-actions.ts';
import { getMethod } from './index.ts';
import type { VideoClassifier } from './types.ts';

/** One held-out clip per class (heldOutClip(i) has class i mod 8). */
const CLIPS = SYNTH_ACTIONS_LABELS.length;
/** Fewer than the default 300 to keep the suite's cost bounded; docs/evaluation.md uses the default. */
const ITERATIONS = 120;

let model: VideoClassifier;

beforeAll(async () => {
  await initBackend('wasm');
  model = await loadModel();
});

afterAll(() => model?.dispose());

async function meanPointingGame(method: string, params: Record<string, unknown>): Promise<number> {
  const { frames, height, width } = model.input;
  let sum = 0;
  for (let i = 0; i < CLIPS; i++) {
    const synth = heldOutClip(i, { frames, height, width });
    const clip = tf.tensor4d(synth.frames, [frames, height, width, 3]);
    const res = await getMethod(method).explain({ clip, model, target: synth.classIndex }, params);
    clip.dispose();
    const pg = pointingGame(res.saliency, [frames, height, width], { kind: 'masks', masks: synth.gt }, 15);
    sum += pg.hits / pg.frames;
  }
  return sum / CLIPS;
}

describe('explanations of the shipped model against SynthActions ground truth', () => {
  it(`F-EP hits the target object far more often than random saliency (${CLIPS} held-out clips)`, async () => {
    const random = await meanPointingGame('random', { seed: 0 });
    const fep = await meanPointingGame('fep', { iterations: ITERATIONS });
    console.log(JSON.stringify({ pointingGame: { fep, random }, clips: CLIPS, iterations: ITERATIONS }));
    expect(fep).toBeGreaterThanOrEqual(2 * random);
    expect(fep - random).toBeGreaterThanOrEqual(0.4);
  }, 900_000);
});
