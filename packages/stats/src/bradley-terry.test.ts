import { describe, expect, it } from 'vitest';
import { bradleyTerryWithCI, fitBradleyTerry, winRateMatrix, type Comparison } from './bradley-terry.ts';
import { mulberry32 } from './prng.ts';

function games(a: number, b: number, aWins: number, bWins: number): Comparison[] {
  return [
    ...Array.from({ length: aWins }, () => ({ a, b, outcome: 1 })),
    ...Array.from({ length: bWins }, () => ({ a, b, outcome: 0 })),
  ];
}

/** Independent MLE: Newton–Raphson on the logistic log-likelihood with θ_0 = 0 (Agresti 2013, §11.6). */
function newtonMle(k: number, cs: readonly Comparison[]): number[] {
  const theta = new Array(k).fill(0) as number[];
  for (let it = 0; it < 100; it++) {
    const g = new Array(k).fill(0) as number[];
    const H = Array.from({ length: k }, () => new Array(k).fill(0) as number[]);
    for (const c of cs) {
      const p = 1 / (1 + Math.exp(-(theta[c.a]! - theta[c.b]!)));
      g[c.a]! += c.outcome - p;
      g[c.b]! -= c.outcome - p;
      const w = p * (1 - p);
      H[c.a]![c.a]! += w;
      H[c.b]![c.b]! += w;
      H[c.a]![c.b]! -= w;
      H[c.b]![c.a]! -= w;
    }
    // Solve the reduced system (drop item 0) by Gaussian elimination.
    const m = k - 1;
    const A = Array.from({ length: m }, (_, i) => [...H[i + 1]!.slice(1), g[i + 1]!]);
    for (let col = 0; col < m; col++) {
      let piv = col;
      for (let r = col + 1; r < m; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
      [A[col], A[piv]] = [A[piv]!, A[col]!];
      for (let r = 0; r < m; r++) {
        if (r === col) continue;
        const f = A[r]![col]! / A[col]![col]!;
        for (let c = col; c <= m; c++) A[r]![c]! -= f * A[col]![c]!;
      }
    }
    for (let i = 0; i < m; i++) theta[i + 1]! += A[i]![m]! / A[i]![i]!;
  }
  const mean = theta.reduce((a, b) => a + b, 0) / k;
  return theta.map((t) => t - mean);
}

describe('Bradley–Terry (MM, Hunter 2004)', () => {
  it('symmetric data → equal strengths', () => {
    const cs = [...games(0, 1, 5, 5), ...games(1, 2, 5, 5), ...games(0, 2, 5, 5)];
    const fit = fitBradleyTerry(3, cs);
    for (const s of fit.strengths) expect(s).toBeCloseTo(1 / 3, 9);
    expect(fit.converged).toBe(true);
  });

  it('two items: γ1/γ2 equals the win ratio (closed form)', () => {
    const fit = fitBradleyTerry(2, games(0, 1, 3, 1));
    expect(fit.strengths[0]! / fit.strengths[1]!).toBeCloseTo(3, 8);
    expect(fit.logStrengths[0]! - fit.logStrengths[1]!).toBeCloseTo(Math.log(3), 8);
  });

  it('satisfies the likelihood equations and agrees with a Newton–Raphson logistic MLE', () => {
    const rng = mulberry32(7);
    const truth = [0, 0.8, -0.5, 1.5];
    const cs: Comparison[] = [];
    for (let r = 0; r < 60; r++)
      for (let a = 0; a < 4; a++)
        for (let b = a + 1; b < 4; b++) {
          const p = 1 / (1 + Math.exp(-(truth[a]! - truth[b]!)));
          cs.push({ a, b, outcome: rng() < p ? 1 : 0 });
        }
    const fit = fitBradleyTerry(4, cs);
    const ref = newtonMle(4, cs);
    fit.logStrengths.forEach((t, i) => expect(t).toBeCloseTo(ref[i]!, 6));
    // Score equations: expected wins = observed wins for each item.
    const g = fit.strengths;
    for (let i = 0; i < 4; i++) {
      let expected = 0;
      let observed = 0;
      for (const c of cs) {
        if (c.a === i) {
          expected += g[i]! / (g[i]! + g[c.b]!);
          observed += c.outcome;
        } else if (c.b === i) {
          expected += g[i]! / (g[i]! + g[c.a]!);
          observed += 1 - c.outcome;
        }
      }
      expect(expected).toBeCloseTo(observed, 6);
    }
  });

  it('flags data without an MLE (an item never loses) and regularises with pseudo-wins', () => {
    const cs = [...games(0, 1, 4, 0), ...games(1, 2, 2, 2)];
    expect(fitBradleyTerry(3, cs).mleExists).toBe(false);
    const reg = fitBradleyTerry(3, cs, { pseudoWins: 0.5 });
    expect(reg.logStrengths.every(Number.isFinite)).toBe(true);
    expect(reg.strengths[0]).toBeGreaterThan(reg.strengths[1]!);
  });

  it('win-rate matrix and seeded bootstrap intervals', () => {
    const cs = [...games(0, 1, 7, 3), ...games(1, 2, 6, 4), ...games(0, 2, 8, 2), { a: 0, b: 1, outcome: 0.5 }];
    const wr = winRateMatrix(3, cs);
    expect(wr[0]![1]).toBeCloseTo(7.5 / 11, 12);
    expect(wr[1]![0]).toBeCloseTo(3.5 / 11, 12);
    expect(wr[0]![0]).toBeNull();
    const a = bradleyTerryWithCI(3, cs, { B: 300, seed: 5 });
    const b = bradleyTerryWithCI(3, cs, { B: 300, seed: 5 });
    expect(a.logStrengthCI).toEqual(b.logStrengthCI);
    a.logStrengths.forEach((t, i) => {
      expect(a.logStrengthCI[i]!.lower).toBeLessThanOrEqual(t);
      expect(a.logStrengthCI[i]!.upper).toBeGreaterThanOrEqual(t);
    });
  });
});

describe('Bradley–Terry with a Gaussian prior on log-strengths (MAP)', () => {
  it('is finite and ordered under separation; the separated item is named', () => {
    // Item 0 wins all 4 of its games: the MLE sends θ_0 to +∞.
    const cs = [...games(0, 1, 4, 0), ...games(1, 2, 2, 2)];
    const mle = fitBradleyTerry(3, cs);
    expect(mle.mleExists).toBe(false);
    expect(mle.separation).toEqual(['wins-all', null, null]);
    const map = fitBradleyTerry(3, cs, { priorSd: 2.5 });
    expect(map.converged).toBe(true);
    expect(map.priorSd).toBe(2.5);
    expect(map.logStrengths.every(Number.isFinite)).toBe(true);
    expect(map.logStrengths[0]).toBeGreaterThan(map.logStrengths[1]!);
    expect(Math.abs(map.logStrengths.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
  });

  it('satisfies the penalised score equations: observed − expected wins = θ_i / σ²', () => {
    const cs = [...games(0, 1, 7, 3), ...games(1, 2, 6, 4), ...games(0, 2, 10, 0)];
    const sd = 1.5;
    const fit = fitBradleyTerry(3, cs, { priorSd: sd });
    const t = fit.logStrengths;
    for (let i = 0; i < 3; i++) {
      let score = 0;
      for (const c of cs) {
        const p = 1 / (1 + Math.exp(-(t[c.a]! - t[c.b]!)));
        if (c.a === i) score += c.outcome - p;
        if (c.b === i) score -= c.outcome - p;
      }
      expect(score).toBeCloseTo(t[i]! / (sd * sd), 9);
    }
  });

  it('approaches the MLE as the prior widens (connected data)', () => {
    const cs = [...games(0, 1, 7, 3), ...games(1, 2, 6, 4), ...games(0, 2, 8, 2)];
    const mle = fitBradleyTerry(3, cs);
    const wide = fitBradleyTerry(3, cs, { priorSd: 1000 });
    wide.logStrengths.forEach((x, i) => expect(x).toBeCloseTo(mle.logStrengths[i]!, 4));
  });

  it('bootstrap intervals stay bounded where plain-MLE resamples separate', () => {
    // Connected overall, but 1 loss in 6 for item 0: many resamples drop it and separate.
    const cs = [...games(0, 1, 5, 1), ...games(1, 2, 3, 3)];
    const plain = bradleyTerryWithCI(3, cs, { B: 400, seed: 2 });
    expect(plain.separatedResamples).toBeGreaterThan(0);
    expect(plain.logStrengthCI[0]!.upper).toBeGreaterThan(100); // intervals of ±345 were seen on a real study
    const map = bradleyTerryWithCI(3, cs, { B: 400, seed: 2, priorSd: 2.5 });
    for (const c of map.logStrengthCI) {
      expect(Math.abs(c.lower)).toBeLessThan(10);
      expect(Math.abs(c.upper)).toBeLessThan(10);
    }
  });
});
