import { describe, expect, it } from 'vitest';
import { compareSaliency, pearson } from './compare.ts';

describe('compareSaliency', () => {
  it('identical volumes: r = 1, no difference, IoU 1', () => {
    const a = Float32Array.from([0.1, 0.9, 0.4, 0.2]);
    expect(compareSaliency(a, a.slice(), 0.5)).toEqual({ identical: true, pearson: 1, maxAbsDiff: 0, topAreaIoU: 1, area: 0.5, voxels: 4 });
  });

  it('matches hand-computed values', () => {
    // a = [1,2,3,4], b = [2,4,5,9]: means 2.5 and 5; cov = 1.5·3+0.5·1+0.5·0+1.5·4 = 11 (×1/n cancels);
    // var_a = 5, var_b = 9+1+0+16 = 26 → r = 11/√130 = 0.964764…
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([2, 4, 5, 9]);
    expect(pearson(a, b)).toBeCloseTo(11 / Math.sqrt(130), 6);
    const c = compareSaliency(a, b, 0.5);
    expect(c.maxAbsDiff).toBe(5);
    expect(c.topAreaIoU).toBe(1); // top-2 of both are indices {2,3}
    const d = compareSaliency(a, Float32Array.from([4, 3, 2, 1]), 0.5);
    expect(d.pearson).toBeCloseTo(-1, 6);
    expect(d.topAreaIoU).toBe(0);
  });

  it('refuses volumes of different sizes', () => {
    expect(() => compareSaliency(new Float32Array(3), new Float32Array(4), 0.1)).toThrow(RangeError);
  });
});
