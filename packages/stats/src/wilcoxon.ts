import wilcoxon from '@stdlib/stats-wilcoxon';

/**
 * Paired Wilcoxon signed-rank test (Wilcoxon 1945) via @stdlib/stats-wilcoxon, which follows R's
 * `wilcox.test`: zero differences dropped (Wilcoxon's convention); the exact null distribution
 * when n ≤ 50 with no ties and no zeros; otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction of 0.5.
 */
export interface WilcoxonResult {
  computable: true;
  /** V: sum of the ranks of the positive differences x − y. */
  statistic: number;
  pValue: number;
  /** Paired observations given. */
  pairs: number;
  /** Non-zero differences used. */
  n: number;
  method: 'exact' | 'normal approximation (tie + continuity corrected)';
  alternative: 'two-sided' | 'less' | 'greater';
}

/** Too few paired observations to run the test: no statistic and no p-value, and why. */
export interface WilcoxonNotComputable {
  computable: false;
  statistic: null;
  pValue: null;
  pairs: number;
  n: number;
  method: null;
  alternative: 'two-sided' | 'less' | 'greater';
  reason: string;
}

/**
 * Fewest paired observations the test is run on. With one pair the signed-rank null distribution
 * has two equally likely values, so no outcome can be significant (two-sided p = 1 always), and
 * @stdlib/stats-wilcoxon refuses fewer than two elements.
 */
export const WILCOXON_MIN_PAIRS = 2;

export function wilcoxonSignedRank(
  x: readonly number[],
  y: readonly number[],
  alternative: 'two-sided' | 'less' | 'greater' = 'two-sided',
): WilcoxonResult | WilcoxonNotComputable {
  if (x.length !== y.length) throw new Error('Paired samples must have the same length.');
  const pairs = x.length;
  if (pairs < WILCOXON_MIN_PAIRS) {
    const reason = `needs ≥ ${WILCOXON_MIN_PAIRS} paired observations (n = ${pairs})`;
    return { computable: false, statistic: null, pValue: null, pairs, n: pairs, method: null, alternative, reason };
  }
  const d = x.map((v, i) => v - y[i]!);
  const nonZero = d.filter((v) => v !== 0);
  if (nonZero.length === 0) {
    return { computable: true, statistic: 0, pValue: 1, pairs, n: 0, method: 'exact', alternative };
  }
  const abs = nonZero.map(Math.abs);
  const hasTies = new Set(abs).size !== abs.length;
  const exact = nonZero.length <= 50 && !hasTies && nonZero.length === d.length;
  const res = wilcoxon(Float64Array.from(x), Float64Array.from(y), { alternative, correction: true, zeroMethod: 'wilcox' });
  return {
    computable: true,
    statistic: res.statistic,
    pValue: Math.min(1, res.pValue),
    pairs,
    n: nonZero.length,
    method: exact ? 'exact' : 'normal approximation (tie + continuity corrected)',
    alternative,
  };
}

/**
 * Holm–Bonferroni step-down adjustment (Holm 1979, "A simple sequentially rejective multiple test
 * procedure", Scand. J. Statist. 6, 65–70): p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
 * Returns adjusted p-values in the input order (equal to R's p.adjust(p, "holm")).
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array(m) as number[];
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

export const HOLM_CORRECTION_NAME = 'Holm–Bonferroni (Holm 1979)';
