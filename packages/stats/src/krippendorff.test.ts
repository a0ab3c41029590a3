import { describe, expect, it } from 'vitest';
import { krippendorffAlpha } from './krippendorff.ts';

/**
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", §C: 4 observers × 12 units
 * with missing values. Published: nominal α = 0.743, ordinal 0.815, interval 0.849, ratio 0.797.
 */
const C = null;
const paper = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, C, C, C],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, C, 3],
  [C, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, C],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, C],
];

/**
 * Wikipedia, "Krippendorff's alpha" → "A computational example": 3 coders × 15 units, missing
 * values; published nominal α = 0.691 and interval α = 0.811 (the `krippendorff` Python package's
 * tests assert 0.691358 and 0.810845 for the same data).
 */
const wiki = [
  [C, C, C, C, C, 3, 4, 1, 2, 1, 1, 3, 3, C, 3],
  [1, C, 2, 1, 3, 3, 4, 3, C, C, C, C, C, C, C],
  [C, C, 2, 1, 3, 4, 4, C, 2, 1, 1, 3, 3, C, 4],
];

describe("Krippendorff's alpha against published worked examples", () => {
  it('Krippendorff (2011) 4 coders × 12 units, missing data', () => {
    expect(krippendorffAlpha(paper, 'nominal').alpha).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(paper, 'ordinal').alpha).toBeCloseTo(0.815, 3);
    expect(krippendorffAlpha(paper, 'interval').alpha).toBeCloseTo(0.849, 3);
    expect(krippendorffAlpha(paper, 'ratio').alpha).toBeCloseTo(0.797, 3);
  });

  it('the paper drops unit 12 (one value only): 40 pairable values in 11 units', () => {
    const r = krippendorffAlpha(paper, 'nominal');
    expect(r.pairableValues).toBe(40);
    expect(r.units).toBe(11);
  });

  it('Wikipedia computational example (3 coders × 15 units)', () => {
    expect(krippendorffAlpha(wiki, 'nominal').alpha).toBeCloseTo(0.691358, 6);
    expect(krippendorffAlpha(wiki, 'interval').alpha).toBeCloseTo(0.810845, 6);
  });

  it('perfect agreement gives 1; an ordinal string domain gives the same as its ranks', () => {
    expect(krippendorffAlpha([[1, 2, 3], [1, 2, 3]], 'interval').alpha).toBe(1);
    const names = ['vl', 'l', 'm', 'h', 'vh'];
    const asStrings = paper.map((row) => row.map((v) => (v === null ? null : names[v - 1]!)));
    expect(krippendorffAlpha(asStrings, 'ordinal', names).alpha).toBeCloseTo(0.815, 3);
    expect(() => krippendorffAlpha(asStrings, 'ordinal')).toThrow(/domain/);
  });

  it('no unit with two values → NaN rather than a number', () => {
    expect(krippendorffAlpha([[1, C], [C, 2]], 'nominal').alpha).toBeNaN();
  });
});
