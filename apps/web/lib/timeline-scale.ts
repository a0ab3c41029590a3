/**
 * The y axis of the importance timeline: from the lowest to the highest frame mean, so frames whose
 * means differ by a fraction of a percent still spread over the plot's height. In the plot's own
 * units (0 at the top, 100 at the bottom): the highest frame sits at `top`, the lowest at
 * `baseline - FLOOR` (a little above the baseline, so the curve never hides in the axis line). When
 * every frame has the same mean (`flat`), the curve runs through the middle.
 */
export const TIMELINE_TOP = 8;
export const TIMELINE_BASELINE = 92;
const FLOOR = 8;

export interface TimelineScale {
  lo: number;
  hi: number;
  flat: boolean;
  top: number;
  baseline: number;
  y: (mean: number) => number;
}

export function timelineScale(means: readonly number[]): TimelineScale {
  const finite = means.filter((m) => Number.isFinite(m));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 0;
  // Differences below a millionth of the level are float noise, not importance.
  const flat = !(hi - lo > 1e-6 * Math.max(Math.abs(hi), 1e-12));
  const span = TIMELINE_BASELINE - FLOOR - TIMELINE_TOP;
  const y = (m: number) => (flat || !Number.isFinite(m) ? (TIMELINE_TOP + TIMELINE_BASELINE) / 2 : TIMELINE_BASELINE - FLOOR - ((m - lo) / (hi - lo)) * span);
  return { lo, hi, flat, top: TIMELINE_TOP, baseline: TIMELINE_BASELINE, y };
}
