import { mulberry32, randInt, type Rng } from './prng.ts';

/**
 * Default number of bootstrap resamples. Efron & Tibshirani (1993, "An Introduction to the
 * Bootstrap", §13.3 and §19.3) recommend B ≥ 1000 for percentile intervals; we use 2000, which
 * keeps the Monte-Carlo error of a 2.5 % quantile well below the interval's width for the
 * sample sizes of a rating study.
 */
export const DEFAULT_BOOTSTRAP_B = 2000;
/** Default confidence level (95 %). */
export const DEFAULT_CONFIDENCE = 0.95;

export interface BootstrapOptions {
  /** Number of resamples (default {@link DEFAULT_BOOTSTRAP_B}). */
  B?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  level?: number;
  /** PRNG seed: the same seed gives the same interval (default 1). */
  seed?: number;
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  B: number;
  method: 'percentile bootstrap';
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : Number.NaN;
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return Number.NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Empirical quantile with linear interpolation between order statistics (Hyndman & Fan 1996,
 * type 7 — R's and NumPy's default). `sorted` must be ascending.
 */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Percentile bootstrap interval (Efron & Tibshirani 1993, §13.3) of any statistic over units
 * resampled with replacement. `statistic` receives the resampled units.
 */
export function bootstrapInterval<T>(
  units: readonly T[],
  statistic: (sample: readonly T[]) => number,
  opts: BootstrapOptions = {},
): Interval {
  const B = opts.B ?? DEFAULT_BOOTSTRAP_B;
  const level = opts.level ?? DEFAULT_CONFIDENCE;
  const estimate = statistic(units);
  if (units.length === 0) return { estimate, lower: Number.NaN, upper: Number.NaN, level, B, method: 'percentile bootstrap' };
  const rng: Rng = mulberry32(opts.seed ?? 1);
  const stats: number[] = [];
  const sample: T[] = new Array(units.length);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[randInt(rng, units.length)]!;
    const v = statistic(sample);
    if (Number.isFinite(v)) stats.push(v);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    estimate,
    lower: quantileSorted(stats, alpha),
    upper: quantileSorted(stats, 1 - alpha),
    level,
    B,
    method: 'percentile bootstrap',
  };
}

/** Mean with a percentile-bootstrap confidence interval. */
export function meanCI(values: readonly number[], opts: BootstrapOptions = {}): Interval & { n: number } {
  return { ...bootstrapInterval(values, mean, opts), n: values.length };
}
