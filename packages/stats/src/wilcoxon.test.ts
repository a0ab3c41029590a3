import { describe, expect, it } from 'vitest';
import { holmAdjust, wilcoxonSignedRank } from './wilcoxon.ts';

describe('Wilcoxon signed-rank test', () => {
  /**
   * Hollander & Wolfe (1973, "Nonparametric Statistical Methods", p. 29): Hamilton depression
   * scale, first (x) and second (y) visit of 9 patients. Published (also R's ?wilcox.test
   * example): V = 40, one-sided p = 0.01953 (alternative "greater"); two-sided p = 0.03906.
   */
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

  it('exact test on the Hollander & Wolfe depression data', () => {
    const g = wilcoxonSignedRank(x, y, 'greater');
    expect(g.statistic).toBe(40);
    expect(g.pValue).toBeCloseTo(0.01953, 5);
    expect(g.method).toBe('exact');
    expect(wilcoxonSignedRank(x, y).pValue).toBeCloseTo(0.03906, 5);
  });

  /**
   * Wikipedia "Wilcoxon signed-rank test" example (10 pairs, one zero difference, one tie in |d|):
   * W = Σ signed ranks = 9 published, i.e. V = 27 of the 9 non-zero pairs. The p-value is the
   * normal approximation computed by hand: μ = 9·10/4 = 22.5, σ² = 9·10·19/24 − (2³−2)/48 = 71.125,
   * z = (27 − 22.5 − 0.5)/√71.125 = 0.47430, p = 2(1 − Φ(z)) = 0.63528 (R: wilcox.test gives 0.6353).
   */
  it('normal approximation with tie and continuity correction', () => {
    const after = [125, 115, 130, 140, 140, 115, 140, 125, 140, 135];
    const before = [110, 122, 125, 120, 140, 124, 123, 137, 135, 145];
    const r = wilcoxonSignedRank(after, before);
    expect(r.statistic).toBe(27);
    expect(r.n).toBe(9);
    expect(r.method).toMatch(/normal/);
    expect(r.pValue).toBeCloseTo(0.63528, 4);
  });

  it('all-zero differences give p = 1 instead of throwing', () => {
    expect(wilcoxonSignedRank([1, 2], [1, 2]).pValue).toBe(1);
  });

  it('fewer than two pairs: not computable, with the reason, instead of throwing', () => {
    for (const [x, y] of [[[], []], [[1], [0.5]], [[0.5], [0.5]]] as number[][][]) {
      const r = wilcoxonSignedRank(x!, y!);
      expect(r).toMatchObject({ computable: false, pValue: null, statistic: null, pairs: x!.length });
      expect(r.computable ? '' : r.reason).toMatch(/needs ≥ 2 paired observations/);
    }
    // Two pairs, one zero difference: computable (one non-zero difference).
    expect(wilcoxonSignedRank([1, 0.5], [0.5, 0.5])).toMatchObject({ computable: true, pairs: 2, n: 1 });
  });
});

describe('Holm–Bonferroni', () => {
  it('step-down adjustment with monotonicity (hand-checked)', () => {
    // sorted: .005·4 = .02, .01·3 = .03, .03·2 = .06, .04·1 = .04 → max(.06, .04) = .06
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => +p.toFixed(10))).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]); // 0.5·2 = 1, then max(1, 0.9)
    expect(holmAdjust([])).toEqual([]);
  });
});
