/**
 * The overlay outputs of one explanation — the heat map blended on the clip frames the model saw
 * (encode.ts overlayFrames: jet, min–max over the volume) as PNG frames and as an H.264 MP4 at the
 * clip's sampling rate. `fep explain` writes them for a fresh explanation; `fep overlay` (and so
 * the API's downloads) writes them again later from a stored volume, decoding the same clip
 * frames again from the video (same window, same fit), so both give identical pictures.
 */
import path from 'node:path';
import { decodeClip } from './decode.ts';
import type { Fit } from './frame-stream.ts';
import { encodeMp4, overlayFrames, writePngFrames } from './encode.ts';

export interface OverlayFiles {
  /** Relative to the output directory. */
  video: string;
  frames: string[];
}

/** Writes `<dir>/overlay.mp4` and `<dir>/overlays/frame_000.png …` for clip frames [T,H,W,3] and their saliency [T,H,W]. */
export async function writeOverlayOutputs(
  clipData: Float32Array,
  saliency: Float32Array,
  shape: readonly [number, number, number],
  fps: number,
  dir: string,
): Promise<OverlayFiles> {
  const overlay = overlayFrames(clipData, saliency, shape);
  const names = await writePngFrames(path.join(dir, 'overlays'), overlay, shape);
  await encodeMp4(overlay, [shape[0], shape[1], shape[2], 3], path.join(dir, 'overlay.mp4'), { fps });
  return { video: 'overlay.mp4', frames: names.map((n) => `overlays/${n}`) };
}

export interface RenderOverlayRequest {
  video: string;
  /** [T,H,W] float32. */
  saliency: Float32Array;
  shape: readonly [number, number, number];
  /** The explained window (provenance.clip.startSec / windowSec). */
  startSec: number;
  windowSec: number;
  fit?: Fit;
  out: string;
  signal?: AbortSignal;
}

/** Decodes the explained clip again and writes its overlay outputs. */
export async function renderOverlay(req: RenderOverlayRequest): Promise<OverlayFiles & { timestamps: number[] }> {
  const [T, H, W] = req.shape;
  if (req.saliency.length !== T * H * W) throw new RangeError(`The saliency holds ${req.saliency.length} values, [${T},${H},${W}] needs ${T * H * W}.`);
  const clip = await decodeClip(req.video, { frames: T, height: H, width: W, startSec: req.startSec, windowSec: req.windowSec, fit: req.fit, signal: req.signal });
  const files = await writeOverlayOutputs(clip.data, req.saliency, [T, H, W], T / clip.windowSec, req.out);
  return { ...files, timestamps: clip.timestamps };
}
