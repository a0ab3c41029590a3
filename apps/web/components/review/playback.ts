/** Matches HEARTBEAT_MS in graphql/src/reviews/reviews.service.ts (presence lasts three of these). */
export const HEARTBEAT_MS = 10_000;

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
