import { describe, expect, it } from 'vitest';
import { InvalidWeightingError, frequencyWeightingArray } from './frequency-weighting.ts';

describe('frequencyWeightingArray', () => {
  it("'none' is all-pass", () => {
    const w = frequencyWeightingArray([3, 4, 5], { type: 'none', temporalCutoff: 0.1, spatialCutoff: 0.1 });
    expect(w.length).toBe(60);
    expect(w.every((v) => v === 1)).toBe(true);
  });

  it("'ideal' is a separable box with the hand-computed support", () => {
    // T=4, ct=0.5 → νt = 0, .25 pass; .5, .75 stop. H=W=4, cs=0.25 → only k=0 passes spatially.
    const w = frequencyWeightingArray([4, 4, 4], { type: 'ideal', temporalCutoff: 0.5, spatialCutoff: 0.25 });
    const at = (t: number, y: number, x: number) => w[(t * 4 + y) * 4 + x];
    expect(at(0, 0, 0)).toBe(1);
    expect(at(1, 0, 0)).toBe(1);
    expect(at(2, 0, 0)).toBe(0);
    expect(at(0, 1, 0)).toBe(0);
    expect(at(0, 0, 1)).toBe(0);
    expect(Array.from(w).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("'gaussian' follows exp(−ν²/(2c²)) per axis", () => {
    const w = frequencyWeightingArray([4, 2, 2], { type: 'gaussian', temporalCutoff: 0.25, spatialCutoff: 0.5 });
    // kt=1: ν=.25, c=.25 → e^{-1/2}; ky=1: ν=.5, c=.5 → e^{-1/2}.
    expect(w[(1 * 2 + 0) * 2 + 0]).toBeCloseTo(Math.exp(-0.5), 6);
    expect(w[(1 * 2 + 1) * 2 + 0]).toBeCloseTo(Math.exp(-1), 6);
    expect(w[(0 * 2 + 1) * 2 + 1]).toBeCloseTo(Math.exp(-1), 6);
    expect(w[0]).toBe(1);
  });

  it('rejects cut-offs outside (0,1] and unknown types', () => {
    expect(() => frequencyWeightingArray([2, 2, 2], { type: 'ideal', temporalCutoff: 0, spatialCutoff: 0.5 })).toThrow(
      InvalidWeightingError,
    );
    expect(() =>
      frequencyWeightingArray([2, 2, 2], { type: 'gaussian', temporalCutoff: 0.5, spatialCutoff: 1.5 }),
    ).toThrow(InvalidWeightingError);
    expect(() =>
      frequencyWeightingArray([2, 2, 2], { type: 'box' as never, temporalCutoff: 0.5, spatialCutoff: 0.5 }),
    ).toThrow(InvalidWeightingError);
  });
});
