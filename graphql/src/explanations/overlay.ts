/**
 * Where and when an explanation's saliency belongs on its video: the one geometry every page that
 * draws a heat map uses (viewer, compare, live review, study rater). Computed here, from the
 * stored provenance, so the UI never derives it two ways.
 *
 * - frameTimestamps: the source timestamp (s) the engine decoded for each clip frame
 *   (provenance.frameTimestamps; padded frames repeat the last one). Rows without it (written
 *   before the engine recorded timestamps) fall back to windowStartSec + i / fps.
 * - modelWidth × modelHeight: the frame size the model saw (provenance.clip, else the volume's H×W).
 * - crop: the part of the source frame the model saw, normalised to the frame; the engine
 *   centre-crops to the model's aspect ratio (apps/engine/src/video/frame-stream.ts, fit 'center-crop').
 */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SaliencyOverlayGeometry {
  frameTimestamps: number[];
  modelWidth: number;
  modelHeight: number;
  crop: Rect;
}

const FULL: Rect = { x: 0, y: 0, w: 1, h: 1 };

/** The centred region of a `source` frame with the `model`'s aspect ratio, normalised to the frame. */
export function cropRect(
  source: { width: number; height: number },
  model: { width: number; height: number },
  fit: 'center-crop' | 'resize' = 'center-crop',
): Rect {
  if (fit === 'resize' || !(source.width > 0) || !(source.height > 0) || !(model.width > 0) || !(model.height > 0)) return { ...FULL };
  const scale = Math.max(model.width / source.width, model.height / source.height);
  const w = Math.min(1, model.width / scale / source.width);
  const h = Math.min(1, model.height / scale / source.height);
  return { x: (1 - w) / 2, y: (1 - h) / 2, w, h };
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/**
 * The overlay geometry of a finished explanation, or null when it has no saliency volume (or too
 * little is known to place one).
 */
export function saliencyOverlay(
  e: { provenance: unknown; saliencyShape: unknown; windowStartSec: number | null },
  video: { width: number | null; height: number | null; fps: number | null } | null,
): SaliencyOverlayGeometry | null {
  const shape = Array.isArray(e.saliencyShape) ? (e.saliencyShape as unknown[]).map(num) : [];
  const [T, H, W] = shape;
  if (!T || !H || !W) return null;
  const p = (e.provenance && typeof e.provenance === 'object' ? e.provenance : {}) as {
    frameTimestamps?: unknown;
    clip?: { width?: unknown; height?: unknown };
    windowStartSec?: unknown;
  };
  let frameTimestamps = Array.isArray(p.frameTimestamps) ? p.frameTimestamps.map(num).filter((x): x is number => x !== null) : [];
  if (!frameTimestamps.length) {
    const start = num(p.windowStartSec) ?? e.windowStartSec;
    const fps = video?.fps;
    if (start === null || !fps) return null;
    frameTimestamps = Array.from({ length: T }, (_, i) => start + i / fps);
  }
  const modelWidth = num(p.clip?.width) ?? W;
  const modelHeight = num(p.clip?.height) ?? H;
  const crop = cropRect({ width: video?.width ?? 0, height: video?.height ?? 0 }, { width: modelWidth, height: modelHeight });
  return { frameTimestamps, modelWidth, modelHeight, crop };
}
