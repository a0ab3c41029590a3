import { describe, expect, it } from 'vitest';
import { containRect, frameStep, isPartialCrop, nearestClipFrame, scaleRect, seekTimeFor } from './frame-sync.ts';

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

describe('nearestClipFrame on an automatic window that does not start at 0', () => {
  // 16 frames every 0.08 s from 0.8 s: what the engine decodes at stride 2 from a 25 fps video.
  const ts = Array.from({ length: 16 }, (_, i) => 0.8 + i * 0.08);

  it('shows nothing before the window (not frame 0 at t = 0)', () => {
    expect(nearestClipFrame(ts, 0)).toBeNull();
    expect(nearestClipFrame(ts, 0.5)).toBeNull();
    expect(nearestClipFrame(ts, 0.75)).toBeNull();
  });

  it('maps media time to the decoded frame, and ends half a step after the last', () => {
    expect(nearestClipFrame(ts, 0.8)).toBe(0);
    expect(nearestClipFrame(ts, 1.04)).toBe(3);
    expect(nearestClipFrame(ts, 2.0)).toBe(15);
    expect(nearestClipFrame(ts, 2.03)).toBe(15);
    expect(nearestClipFrame(ts, 2.05)).toBeNull();
  });
});

describe('containRect', () => {
  it('pillarboxes a 4:3 video in a 16:9 box', () => {
    expect(containRect({ width: 640, height: 360 }, { width: 320, height: 240 })).toEqual({ x: 80, y: 0, w: 480, h: 360 });
  });
  it('letterboxes a 16:9 video in a square box', () => {
    expect(containRect({ width: 400, height: 400 }, { width: 1280, height: 720 })).toEqual({ x: 0, y: 87.5, w: 400, h: 225 });
  });
  it('fills a box of the same aspect; the whole box when the media size is unknown; nothing in an empty box', () => {
    expect(containRect({ width: 480, height: 360 }, { width: 320, height: 240 })).toEqual({ x: 0, y: 0, w: 480, h: 360 });
    expect(containRect({ width: 480, height: 360 }, { width: 0, height: 0 })).toEqual({ x: 0, y: 0, w: 480, h: 360 });
    expect(containRect({ width: 0, height: 360 }, { width: 320, height: 240 })).toEqual({ x: 0, y: 0, w: 0, h: 0 });
  });
});

describe('scaleRect / isPartialCrop', () => {
  it('places the model crop of a 4:3 frame in its pixels', () => {
    expect(scaleRect({ x: 0.125, y: 0, w: 0.75, h: 1 }, 320, 240)).toEqual({ x: 40, y: 0, w: 240, h: 240 });
  });
  it('outlines only a crop that leaves part of the frame out', () => {
    expect(isPartialCrop({ x: 0.125, y: 0, w: 0.75, h: 1 })).toBe(true);
    expect(isPartialCrop({ x: 0, y: 0, w: 1, h: 1 })).toBe(false);
  });
});
