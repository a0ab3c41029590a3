import { describe, expect, it } from 'vitest';
import { cropRect, saliencyOverlay } from './overlay.ts';

describe('cropRect', () => {
  it('is the centred square of a landscape frame for a square model input', () => {
    const r = cropRect({ width: 160, height: 120 }, { width: 112, height: 112 });
    expect(r.w).toBeCloseTo(0.75);
    expect(r.h).toBeCloseTo(1);
    expect(r.x).toBeCloseTo(0.125);
    expect(r.y).toBeCloseTo(0);
  });
  it('is the centred band of a portrait frame', () => {
    const r = cropRect({ width: 180, height: 320 }, { width: 112, height: 112 });
    expect(r).toEqual({ x: 0, y: expect.closeTo(0.21875, 10), w: 1, h: expect.closeTo(0.5625, 10) });
  });
  it('is the whole frame when resized, when aspect ratios match, or when a size is unknown', () => {
    expect(cropRect({ width: 224, height: 224 }, { width: 112, height: 112 })).toEqual({ x: 0, y: 0, w: 1, h: 1 });
    expect(cropRect({ width: 160, height: 120 }, { width: 112, height: 112 }, 'resize')).toEqual({ x: 0, y: 0, w: 1, h: 1 });
    expect(cropRect({ width: 0, height: 0 }, { width: 112, height: 112 })).toEqual({ x: 0, y: 0, w: 1, h: 1 });
    expect(cropRect({ width: 160, height: 120 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0, w: 1, h: 1 });
  });
});

describe('saliencyOverlay', () => {
  const video = { width: 320, height: 240, fps: 25 };

  it('takes the decoded timestamps and the model size from provenance (automatic window)', () => {
    const ts = Array.from({ length: 4 }, (_, i) => 0.8 + i * 0.08);
    const o = saliencyOverlay({ provenance: { frameTimestamps: ts, clip: { width: 112, height: 112 } }, saliencyShape: [4, 56, 56], windowStartSec: null }, video);
    expect(o).toEqual({ frameTimestamps: ts, modelWidth: 112, modelHeight: 112, crop: { x: 0.125, y: 0, w: 0.75, h: 1 } });
  });

  it('falls back to the window start and fps, and to the volume size, for rows without them', () => {
    const o = saliencyOverlay({ provenance: { seed: 1 }, saliencyShape: [3, 12, 16], windowStartSec: 0.5 }, { width: 160, height: 120, fps: 25 });
    expect(o!.frameTimestamps).toEqual([0.5, 0.54, 0.58].map((x) => expect.closeTo(x, 10)));
    expect(o!.modelWidth).toBe(16);
    expect(o!.modelHeight).toBe(12);
    expect(o!.crop).toEqual({ x: 0, y: 0, w: 1, h: 1 });
  });

  it('is null without a volume or without any timing', () => {
    expect(saliencyOverlay({ provenance: {}, saliencyShape: null, windowStartSec: 0 }, video)).toBeNull();
    expect(saliencyOverlay({ provenance: {}, saliencyShape: [4, 8, 8], windowStartSec: null }, video)).toBeNull();
  });
});
