import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { areaLoss, areaStats, areaStatsFast } from './area-regulariser.ts';

beforeAll(async () => {
  await initBackend();
});

function lossAndGrad(rows: number[][], areas: number[]) {
  return tf.tidy(() => {
    const x = tf.tensor2d(rows);
    const { value, grad } = tf.valueAndGrad((m: tf.Tensor) => tf.sum(areaLoss(m as tf.Tensor2D, areas)))(x);
    const losses = areaLoss(x, areas).arraySync();
    return { total: value.dataSync()[0]!, losses, grad: grad.arraySync() as number[][] };
  });
}

describe('areaLoss', () => {
  it('matches the hand-computed sorted-reference loss and gradient', () => {
    // sorted [0.1,0.2,0.5,0.9] vs ref [0,0,1,1] → (0.01+0.04+0.25+0.01)/4 = 0.0775
    const { losses, grad } = lossAndGrad([[0.2, 0.9, 0.5, 0.1]], [0.5]);
    expect(losses[0]).toBeCloseTo(0.0775, 6);
    // 2/N·(v − r), r = [0,1,1,0]
    [0.1, -0.05, -0.25, 0.05].forEach((g, i) => expect(grad[0]![i]).toBeCloseTo(g, 6));
  });

  it('shares the reference equally among ties at the threshold', () => {
    const s = areaStats([0.5, 0.5, 0.5, 0.1], 0.5);
    expect(s.threshold).toBe(0.5);
    expect(s.tieShare).toBeCloseTo(2 / 3, 12);
    expect(s.loss).toBeCloseTo((0.01 + 0.25 + 0.25 + 0.25) / 4, 12);
    const { grad } = lossAndGrad([[0.5, 0.5, 0.5, 0.1]], [0.5]);
    const g = 0.5 * (0.5 - 2 / 3);
    [g, g, g, 0.05].forEach((v, i) => expect(grad[0]![i]).toBeCloseTo(v, 6));
  });

  it('handles several areas in one batch and uses ⌊(1−a)N⌋ zeros', () => {
    const row = [0.0, 0.25, 0.5, 0.75, 1.0];
    // a=0.3 → ⌊0.7·5⌋ = 3 zeros, ref [0,0,0,1,1]: (0+.0625+.25+.0625+0)/5
    // a=0.9 → ⌊0.1·5⌋ = 0 zeros, ref all ones: (1+.5625+.25+.0625+0)/5
    const { losses, grad } = lossAndGrad([row, row], [0.3, 0.9]);
    expect(losses[0]).toBeCloseTo(0.375 / 5, 6);
    expect(losses[1]).toBeCloseTo(1.875 / 5, 6);
    expect(grad[1]![0]).toBeCloseTo((2 / 5) * (0 - 1), 6);
    expect(grad[0]![4]).toBeCloseTo(0, 6);
  });

  it('agrees with a finite difference away from ties and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const row = [0.13, 0.71, 0.42, 0.05, 0.88, 0.36];
    const f = (r: number[]) => areaStats(r, 0.5).loss;
    const { grad } = lossAndGrad([row], [0.5]);
    for (let i = 0; i < row.length; i++) {
      const e = 1e-4;
      const up = row.slice();
      up[i]! += e;
      const dn = row.slice();
      dn[i]! -= e;
      expect(grad[0]![i]).toBeCloseTo((f(up) - f(dn)) / (2 * e), 4);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the O(N) statistics equal the sorting reference on random masks with ties', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rnd() * 400);
      // Quantised values make ties at the threshold common; some masks are constant.
      const levels = trial % 5 === 0 ? 1 : 2 + Math.floor(rnd() * 20);
      const v = Float32Array.from({ length: n }, () => Math.floor(rnd() * levels) / levels);
      const area = [0.05, 0.1, 0.2, 0.5, 0.999, 0.0001][trial % 6]!;
      const ref = new Float32Array(n);
      const fast = areaStatsFast(v, area, ref, new Float32Array(n));
      const slow = areaStats(v, area);
      expect(fast.threshold).toBe(slow.threshold);
      expect(fast.tieShare).toBeCloseTo(slow.tieShare, 12);
      expect(fast.loss).toBeCloseTo(slow.loss, 10);
      const k = n - Math.floor((1 - area) * n);
      expect(ref.reduce((a, b) => a + b, 0)).toBeCloseTo(k, 3);
    }
  });
});
