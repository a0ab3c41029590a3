import { describe, expect, it } from 'vitest';
import { assessTrust, normalisedEntropy, outsideRange, TRUST_RULES, type TrustInput } from './trust.ts';

const SYNTH_TRAINING = {
  description: 'SynthActions clips',
  shortSidePx: { min: 112, max: 112 },
  aspectRatio: { min: 1, max: 1 },
  fps: { min: 8, max: 8 },
  durationSec: { min: 2, max: 2 },
};
const NORM = { mean: [0.408, 0.407, 0.412], std: [0.134, 0.133, 0.129] };

const base = (over: Partial<TrustInput> = {}): TrustInput => ({
  prediction: { label: 'shrink', probability: 0.98, top5: [{ probability: 0.98 }, { probability: 0.01 }, { probability: 0.005 }] },
  classes: 8,
  video: { width: 112, height: 112, fps: 8, durationSec: 2 },
  trainingData: SYNTH_TRAINING,
  normalisation: NORM,
  pixelStats: { mean: [0.34, 0.33, 0.32], std: [0.12, 0.12, 0.14] },
  ...over,
});
const codes = (i: TrustInput) => assessTrust(i).map((w) => w.code);

describe('trust rules', () => {
  it('no warning for a confident prediction on input like the training data', () => {
    expect(codes(base())).toEqual([]);
  });

  it('low confidence below the threshold, not at it', () => {
    expect(codes(base({ prediction: { probability: TRUST_RULES.LOW_CONFIDENCE_BELOW - 0.01 } }))).toContain('LOW_CONFIDENCE');
    expect(codes(base({ prediction: { probability: TRUST_RULES.LOW_CONFIDENCE_BELOW, top5: [{ probability: 0.5 }, { probability: 0.5 }] } }))).not.toContain('LOW_CONFIDENCE');
  });

  it('near-uniform: the unlisted mass is spread over the other classes', () => {
    expect(normalisedEntropy([0.125], 8)).toBeCloseTo(1, 10);
    expect(normalisedEntropy([1], 8)).toBeCloseTo(0, 10);
    const flat = [0.16, 0.15, 0.14, 0.13, 0.12];
    expect(codes(base({ prediction: { probability: 0.16, top5: flat.map((probability) => ({ probability })) } }))).toEqual(['LOW_CONFIDENCE', 'NEAR_UNIFORM']);
  });

  it('resolution, aspect ratio, fps and duration outside the manifest ranges (with tolerance)', () => {
    expect(outsideRange(168, { min: 112, max: 112 }, 1.5)).toBe(false);
    expect(outsideRange(169, { min: 112, max: 112 }, 1.5)).toBe(true);
    const testsrc = base({ video: { width: 320, height: 240, fps: 25, durationSec: 4 } });
    expect(codes(testsrc)).toEqual(['RESOLUTION_UNLIKE_TRAINING', 'FPS_UNLIKE_TRAINING', 'DURATION_UNLIKE_TRAINING']);
    // Within the tolerance: 150×150 at 10 fps for 2.5 s.
    expect(codes(base({ video: { width: 150, height: 150, fps: 10, durationSec: 2.5 } }))).toEqual([]);
  });

  it('pixel statistics: a channel spread over twice the manifest std is unlike the training data', () => {
    expect(codes(base({ pixelStats: { mean: [0.45, 0.52, 0.52], std: [0.47, 0.49, 0.49] } }))).toEqual(['PIXEL_STATS_UNLIKE_TRAINING']);
    expect(codes(base({ pixelStats: { mean: [0.9, 0.4, 0.4], std: [0.13, 0.13, 0.13] } }))).toEqual(['PIXEL_STATS_UNLIKE_TRAINING']);
  });

  it('a saturated score on unfamiliar input is flagged as suspicious; on familiar input it is not', () => {
    const saturated = { label: 'move_down', probability: 1, top5: [{ probability: 1 }] };
    expect(codes(base({ prediction: saturated }))).toEqual([]);
    const w = assessTrust(base({ prediction: saturated, video: { width: 320, height: 240, fps: 25, durationSec: 4 } }));
    expect(w.at(-1)!.code).toBe('SATURATED_ON_UNFAMILIAR_INPUT');
    expect(w.at(-1)!.message).toContain('100 %');
    expect(w.at(-1)!.message).toContain('“move_down”');
  });

  it('without trainingData or statistics only the confidence rules apply', () => {
    expect(codes({ prediction: { probability: 1 }, classes: 2, video: { width: 320, height: 240, fps: 25, durationSec: 3 } })).toEqual([]);
    expect(codes({ prediction: null, classes: 0, video: null })).toEqual([]);
  });
});
