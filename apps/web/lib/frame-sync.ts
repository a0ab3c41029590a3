/**
 * Mapping between the video's clock and the explanation's clip frames. The engine stores, per
 * clip frame, the source timestamp it decoded (provenance.frameTimestamps, seconds); padded frames
 * repeat the last one. The frame shown at media time t is the clip frame whose timestamp is
 * nearest to t; outside the explained window (more than half a frame interval beyond either end)
 * there is no saliency to show.
 */
export function nearestClipFrame(timestamps: readonly number[], t: number): number | null {
  const n = timestamps.length;
  if (n === 0 || !Number.isFinite(t)) return null;
  const first = timestamps[0]!;
  const last = timestamps[n - 1]!;
  const step = frameStep(timestamps);
  if (t < first - step / 2 || t > last + step / 2) return null;
  // Binary search for the first timestamp >= t, then compare with its predecessor.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timestamps[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(timestamps[lo - 1]! - t) <= Math.abs(timestamps[lo]! - t)) {
    // Prefer the earliest of equal (padded) timestamps.
    let i = lo - 1;
    while (i > 0 && timestamps[i - 1] === timestamps[i]) i--;
    return i;
  }
  let i = lo;
  while (i > 0 && timestamps[i - 1] === timestamps[i]) i--;
  return i;
}

/** Median spacing of distinct timestamps (1/fps for a native-rate clip); 1/25 s when unknown. */
export function frameStep(timestamps: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) {
    const d = timestamps[i]! - timestamps[i - 1]!;
    if (d > 0) gaps.push(d);
  }
  if (!gaps.length) return 1 / 25;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)]!;
}

/**
 * Where to seek so the video shows clip frame i: its timestamp plus a quarter frame, so that
 * rounding in the media pipeline never lands on the previous frame.
 */
export function seekTimeFor(timestamps: readonly number[], i: number): number {
  const k = Math.max(0, Math.min(timestamps.length - 1, i));
  return timestamps[k]! + frameStep(timestamps) / 4;
}

/**
 * The part of the source frame the model saw, as a normalised rect: the engine centre-crops to
 * the model's aspect ratio by default (apps/engine/src/video/frame-stream.ts, fit 'center-crop').
 */
export function cropRect(
  source: { width: number; height: number },
  model: { width: number; height: number },
  fit: 'center-crop' | 'resize' = 'center-crop',
): { x: number; y: number; w: number; h: number } {
  if (fit === 'resize' || !source.width || !source.height) return { x: 0, y: 0, w: 1, h: 1 };
  const scale = Math.max(model.width / source.width, model.height / source.height);
  const w = Math.min(1, model.width / scale / source.width);
  const h = Math.min(1, model.height / scale / source.height);
  return { x: (1 - w) / 2, y: (1 - h) / 2, w, h };
}
