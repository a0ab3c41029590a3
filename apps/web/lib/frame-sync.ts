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

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * The box a media element of intrinsic size `media` actually paints inside a `box` (CSS px) with
 * `object-fit: contain` (a <video>'s default): centred, letterboxed or pillarboxed. The whole box
 * when the media size is unknown.
 */
export function containRect(box: { width: number; height: number }, media: { width: number; height: number }): Rect {
  if (!(box.width > 0) || !(box.height > 0)) return { x: 0, y: 0, w: 0, h: 0 };
  if (!(media.width > 0) || !(media.height > 0)) return { x: 0, y: 0, w: box.width, h: box.height };
  const scale = Math.min(box.width / media.width, box.height / media.height);
  const w = media.width * scale;
  const h = media.height * scale;
  return { x: (box.width - w) / 2, y: (box.height - h) / 2, w, h };
}

/** A normalised rect (0..1 of a frame) in the pixels of a frame of `width` × `height`. */
export function scaleRect(r: Rect, width: number, height: number): Rect {
  return { x: r.x * width, y: r.y * height, w: r.w * width, h: r.h * height };
}

/** True when a normalised crop leaves part of the frame out (so it is worth outlining). */
export function isPartialCrop(r: Rect, eps = 1e-3): boolean {
  return r.x > eps || r.y > eps || r.w < 1 - eps || r.h < 1 - eps;
}
