import { describe, expect, it } from 'vitest';
import { expectedTime } from './playback.ts';

describe('mirrored playback time', () => {
  const at = '2026-01-01T00:00:10.000Z';
  const now = Date.parse(at);
  it('paused: the host time as is', () => {
    expect(expectedTime({ playing: false, timeSec: 3.2, updatedAt: at }, now + 2000)).toBe(3.2);
  });
  it('playing: extrapolated by the time since the update', () => {
    expect(expectedTime({ playing: true, timeSec: 3.2, updatedAt: at }, now + 1500)).toBeCloseTo(4.7, 10);
  });
  it('playing with implausible clock skew: not extrapolated', () => {
    expect(expectedTime({ playing: true, timeSec: 3.2, updatedAt: at }, now - 1000)).toBe(3.2);
    expect(expectedTime({ playing: true, timeSec: 3.2, updatedAt: at }, now + 60_000)).toBe(3.2);
  });
});
