/**
 * Fleiss' kappa for a fixed number of raters per subject (Fleiss, J. L. (1971), "Measuring nominal
 * scale agreement among many raters", Psychological Bulletin 76(5), 378–382):
 *
 *   p_j = Σ_i n_ij / (N n),  P_i = (Σ_j n_ij² − n) / (n (n − 1)),
 *   P̄ = mean_i P_i,  P̄_e = Σ_j p_j²,  κ = (P̄ − P̄_e) / (1 − P̄_e).
 *
 * `counts[i][j]` is how many raters put subject i in category j; every row must sum to n.
 */
export interface FleissResult {
  kappa: number;
  observedAgreement: number;
  expectedAgreement: number;
  subjects: number;
  ratersPerSubject: number;
  categoryProportions: number[];
}

export function fleissKappa(counts: readonly (readonly number[])[]): FleissResult {
  const N = counts.length;
  if (N === 0) throw new Error('Fleiss kappa needs at least one subject.');
  const n = counts[0]!.reduce((a, b) => a + b, 0);
  if (n < 2) throw new Error('Fleiss kappa needs at least two ratings per subject.');
  for (const row of counts) {
    if (row.reduce((a, b) => a + b, 0) !== n) throw new Error('Every subject must have the same number of ratings.');
  }
  const k = Math.max(...counts.map((r) => r.length));
  const p = Array.from({ length: k }, (_, j) => counts.reduce((s, r) => s + (r[j] ?? 0), 0) / (N * n));
  const Pi = counts.map((r) => (r.reduce((s, x) => s + x * x, 0) - n) / (n * (n - 1)));
  const Pbar = Pi.reduce((a, b) => a + b, 0) / N;
  const Pe = p.reduce((s, x) => s + x * x, 0);
  return {
    kappa: Pe === 1 ? Number.NaN : (Pbar - Pe) / (1 - Pe),
    observedAgreement: Pbar,
    expectedAgreement: Pe,
    subjects: N,
    ratersPerSubject: n,
    categoryProportions: p,
  };
}

/**
 * Builds the subject × category count table from per-subject label lists, keeping only subjects
 * rated exactly `n` times. Fleiss' κ (1971) is defined for a constant number of ratings per subject;
 * subjects rated more or fewer times are left out whole rather than cut to some n of their ratings,
 * so the table (and κ) does not depend on the order of the labels. Agreement over subjects with
 * unequal numbers of ratings is Krippendorff's α (Krippendorff 2011), which the studies report too.
 */
export function countTable(
  labelsPerSubject: readonly (readonly (string | number)[])[],
  categories: readonly (string | number)[],
  n: number,
): number[][] {
  const idx = new Map(categories.map((c, i) => [c, i] as const));
  return labelsPerSubject
    .filter((l) => l.length === n)
    .map((l) => {
      const row = new Array(categories.length).fill(0) as number[];
      for (const x of l) {
        const j = idx.get(x);
        if (j === undefined) throw new Error(`Unknown category ${String(x)}.`);
        row[j]! += 1;
      }
      return row;
    });
}
