/** Matches HEARTBEAT_MS in graphql/src/reviews/reviews.service.ts (presence lasts three of these). */
export const HEARTBEAT_MS = 10_000;

/** While playing, the host re-sends its position this often, so drifting members catch up. */
export const RESYNC_MS = 5_000;
/**
 * Drift a playing member tolerates before seeking: 0.25 s, about 6 frames at 25 fps — below that a
 * corrective seek is more disturbing than the offset.
 */
export const RESYNC_TOLERANCE_SEC = 0.25;

/**
 * Where the host's player is now: the stored time plus, while playing, the time since the host's
 * update. Browser and server clocks can disagree, so the extrapolation is only used over a
 * plausible span (0–5 s); otherwise the stored time is taken as is.
 */
export function expectedTime(p: { playing: boolean; timeSec: number; updatedAt: string }, now = Date.now()): number {
  if (!p.playing) return p.timeSec;
  const elapsed = (now - Date.parse(p.updatedAt)) / 1000;
  return p.timeSec + (elapsed > 0 && elapsed < 5 ? elapsed : 0);
}
