import { mulberry32, randInt } from './prng.ts';
import { DEFAULT_BOOTSTRAP_B, DEFAULT_CONFIDENCE, quantileSorted } from './bootstrap.ts';

/**
 * Bradley–Terry model P(i beats j) = γ_i / (γ_i + γ_j) (Bradley & Terry 1952), fitted by maximum
 * likelihood with the MM algorithm of Hunter, D. R. (2004), "MM algorithms for generalized
 * Bradley–Terry models", Annals of Statistics 32(1), 384–406, eq. (3):
 *
 *   γ_i ← W_i / Σ_{j≠i} n_ij / (γ_i + γ_j),
 *
 * renormalised each sweep. The MLE exists iff the comparison graph is strongly connected — in
 * every split of the items into two groups, someone in each group beats someone in the other
 * (Hunter 2004, Assumption 1, after Ford 1957). A tie ("can't tell") counts as half a win for each
 * side, the usual convention when ties are rare (Rao & Kupper 1967 model ties explicitly; we do not).
 */
export interface Comparison {
  /** Index of the first item. */
  a: number;
  /** Index of the second item. */
  b: number;
  /** 1 if a won, 0 if b won, 0.5 for a tie. */
  outcome: number;
}

export interface BradleyTerryOptions {
  /** Virtual wins added in each direction of every compared pair (0 = plain MLE). */
  pseudoWins?: number;
  /**
   * Standard deviation σ of an independent Gaussian prior θ_i ~ N(0, σ²) on the log-strengths.
   * When set, the fit is the posterior mode (MAP) by Newton–Raphson instead of the MLE by MM; it
   * exists and is finite for any data, separated or not. Unset (default) = plain MLE.
   */
  priorSd?: number;
  maxIterations?: number;
  /** Stop when max |Δ log γ| falls below this. */
  tolerance?: number;
}

export interface BradleyTerryFit {
  /** γ normalised to sum to 1 (the probability-like scale). */
  strengths: number[];
  /** log γ centred to mean 0 (the logistic scale: P(i>j) = σ(θ_i − θ_j)). */
  logStrengths: number[];
  iterations: number;
  converged: boolean;
  /** Whether Hunter's Assumption 1 holds, i.e. the unpenalised MLE exists. */
  mleExists: boolean;
  pseudoWins: number;
  /** σ of the Gaussian prior on log-strengths when the fit is a MAP estimate, else null. */
  priorSd: number | null;
  /**
   * Per item: 'wins-all' if it won every comparison it was in, 'loses-all' if it lost every one,
   * null otherwise (or if never compared). Either makes the item's MLE log-strength ±∞.
   */
  separation: ('wins-all' | 'loses-all' | null)[];
}

/**
 * Default σ of the weak Gaussian prior on log-strengths used when the data are separated: 2.5 on
 * the logistic scale, the scale Gelman, Jakulin, Pittau & Su (2008, "A weakly informative default
 * prior distribution for logistic and other regression models", Ann. Appl. Stat. 2(4), 1360–1383)
 * recommend for logistic-regression coefficients (they use a Cauchy; a Gaussian keeps the MAP a
 * smooth concave problem). A prior difference of ±2σ between two methods is a win probability of
 * σ(5) ≈ 0.993, so the prior bounds separated estimates without pulling ordinary ones much.
 */
export const BT_DEFAULT_PRIOR_SD = 2.5;

/** Items that won (or lost) every one of their comparisons (ties count as neither). */
export function separatedItems(k: number, comparisons: readonly Comparison[]): ('wins-all' | 'loses-all' | null)[] {
  const w = winMatrix(k, comparisons);
  return w.map((row, i) => {
    const won = row.reduce((a, b) => a + b, 0);
    const lost = w.reduce((a, r) => a + r[i]!, 0);
    if (won + lost === 0) return null;
    if (lost === 0) return 'wins-all';
    if (won === 0) return 'loses-all';
    return null;
  });
}

/**
 * MAP fit under θ_i ~ N(0, σ²): maximises Σ_c [o_c log σ(θ_a − θ_b) + (1 − o_c) log σ(θ_b − θ_a)]
 * − Σ_i θ_i² / (2σ²) by Newton–Raphson (the objective is strictly concave, so the mode is unique and
 * finite). At the mode Σ_i θ_i = 0, so θ is already centred.
 */
function fitGaussianPrior(k: number, comparisons: readonly Comparison[], sd: number, maxIterations: number, tol: number) {
  const theta = new Array(k).fill(0) as number[];
  const prec = 1 / (sd * sd);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const g = theta.map((t) => -t * prec);
    const H = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? prec : 0)));
    for (const c of comparisons) {
      const p = 1 / (1 + Math.exp(-(theta[c.a]! - theta[c.b]!)));
      g[c.a]! += c.outcome - p;
      g[c.b]! -= c.outcome - p;
      const w = p * (1 - p);
      H[c.a]![c.a]! += w;
      H[c.b]![c.b]! += w;
      H[c.a]![c.b]! -= w;
      H[c.b]![c.a]! -= w;
    }
    // Solve H Δ = g (H = −∇² of the objective, positive definite) by Gaussian elimination.
    const A = H.map((row, i) => [...row, g[i]!]);
    for (let col = 0; col < k; col++) {
      let piv = col;
      for (let r = col + 1; r < k; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
      [A[col], A[piv]] = [A[piv]!, A[col]!];
      for (let r = 0; r < k; r++) {
        if (r === col) continue;
        const f = A[r]![col]! / A[col]![col]!;
        for (let c = col; c <= k; c++) A[r]![c]! -= f * A[col]![c]!;
      }
    }
    let change = 0;
    for (let i = 0; i < k; i++) {
      const d = A[i]![k]! / A[i]![i]!;
      theta[i]! += d;
      change = Math.max(change, Math.abs(d));
    }
    if (change < tol) {
      converged = true;
      break;
    }
  }
  return { theta, iterations, converged };
}

/** wins[i][j]: (possibly fractional) wins of i over j. */
export function winMatrix(k: number, comparisons: readonly Comparison[]): number[][] {
  const w = Array.from({ length: k }, () => new Array(k).fill(0) as number[]);
  for (const c of comparisons) {
    w[c.a]![c.b]! += c.outcome;
    w[c.b]![c.a]! += 1 - c.outcome;
  }
  return w;
}

/** Share of comparisons i won against j (null where the pair was never compared). */
export function winRateMatrix(k: number, comparisons: readonly Comparison[]): (number | null)[][] {
  const w = winMatrix(k, comparisons);
  return w.map((row, i) => row.map((x, j) => (i === j || x + w[j]![i]! === 0 ? null : x / (x + w[j]![i]!))));
}

/** Strong connectivity of the "i beat j at least partly" graph (Hunter 2004, Assumption 1). */
export function isStronglyConnected(wins: readonly (readonly number[])[]): boolean {
  const k = wins.length;
  if (k <= 1) return true;
  const reach = (forward: boolean) => {
    const seen = new Array(k).fill(false);
    const stack = [0];
    seen[0] = true;
    while (stack.length) {
      const i = stack.pop()!;
      for (let j = 0; j < k; j++) {
        const edge = forward ? wins[i]![j]! > 0 : wins[j]![i]! > 0;
        if (edge && !seen[j]) {
          seen[j] = true;
          stack.push(j);
        }
      }
    }
    return seen.every(Boolean);
  };
  return reach(true) && reach(false);
}

export function fitBradleyTerry(k: number, comparisons: readonly Comparison[], opts: BradleyTerryOptions = {}): BradleyTerryFit {
  const pseudo = opts.pseudoWins ?? 0;
  const maxIterations = opts.maxIterations ?? 10_000;
  const tol = opts.tolerance ?? 1e-10;
  const w = winMatrix(k, comparisons);
  const mleExists = isStronglyConnected(w);
  const separation = separatedItems(k, comparisons);
  if (opts.priorSd != null) {
    if (!(opts.priorSd > 0)) throw new Error('priorSd must be positive.');
    const r = fitGaussianPrior(k, comparisons, opts.priorSd, Math.min(maxIterations, 200), tol);
    const e = r.theta.map(Math.exp);
    const sum = e.reduce((a, b) => a + b, 0);
    return { strengths: e.map((x) => x / sum), logStrengths: r.theta, iterations: r.iterations, converged: r.converged, mleExists, pseudoWins: 0, priorSd: opts.priorSd, separation };
  }
  if (pseudo > 0) {
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) if (i !== j && w[i]![j]! + w[j]![i]! > 0) w[i]![j]! += pseudo;
  }
  const n = w.map((row, i) => row.map((x, j) => x + w[j]![i]!));
  const W = w.map((row) => row.reduce((a, b) => a + b, 0));
  let g = new Array(k).fill(1 / k) as number[];
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const next = g.map((gi, i) => {
      let denom = 0;
      for (let j = 0; j < k; j++) if (j !== i && n[i]![j]! > 0) denom += n[i]![j]! / (gi + g[j]!);
      return denom > 0 ? W[i]! / denom : gi;
    });
    // Items that never win drift to 0; keep them representable so log scale stays finite-ish.
    const sum = next.reduce((a, b) => a + b, 0);
    const normed = next.map((x) => Math.max(x / sum, 1e-300));
    const change = Math.max(...normed.map((x, i) => Math.abs(Math.log(x) - Math.log(g[i]!))));
    g = normed;
    if (change < tol) {
      converged = true;
      break;
    }
  }
  const logs = g.map(Math.log);
  const meanLog = logs.reduce((a, b) => a + b, 0) / k;
  return { strengths: g, logStrengths: logs.map((x) => x - meanLog), iterations, converged, mleExists, pseudoWins: pseudo, priorSd: null, separation };
}

export interface BradleyTerryWithCI extends BradleyTerryFit {
  /** Percentile-bootstrap intervals of the centred log-strengths. */
  logStrengthCI: { lower: number; upper: number }[];
  /** The same intervals mapped to the normalised-strength scale of each resample. */
  strengthCI: { lower: number; upper: number }[];
  winRates: (number | null)[][];
  B: number;
  level: number;
  /** Resamples whose comparison graph was not strongly connected (their plain MLE does not exist). */
  separatedResamples: number;
}

/**
 * Fit plus confidence intervals by resampling judgements with replacement (nonparametric
 * bootstrap, Efron & Tibshirani 1993) and refitting; percentile intervals.
 */
export function bradleyTerryWithCI(
  k: number,
  comparisons: readonly Comparison[],
  opts: BradleyTerryOptions & { B?: number; level?: number; seed?: number } = {},
): BradleyTerryWithCI {
  const fit = fitBradleyTerry(k, comparisons, opts);
  const B = opts.B ?? DEFAULT_BOOTSTRAP_B;
  const level = opts.level ?? DEFAULT_CONFIDENCE;
  const rng = mulberry32(opts.seed ?? 1);
  const logs: number[][] = Array.from({ length: k }, () => []);
  const strs: number[][] = Array.from({ length: k }, () => []);
  const sample: Comparison[] = new Array(comparisons.length);
  let separatedResamples = 0;
  for (let b = 0; b < B && comparisons.length; b++) {
    for (let i = 0; i < comparisons.length; i++) sample[i] = comparisons[randInt(rng, comparisons.length)]!;
    const f = fitBradleyTerry(k, sample, { ...opts, maxIterations: opts.maxIterations ?? 2000, tolerance: 1e-8 });
    if (!f.mleExists) separatedResamples++;
    for (let i = 0; i < k; i++) {
      logs[i]!.push(f.logStrengths[i]!);
      strs[i]!.push(f.strengths[i]!);
    }
  }
  const a = (1 - level) / 2;
  const ci = (xs: number[]) => {
    const s = xs.slice().sort((p, q) => p - q);
    return { lower: quantileSorted(s, a), upper: quantileSorted(s, 1 - a) };
  };
  return {
    ...fit,
    logStrengthCI: logs.map(ci),
    strengthCI: strs.map(ci),
    winRates: winRateMatrix(k, comparisons),
    B,
    level,
    separatedResamples,
  };
}
