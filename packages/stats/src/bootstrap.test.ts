import { describe, expect, it } from 'vitest';
import { meanCI, median, quantileSorted } from './bootstrap.ts';
import { hashSeed, mulberry32, shuffle } from './prng.ts';

describe('percentile bootstrap', () => {
  it('a constant sample has a zero-width interval', () => {
    const r = meanCI([4, 4, 4, 4]);
    expect([r.estimate, r.lower, r.upper]).toEqual([4, 4, 4]);
    expect(r.B).toBe(2000);
  });

  it('same seed → same interval; the interval is close to the normal-theory one', () => {
    const rng = mulberry32(11);
    const xs = Array.from({ length: 400 }, () => rng());
    const a = meanCI(xs, { seed: 3 });
    expect(meanCI(xs, { seed: 3 })).toEqual(a);
    expect(meanCI(xs, { seed: 4 })).not.toEqual(a);
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
    const half = (1.959964 * sd) / Math.sqrt(xs.length);
    expect(a.lower).toBeLessThan(m);
    expect(a.upper).toBeGreaterThan(m);
    expect((a.upper - a.lower) / (2 * half)).toBeGreaterThan(0.85);
    expect((a.upper - a.lower) / (2 * half)).toBeLessThan(1.15);
  });

  it('type-7 quantiles and medians (R quantile(1:4, .25) = 1.75)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('seeded PRNG', () => {
  it('is deterministic per seed and shuffles into a permutation', () => {
    expect(mulberry32(1)()).toBe(mulberry32(1)());
    expect(hashSeed('a', 1)).toBe(hashSeed('a', 1));
    expect(hashSeed('a', 1)).not.toBe(hashSeed('a', 2));
    const s = shuffle([1, 2, 3, 4, 5, 6], mulberry32(9));
    expect(s.slice().sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(shuffle([1, 2, 3, 4, 5, 6], mulberry32(9))).toEqual(s);
  });
});
