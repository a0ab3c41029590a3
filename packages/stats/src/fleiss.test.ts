import { describe, expect, it } from 'vitest';
import { countTable, fleissKappa } from './fleiss.ts';

/**
 * Wikipedia, "Fleiss' kappa" → "Worked example": 10 subjects, 14 raters, 5 categories.
 * Published: P̄ = 0.378, P̄_e = 0.213, κ = 0.210; p_1 = 0.143, P_2 = 0.253.
 */
const table = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];

describe("Fleiss' kappa", () => {
  it('matches the published worked example', () => {
    const r = fleissKappa(table);
    expect(r.kappa).toBeCloseTo(0.21, 3);
    expect(r.observedAgreement).toBeCloseTo(0.378, 3);
    expect(r.expectedAgreement).toBeCloseTo(0.213, 3);
    expect(r.categoryProportions[0]).toBeCloseTo(0.143, 3);
  });

  it('perfect agreement gives 1 and unequal rater counts are refused', () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]]).kappa).toBe(1);
    expect(() => fleissKappa([[3, 0], [1, 1]])).toThrow(/same number/);
  });

  it('countTable keeps only subjects rated exactly n times, whole', () => {
    expect(countTable([['a', 'a', 'b'], ['b', 'b', 'b', 'a'], ['a'], ['b', 'b', 'a']], ['a', 'b'], 3)).toEqual([[2, 1], [1, 2]]);
  });

  it('κ does not depend on the order of the ratings', () => {
    const labels = [['a', 'a'], ['b', 'b'], ['a', 'b'], ['a', 'a', 'b']];
    const reversed = labels.map((l) => [...l].reverse()).reverse();
    const k = fleissKappa(countTable(labels, ['a', 'b'], 2)).kappa;
    expect(fleissKappa(countTable(reversed, ['a', 'b'], 2)).kappa).toBe(k);
    // Hand-computed over the three 2-rating subjects: P̄ = (1 + 1 + 0)/3, p = (½, ½), P̄_e = ½ → κ = 1/3.
    expect(k).toBeCloseTo(1 / 3, 12);
  });
});
