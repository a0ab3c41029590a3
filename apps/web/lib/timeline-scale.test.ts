import { describe, expect, it } from 'vitest';
import { TIMELINE_BASELINE, TIMELINE_TOP, timelineScale } from './timeline-scale.ts';

describe('timelineScale', () => {
  it('spreads frames whose means differ by 0.5 % over the plot height', () => {
    const means = [0.4, 0.401, 0.402, 0.399];
    const s = timelineScale(means);
    const ys = means.map(s.y);
    expect(Math.min(...ys)).toBeCloseTo(TIMELINE_TOP, 6);
    expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(0.7 * (TIMELINE_BASELINE - TIMELINE_TOP));
    expect(Math.max(...ys)).toBeLessThan(TIMELINE_BASELINE);
    expect(s).toMatchObject({ lo: 0.399, hi: 0.402, flat: false });
  });

  it('draws equal means through the middle and says so', () => {
    const s = timelineScale([0.3, 0.3, 0.3]);
    expect(s.flat).toBe(true);
    expect(s.y(0.3)).toBe((TIMELINE_TOP + TIMELINE_BASELINE) / 2);
  });

  it('copes with an empty list', () => {
    expect(timelineScale([])).toMatchObject({ lo: 0, hi: 0, flat: true });
  });
});
