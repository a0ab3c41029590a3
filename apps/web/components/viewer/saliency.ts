'use client';

import { useEffect, useState } from 'react';
import { LUTS, paintSlice, type ColormapName } from '../../lib/colormaps.ts';
import { frameMeans, parseNpy, volumeMax, volumeMin, type NpyArray } from '../../lib/npy.ts';

export type ViewMode = 'original' | 'overlay' | 'mask';

export interface OverlaySettings {
  view: ViewMode;
  colormap: ColormapName;
  /** 0..1 */
  opacity: number;
  /** 0..1 of the volume's range (minimum → maximum). */
  threshold: number;
}

export const DEFAULT_SETTINGS: OverlaySettings = { view: 'overlay', colormap: 'viridis', opacity: 0.6, threshold: 0 };

export interface Saliency {
  volume: NpyArray;
  T: number;
  H: number;
  W: number;
  /** The colour scale runs from the volume's minimum to its maximum. */
  min: number;
  max: number;
  means: number[];
}

/** Fetches and parses the saliency .npy of an explanation (same-origin, cookie-authenticated). */
export function useSaliency(url: string | null | undefined) {
  const [saliency, setSaliency] = useState<Saliency | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    setSaliency(null);
    setError(null);
    fetch(url, { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(res.status === 404 ? 'The saliency volume is missing.' : `The saliency volume could not be loaded (${res.status}).`);
        const volume = parseNpy(await res.arrayBuffer());
        const [T = 0, H = 0, W = 0] = volume.shape;
        if (!cancelled) setSaliency({ volume, T, H, W, min: volumeMin(volume), max: volumeMax(volume), means: frameMeans(volume) });
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : 'The saliency volume could not be loaded.');
      });
    return () => {
      cancelled = true;
    };
  }, [url]);
  return { saliency, error };
}

const scratch = new WeakMap<Saliency, { canvas: HTMLCanvasElement; image: ImageData }>();

/**
 * Paints the heat map of clip frame `frame` into `canvas` (whose pixels are the source frame's):
 * the volume's slice is stretched over `crop` (normalised rect of the part of the frame the model
 * saw) and nothing else is drawn, so every non-transparent pixel is saliency. `frame === null`
 * (outside the explained window) leaves it clear; the 'mask' view blacks out the frame first.
 * Used only by SaliencyOverlay.tsx.
 */
export function paintHeat(
  canvas: HTMLCanvasElement,
  s: Saliency,
  frame: number | null,
  settings: OverlaySettings,
  crop: { x: number; y: number; w: number; h: number },
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (settings.view === 'original') return;
  if (settings.view === 'mask') {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  if (frame === null || frame < 0 || frame >= s.T) return;
  let sc = scratch.get(s);
  if (!sc) {
    const c = document.createElement('canvas');
    c.width = s.W;
    c.height = s.H;
    sc = { canvas: c, image: new ImageData(s.W, s.H) };
    scratch.set(s, sc);
  }
  const n = s.H * s.W;
  paintSlice(sc.image.data, s.volume.data.subarray(frame * n, (frame + 1) * n), {
    lut: LUTS[settings.colormap],
    min: s.min,
    max: s.max,
    threshold: settings.threshold,
    opacity: settings.view === 'mask' ? 1 : settings.opacity,
  });
  sc.canvas.getContext('2d')!.putImageData(sc.image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(sc.canvas, crop.x * canvas.width, crop.y * canvas.height, crop.w * canvas.width, crop.h * canvas.height);
}
