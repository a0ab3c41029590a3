import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { MaskGenerator } from './mask-generator.ts';
import { simdExp2 } from './smooth-max-simd.ts';

beforeAll(async () => {
  await initBackend();
});

/**
 * Literal transcription of TorchRay's MaskGenerator for one mask (float64, per pixel): weights from
 * floor(step_inv·u) with step_inv = float32(mid)/float32(up), unfold with zero padding, smooth max.
 */
function torchrayReference(p: number[][], height: number, width: number, step: number, sigma: number, coldness = 20) {
  const margin = sigma;
  const padding = 1 + Math.ceil((margin + sigma) / step);
  const radius = 1 + Math.ceil(sigma / step);
  const k1 = 2 * radius + 1;
  const axis = (n: number) => {
    const inN = Math.ceil(n / step);
    const mid = inN + 2 * padding - k1 + 1;
    const up = step * mid;
    return { inN, mid, up, out: up - step + 1, inv: Math.fround(Math.fround(mid) / Math.fround(up)) };
  };
  const ay = axis(height);
  const ax = axis(width);
  const kernel = (z: number) => Math.exp(-2 * Math.max(z - 0.5, 0) ** 2);
  const param = (iy: number, ix: number) => (iy >= 0 && iy < ay.inN && ix >= 0 && ix < ax.inN ? p[iy]![ix]! : 0);
  const full: number[][] = [];
  for (let uy = 0; uy < ay.out; uy++) {
    const row: number[] = [];
    for (let ux = 0; ux < ax.out; ux++) {
      const v: number[] = [];
      for (let ky = 0; ky < k1; ky++)
        for (let kx = 0; kx < k1; kx++) {
          const iy = Math.floor(Math.fround(ay.inv * uy)) + ky - padding;
          const ix = Math.floor(Math.fround(ax.inv * ux)) + kx - padding;
          const delta = Math.sqrt((uy - (margin + step * iy)) ** 2 + (ux - (margin + step * ix)) ** 2);
          v.push(kernel(delta / sigma) * param(iy, ix));
        }
      const mx = Math.max(...v);
      const e = v.map((z) => Math.exp(coldness * (z - mx)));
      const se = e.reduce((a, b) => a + b, 0);
      const y = v.reduce((s, z, i) => s + (z * e[i]!) / se, 0);
      row.push(Math.min(1, Math.max(0, y)));
    }
    full.push(row);
  }
  const m = Math.round(margin);
  const cropped = full.slice(m, m + height).map((r) => r.slice(m, m + width));
  return { full, cropped };
}

describe('MaskGenerator', () => {
  it('has TorchRay geometry for 112×112 (σ=21 and Li et al.’s σ=11)', () => {
    const g21 = new MaskGenerator({ height: 112, width: 112, step: 7, sigma: 21 });
    expect([g21.padding, g21.radius, g21.y.in, g21.y.mid, g21.y.up, g21.y.out]).toEqual([7, 4, 16, 22, 154, 148]);
    expect(g21.taps).toBe(81);
    g21.dispose();
    const g11 = new MaskGenerator({ height: 112, width: 112, step: 7, sigma: 11 });
    expect([g11.padding, g11.radius, g11.y.in, g11.y.mid, g11.y.up, g11.y.out]).toEqual([5, 3, 16, 20, 140, 134]);
    g11.dispose();
  });

  it('matches hand-computed values for a single parameter', () => {
    // 1×1 image, step 1, σ 1: margin 1, padding 3, radius 2 (25 taps), mid 3, full mask 3×3.
    const g = new MaskGenerator({ height: 1, width: 1, step: 1, sigma: 1 });
    expect([g.padding, g.radius, g.y.out]).toEqual([3, 2, 3]);
    const p = 0.5;
    const { cropped, full } = tf.tidy(() => {
      const m = g.generate(tf.tensor3d([[[p]]]));
      return { cropped: m.cropped.arraySync(), full: m.full.arraySync() };
    });
    // Centre pixel: the parameter's tap has δ = 0 → weight 1; the 24 other taps read padding (0).
    const centre = (p * Math.exp(20 * p)) / (Math.exp(20 * p) + 24);
    expect(cropped[0]![0]![0]).toBeCloseTo(centre, 5);
    expect(full[0]![1]![1]).toBeCloseTo(centre, 5);
    // Edge pixel (0,1): δ = 1 = σ → weight exp(−2·0.5²); smooth max against 24 zeros.
    const v = p * Math.exp(-0.5);
    expect(full[0]![0]![1]).toBeCloseTo((v * Math.exp(20 * v)) / (Math.exp(20 * v) + 24), 5);
    // Corner (0,0): δ = √2.
    const vc = p * Math.exp(-2 * (Math.SQRT2 - 0.5) ** 2);
    expect(full[0]![0]![0]).toBeCloseTo((vc * Math.exp(20 * vc)) / (Math.exp(20 * vc) + 24), 5);
    g.dispose();
  });

  it('equals a literal transcription of TorchRay on a non-square random case', () => {
    const [h, w, step, sigma] = [15, 10, 5, 6];
    const g = new MaskGenerator({ height: h, width: w, step, sigma, chunkElements: 5000 });
    const [ph, pw] = g.shapeIn;
    expect([ph, pw]).toEqual([3, 2]);
    const params = [0, 1, 2].map((b) =>
      Array.from({ length: ph }, (_, y) => Array.from({ length: pw }, (_, x) => (Math.sin(3 * b + 5 * y + 7 * x) + 1) / 2)),
    );
    const out = tf.tidy(() => {
      const m = g.generate(tf.tensor3d(params));
      return { cropped: m.cropped.arraySync(), full: m.full.arraySync() };
    });
    params.forEach((p, b) => {
      const ref = torchrayReference(p, h, w, step, sigma);
      expect(out.full[b]!.length).toBe(ref.full.length);
      expect(out.full[b]![0]!.length).toBe(ref.full[0]!.length);
      ref.full.forEach((row, y) => row.forEach((v, x) => expect(out.full[b]![y]![x]).toBeCloseTo(v, 5)));
      ref.cropped.forEach((row, y) => row.forEach((v, x) => expect(out.cropped[b]![y]![x]).toBeCloseTo(v, 5)));
    });
    g.dispose();
  });

  it('has a gradient that agrees with finite differences and leaks nothing', () => {
    const g = new MaskGenerator({ height: 12, width: 12, step: 4, sigma: 5, chunkElements: 3000 });
    const [ph, pw] = g.shapeIn;
    const before = tf.memory().numTensors;
    const base = Array.from({ length: 2 * ph * pw }, (_, i) => 0.2 + 0.6 * ((Math.sin(i * 2.3) + 1) / 2));
    const r = tf.randomUniform([2, ...g.shapeOut], 0, 1, 'float32', 3);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(g.generate(x as tf.Tensor3D).full, r));
    const grad = tf.tidy(() => tf.grad(f)(tf.tensor3d(base, [2, ph, pw])).dataSync());
    const at = (vals: number[]) => tf.tidy(() => f(tf.tensor3d(vals, [2, ph, pw])).dataSync()[0]!);
    for (const i of [0, 4, 7, 12]) {
      const e = 1e-2;
      const up = base.slice();
      up[i]! += e;
      const dn = base.slice();
      dn[i]! -= e;
      const fd = (at(up) - at(dn)) / (2 * e);
      expect(Math.abs(grad[i]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
    }
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });

  it('gives all-zero masks for zero parameters', () => {
    const g = new MaskGenerator({ height: 8, width: 8, step: 4, sigma: 4 });
    const s = tf.tidy(() => tf.sum(g.generate(tf.zeros([1, ...g.shapeIn]) as tf.Tensor3D).full).dataSync()[0]);
    expect(s).toBe(0);
    g.dispose();
  });

  it('matches a plain autodiff implementation (stack of slices + softmax) in value and gradient, cropped == full crop', () => {
    // The previous implementation's formulation, differentiated by TF.js itself.
    const g = new MaskGenerator({ height: 28, width: 21, step: 7, sigma: 11, chunkElements: 40_000 });
    const [ph, pw] = g.shapeIn;
    const k1 = 2 * g.radius + 1;
    const naive = (p: tf.Tensor3D) => {
      const [b] = p.shape;
      const pad = tf.pad(p, [[0, 0], [g.padding, g.padding], [g.padding, g.padding]]);
      const taps: tf.Tensor3D[] = [];
      for (let ky = 0; ky < k1; ky++) for (let kx = 0; kx < k1; kx++) taps.push(tf.slice(pad, [0, ky, kx], [b, g.y.mid, g.x.mid]));
      const u = tf.stack(taps, 3).reshape([b, g.y.mid, g.x.mid, 1, g.taps]);
      const v = tf.mul(u, tf.tensor2d(g.weights, [g.step * g.step, g.taps]));
      const y = tf.sum(tf.mul(v, tf.softmax(tf.mul(v, g.coldness))), -1);
      const up = y.reshape([b, g.y.mid, g.x.mid, g.step, g.step]).transpose([0, 1, 3, 2, 4]).reshape([b, g.y.up, g.x.up]);
      const full = tf.clipByValue(tf.slice(up, [0, 0, 0], [b, g.y.out, g.x.out]), 0, 1);
      return tf.slice(full, [0, 11, 11], [b, g.y.n, g.x.n]);
    };
    const before = tf.memory().numTensors;
    const base = Array.from({ length: 3 * ph * pw }, (_, i) => (Math.sin(i * 1.7) + 1) / 2);
    const p = tf.tensor3d(base, [3, ph, pw]);
    const r = tf.randomUniform([3, 28, 21], 0, 1, 'float32', 5);
    const [vN, gN, vF, gF, vC, gC] = tf.tidy(() => [
      naive(p).dataSync(),
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(naive(x as tf.Tensor3D), r)))(p).dataSync(),
      g.generate(p).cropped.dataSync(),
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g.generate(x as tf.Tensor3D).cropped, r)))(p).dataSync(),
      g.generateCropped(p).dataSync(),
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g.generateCropped(x as tf.Tensor3D), r)))(p).dataSync(),
    ]);
    expect(Array.from(vC)).toEqual(Array.from(vF));
    for (let i = 0; i < vN.length; i++) expect(Math.abs(vF[i]! - vN[i]!)).toBeLessThan(1e-6);
    for (let i = 0; i < gN.length; i++) {
      expect(Math.abs(gF[i]! - gN[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(gN[i]!)));
      expect(Math.abs(gC[i]! - gN[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(gN[i]!)));
    }
    tf.dispose([p, r]);
    expect(tf.memory().numTensors).toBe(before);
    g.dispose();
  });
});

describe('MaskGenerator kernels', () => {
  it('the WebAssembly SIMD exponential is accurate to float32 rounding and keeps NaN', () => {
    const xs = Float32Array.from({ length: 20_001 }, (_, i) => -126 + i * 0.0063);
    const ys = simdExp2(xs);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(ys[i]! - 2 ** xs[i]!) / 2 ** xs[i]!);
    expect(worst).toBeLessThan(2e-7);
    const special = simdExp2(new Float32Array([0, -1, -3, Number.NaN, -1000]));
    expect(Array.from(special.subarray(0, 3))).toEqual([1, 0.5, 0.125]);
    expect(special[3]).toBeNaN();
    expect(special[4]).toBe(2 ** -126); // clamped: negligible against a softmax denominator ≥ 1
  });

  for (const [h, w, step, sigma] of [
    [112, 112, 7, 11],
    [30, 19, 7, 21],
    [12, 12, 4, 5],
  ] as const) {
    it(`the SIMD kernel equals the tensor-op kernel in value and gradient (${h}×${w}, step ${step}, σ ${sigma})`, () => {
      const simd = new MaskGenerator({ height: h, width: w, step, sigma, kernel: 'simd' });
      const ref = new MaskGenerator({ height: h, width: w, step, sigma, kernel: 'tensor' });
      expect(simd.useSimd).toBe(true);
      const [ph, pw] = simd.shapeIn;
      const b = 3;
      // Values in [0, 1] with exact zeros and ones (the kernel skips the exponential of zero taps).
      const base = Array.from({ length: b * ph * pw }, (_, i) => {
        const v = (Math.sin(i * 1.3) + 1) / 2;
        return i % 7 === 0 ? 0 : i % 11 === 0 ? 1 : v;
      });
      const p = tf.tensor3d(base, [b, ph, pw]);
      const rFull = tf.randomUniform([b, ...simd.shapeOut], -1, 1, 'float32', 11);
      const rCrop = tf.randomUniform([b, h, w], -1, 1, 'float32', 12);
      const before = tf.memory().numTensors;
      const run = (g: MaskGenerator) =>
        tf.tidy(() => ({
          full: g.generate(p).full.dataSync(),
          crop: g.generateCropped(p).dataSync(),
          cropOfFull: g.generate(p).cropped.dataSync(),
          gFull: tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g.generate(x as tf.Tensor3D).full, rFull)))(p).dataSync(),
          gCrop: tf.grad((x: tf.Tensor) => tf.sum(tf.mul(g.generateCropped(x as tf.Tensor3D), rCrop)))(p).dataSync(),
        }));
      const s = run(simd);
      const t = run(ref);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(s.crop)).toEqual(Array.from(s.cropOfFull));
      let worst = 0;
      for (let i = 0; i < t.full.length; i++) worst = Math.max(worst, Math.abs(s.full[i]! - t.full[i]!));
      for (let i = 0; i < t.crop.length; i++) worst = Math.max(worst, Math.abs(s.crop[i]! - t.crop[i]!));
      // Both are float32 evaluations of the same expression (measured against float64: ≤ 1.3e-6 and
      // ≤ 4.3e-7 at 16 frames of 112×112).
      expect(worst).toBeLessThan(3e-6);
      for (const [gs, gt] of [
        [s.gFull, t.gFull],
        [s.gCrop, t.gCrop],
      ] as const) {
        let scale = 0;
        for (let i = 0; i < gt.length; i++) scale = Math.max(scale, Math.abs(gt[i]!));
        for (let i = 0; i < gt.length; i++) expect(Math.abs(gs[i]! - gt[i]!)).toBeLessThan(1e-4 * Math.max(1, scale));
      }
      tf.dispose([p, rFull, rCrop]);
      simd.dispose();
      ref.dispose();
    });
  }

  it('recomputes a forward whose kernel memory slot was reused before its backward (three calls on one tape)', () => {
    const simd = new MaskGenerator({ height: 28, width: 21, step: 7, sigma: 11, kernel: 'simd' });
    const ref = new MaskGenerator({ height: 28, width: 21, step: 7, sigma: 11, kernel: 'tensor' });
    const [ph, pw] = simd.shapeIn;
    const p = tf.tensor3d(Array.from({ length: 2 * ph * pw }, (_, i) => (Math.cos(i) + 1) / 2), [2, ph, pw]);
    const r = tf.randomUniform([2, 28, 21], -1, 1, 'float32', 13);
    const energy = (g: MaskGenerator) => (x: tf.Tensor) => {
      const q = x as tf.Tensor3D;
      const a = g.generateCropped(q);
      const b = g.generate(tf.mul(q, 0.5) as tf.Tensor3D).cropped;
      const c = g.generateCropped(tf.sqrt(q) as tf.Tensor3D);
      return tf.sum(tf.mul(tf.add(tf.add(tf.mul(a, r), tf.mul(b, b)), tf.mul(c, a)), 1));
    };
    const [gs, gt] = tf.tidy(() => [tf.grad(energy(simd))(p).dataSync(), tf.grad(energy(ref))(p).dataSync()]);
    let scale = 0;
    for (let i = 0; i < gt.length; i++) scale = Math.max(scale, Math.abs(gt[i]!));
    for (let i = 0; i < gt.length; i++) expect(Math.abs(gs[i]! - gt[i]!)).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([p, r]);
    simd.dispose();
    ref.dispose();
  });

  it('a NaN parameter gives NaN where it reaches, like the tensor kernel', () => {
    const g = new MaskGenerator({ height: 14, width: 14, step: 7, sigma: 11 });
    const vals = new Float32Array(4).fill(0.5);
    vals[0] = Number.NaN;
    const out = tf.tidy(() => g.generateCropped(tf.tensor3d(vals, [1, 2, 2])).dataSync());
    expect(Number.isNaN(out[0]!)).toBe(true);
    g.dispose();
  });
});
