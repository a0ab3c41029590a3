/**
 * Krippendorff's alpha reliability coefficient, computed from the coincidence matrix exactly as in
 * Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
 * Communication Departmental Papers 43, §C (any number of observers, missing data):
 *
 *   o_ck = Σ_u Σ_{i≠j} [v_ui = c][v_uj = k] / (m_u − 1)    (units with m_u ≥ 2 values only)
 *   n_c = Σ_k o_ck,  n = Σ_c n_c
 *   α = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck
 *
 * with the difference functions δ² of the paper for nominal, ordinal, interval and ratio data.
 */
export type AlphaLevel = 'nominal' | 'ordinal' | 'interval' | 'ratio';

/** One row per coder (rater), one column per unit; null/undefined/NaN = missing. */
export type ReliabilityData = readonly (readonly (number | string | null | undefined)[])[];

export interface AlphaResult {
  alpha: number;
  level: AlphaLevel;
  /** Number of pairable values (Σ n_c). */
  pairableValues: number;
  /** Units with at least two values. */
  units: number;
  observedDisagreement: number;
  expectedDisagreement: number;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

export function krippendorffAlpha(
  data: ReliabilityData,
  level: AlphaLevel = 'nominal',
  /** Ordered value domain (required to order string values for ordinal data). */
  domain?: readonly (number | string)[],
): AlphaResult {
  const coders = data.length;
  const nUnits = coders ? Math.max(...data.map((r) => r.length)) : 0;
  // Collect the values of each unit.
  const unitValues: (number | string)[][] = [];
  for (let u = 0; u < nUnits; u++) {
    const vals: (number | string)[] = [];
    for (let c = 0; c < coders; c++) {
      const v = data[c]![u];
      if (!isMissing(v)) vals.push(v as number | string);
    }
    if (vals.length >= 2) unitValues.push(vals);
  }
  const present = new Set(unitValues.flat());
  let values: (number | string)[];
  if (domain) {
    for (const v of present) if (!domain.includes(v)) throw new Error(`Value ${String(v)} is outside the domain.`);
    values = [...domain];
  } else {
    values = [...present];
    if (values.some((v) => typeof v === 'string') && level !== 'nominal') {
      throw new Error('String values need an ordered domain for non-nominal alpha.');
    }
    values.sort((a, b) => (a as number) - (b as number));
  }
  const index = new Map(values.map((v, i) => [v, i] as const));
  const V = values.length;
  // Coincidence matrix.
  const o = Array.from({ length: V }, () => new Float64Array(V));
  for (const vals of unitValues) {
    const counts = new Float64Array(V);
    for (const v of vals) counts[index.get(v)!]! += 1;
    const w = 1 / (vals.length - 1);
    for (let c = 0; c < V; c++) {
      if (!counts[c]) continue;
      for (let k = 0; k < V; k++) {
        if (!counts[k]) continue;
        o[c]![k]! += w * counts[c]! * (c === k ? counts[k]! - 1 : counts[k]!);
      }
    }
  }
  const nc = o.map((row) => row.reduce((a, b) => a + b, 0));
  const n = nc.reduce((a, b) => a + b, 0);
  const delta2 = (c: number, k: number): number => {
    if (c === k) return 0;
    switch (level) {
      case 'nominal':
        return 1;
      case 'ordinal': {
        const [lo, hi] = c < k ? [c, k] : [k, c];
        let s = 0;
        for (let g = lo; g <= hi; g++) s += nc[g]!;
        s -= (nc[c]! + nc[k]!) / 2;
        return s * s;
      }
      case 'interval': {
        const d = Number(values[c]) - Number(values[k]);
        return d * d;
      }
      case 'ratio': {
        const a = Number(values[c]);
        const b = Number(values[k]);
        return a + b === 0 ? 0 : ((a - b) / (a + b)) ** 2;
      }
    }
  };
  let Do = 0;
  let De = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      const d = delta2(c, k);
      Do += o[c]![k]! * d;
      De += nc[c]! * nc[k]! * d;
    }
  }
  const observedDisagreement = n > 0 ? Do / n : Number.NaN;
  const expectedDisagreement = n > 1 ? De / (n * (n - 1)) : Number.NaN;
  const alpha = n > 1 && De > 0 ? 1 - ((n - 1) * Do) / De : Number.NaN;
  return { alpha, level, pairableValues: n, units: unitValues.length, observedDisagreement, expectedDisagreement };
}
