import { describe, expect, it } from 'vitest';
import { ALPHA_FLOOR, ALPHA_FULL, LUTS, paintSlice } from './colormaps.ts';

const rgb = (name: 'viridis' | 'turbo', i: number) => Array.from(LUTS[name].slice(i * 3, i * 3 + 3));

describe('colour maps', () => {
  it('viridis runs from dark purple to yellow (matplotlib table ends: #440154 … #fde725, ±4)', () => {
    const [r0, g0, b0] = rgb('viridis', 0);
    const [r1, g1, b1] = rgb('viridis', 255);
    for (const [got, want] of [[r0, 0x44], [g0, 0x01], [b0, 0x54], [r1, 0xfd], [g1, 0xe7], [b1, 0x25]] as const) {
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(4);
    }
  });

  it('viridis lightness increases monotonically (perceptual ordering)', () => {
    let prev = -1;
    for (let i = 0; i < 256; i += 5) {
      const [r, g, b] = rgb('viridis', i);
      const y = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      expect(y).toBeGreaterThan(prev);
      prev = y;
    }
  });

  it('turbo goes blue → green → red', () => {
    const [, , bLow] = rgb('turbo', 40);
    const [, gMid] = rgb('turbo', 128);
    const [rHigh] = rgb('turbo', 220);
    expect(bLow).toBeGreaterThan(200);
    expect(gMid).toBeGreaterThan(200);
    expect(rHigh).toBeGreaterThan(200);
  });

  it('paintSlice leaves values under the threshold transparent and applies opacity', () => {
    const out = new Uint8ClampedArray(3 * 4);
    paintSlice(out, [0, 0.2, 1], { lut: LUTS.viridis, max: 1, threshold: 0.5, opacity: 0.5 });
    expect(out[3]).toBe(0);
    expect(out[7]).toBe(0);
    expect(out[11]).toBe(128);
    expect(Array.from(out.slice(8, 11))).toEqual(rgb('viridis', 255));
  });

  it('paintSlice keeps the low end transparent and ramps smoothly to full opacity at ALPHA_FULL', () => {
    const values = [0, 0.01, 0.1, ALPHA_FLOOR, 0.2, 0.3, ALPHA_FULL, 0.75, 1];
    const out = new Uint8ClampedArray(values.length * 4);
    paintSlice(out, values, { lut: LUTS.viridis, max: 1, threshold: 0, opacity: 1 });
    const alphas = values.map((_, i) => out[i * 4 + 3]!);
    // Nothing at or under the floor: the map's dark purple never veils the frame.
    expect(alphas.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(alphas[4]).toBeLessThanOrEqual(10); // 4 % of the opacity just above the floor
    expect(alphas.slice(6)).toEqual([255, 255, 255]);
    for (let i = 1; i < alphas.length; i++) expect(alphas[i]).toBeGreaterThanOrEqual(alphas[i - 1]!);
  });

  it('paintSlice scales min–max: an under-optimised mask in [0.65, 0.95] is not painted uniformly', () => {
    const values = [0.65, 0.7, 0.8, 0.95];
    const out = new Uint8ClampedArray(values.length * 4);
    paintSlice(out, values, { lut: LUTS.viridis, min: 0.65, max: 0.95, threshold: 0, opacity: 1 });
    const alphas = values.map((_, i) => out[i * 4 + 3]!);
    expect(alphas[0]).toBe(0);
    expect(alphas[3]).toBe(255);
    expect(Array.from(out.slice(12, 15))).toEqual(rgb('viridis', 255));
  });
});
