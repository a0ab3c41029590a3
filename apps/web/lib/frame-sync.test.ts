import { describe, expect, it } from 'vitest';
import { cropRect, frameStep, nearestClipFrame, seekTimeFor } from './frame-sync.ts';

describe('nearestClipFrame', () => {
  const ts = [2, 2.125, 2.25, 2.375]; // 8 fps window starting at 2 s

  it('maps a media time to the clip frame with the nearest source timestamp', () => {
    expect(nearestClipFrame(ts, 2)).toBe(0);
    expect(nearestClipFrame(ts, 2.05)).toBe(0);
    expect(nearestClipFrame(ts, 2.07)).toBe(1);
    expect(nearestClipFrame(ts, 2.375)).toBe(3);
    expect(nearestClipFrame(ts, 2.4)).toBe(3);
  });

  it('returns null outside the explained window', () => {
    expect(nearestClipFrame(ts, 1.5)).toBeNull();
    expect(nearestClipFrame(ts, 3)).toBeNull();
    expect(nearestClipFrame([], 1)).toBeNull();
  });

  it('maps padded (repeated) timestamps to the first of them', () => {
    expect(nearestClipFrame([0, 0.5, 1, 1, 1], 1)).toBe(2);
  });

  it('seeking to a frame lands back on that frame', () => {
    for (let i = 0; i < ts.length; i++) expect(nearestClipFrame(ts, seekTimeFor(ts, i))).toBe(i);
    expect(frameStep(ts)).toBeCloseTo(0.125);
  });
});

describe('cropRect', () => {
  it('is the centred square of a landscape frame for a square model input', () => {
    const r = cropRect({ width: 160, height: 120 }, { width: 112, height: 112 });
    expect(r.w).toBeCloseTo(0.75);
    expect(r.h).toBeCloseTo(1);
    expect(r.x).toBeCloseTo(0.125);
    expect(r.y).toBeCloseTo(0);
  });
  it('is the whole frame when resized or when aspect ratios match', () => {
    expect(cropRect({ width: 224, height: 224 }, { width: 112, height: 112 })).toEqual({ x: 0, y: 0, w: 1, h: 1 });
    expect(cropRect({ width: 160, height: 120 }, { width: 112, height: 112 }, 'resize')).toEqual({ x: 0, y: 0, w: 1, h: 1 });
  });
});
