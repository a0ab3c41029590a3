'use client';

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { SaliencyOverlayFieldsFragment } from '../../lib/__generated__/graphql.ts';
import { containRect, isPartialCrop, nearestClipFrame, type Rect } from '../../lib/frame-sync.ts';
import { followFrames } from './clock.ts';
import { DEFAULT_SETTINGS, paintHeat, type OverlaySettings, type Saliency } from './saliency.ts';

/** What the API says about where and when a heat map belongs (Explanation.overlay, RaterOption.overlay). */
export type OverlayGeometry = Pick<SaliencyOverlayFieldsFragment, 'frameTimestamps' | 'crop'>;

/**
 * The one heat-map overlay of the product (viewer, compare, live review, study rater). Put it in a
 * `relative` stage together with the <video> that drives it (which fills the stage, `absolute
 * inset-0`), or with `mirror` where the stage has no <video> of its own (a hidden clock video):
 *
 * - space: its canvases cover exactly the video's content box inside the stage (object-fit
 *   contain: letterbox and pillarbox excluded), their pixels are the source frame's, and the
 *   heat map fills the model's crop of that frame (geometry.crop), outlined with a thin line;
 * - time: the media time of every presented frame maps to the clip frame with the nearest decoded
 *   source timestamp (geometry.frameTimestamps, lib/frame-sync.ts nearestClipFrame); outside the
 *   explained window nothing is painted;
 * - colour: lib/colormaps.ts paintSlice, whose low end is transparent, so the video stays visible.
 *
 * The heat canvas carries data-frame (the clip frame painted, '' for none) and data-time (the media
 * time it was painted for), so tests can read what is shown.
 */
export function SaliencyOverlay({
  video,
  saliency,
  geometry,
  settings = DEFAULT_SETTINGS,
  mediaSize,
  mirror = false,
  testId,
  label = 'Saliency heat map',
}: {
  /** The clock: the <video> whose frames this overlay follows. */
  video: React.RefObject<HTMLVideoElement | null>;
  saliency: Saliency | null;
  geometry: OverlayGeometry | null | undefined;
  settings?: OverlaySettings;
  /** The video's size before its metadata has loaded (e.g. the video row's width × height). */
  mediaSize?: { width: number | null | undefined; height: number | null | undefined };
  /** Also draw the video's current frame (for stages without a visible <video>). */
  mirror?: boolean;
  /** data-testid of the heat canvas (pages keep their own ids). */
  testId?: string;
  label?: string;
}) {
  const stage = useRef<HTMLDivElement | null>(null);
  const heat = useRef<HTMLCanvasElement | null>(null);
  const frameCanvas = useRef<HTMLCanvasElement | null>(null);
  const [box, setBox] = useState({ width: 0, height: 0 });
  const [intrinsic, setIntrinsic] = useState({ width: mediaSize?.width ?? 0, height: mediaSize?.height ?? 0 });
  const latest = useRef({ saliency, geometry, settings, intrinsic, mirror });
  latest.current = { saliency, geometry, settings, intrinsic, mirror };

  // The stage's size (the overlay's wrapper fills it).
  useLayoutEffect(() => {
    const el = stage.current;
    if (!el) return;
    const measure = () => setBox({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const draw = useCallback(
    (t: number) => {
      const v = video.current;
      const { saliency: s, geometry: g, settings: st, intrinsic: size, mirror: m } = latest.current;
      const w = v?.videoWidth || size.width || (s ? s.W * 4 : 0);
      const h = v?.videoHeight || size.height || (s ? s.H * 4 : 0);
      if (!w || !h) return;
      for (const c of m ? [heat.current, frameCanvas.current] : [heat.current]) {
        if (c && (c.width !== w || c.height !== h)) {
          c.width = w;
          c.height = h;
        }
      }
      const fc = frameCanvas.current;
      if (m && fc && v && v.readyState >= 2) fc.getContext('2d')?.drawImage(v, 0, 0, w, h);
      const c = heat.current;
      if (!c) return;
      const frame = g && s ? nearestClipFrame(g.frameTimestamps, t) : null;
      if (s && g) paintHeat(c, s, frame, st, g.crop);
      else c.getContext('2d')?.clearRect(0, 0, w, h);
      c.dataset.frame = frame === null ? '' : String(frame);
      c.dataset.time = String(t);
      c.dataset.ready = s && g ? 'true' : 'false';
    },
    [video],
  );

  // Follow the video: every presented frame, seek and load; its intrinsic size once known.
  useEffect(() => {
    const v = video.current;
    if (!v) return;
    const onMeta = () => {
      if (v.videoWidth && v.videoHeight) setIntrinsic({ width: v.videoWidth, height: v.videoHeight });
    };
    onMeta();
    v.addEventListener('loadedmetadata', onMeta);
    v.addEventListener('resize', onMeta);
    const stop = followFrames(v, draw);
    // A mirrored clock video is hidden, and a hidden video may present no frames to
    // requestVideoFrameCallback: while it plays, draw on every animation frame as well.
    let raf = 0;
    const loop = () => {
      draw(v.currentTime);
      if (!v.paused) raf = requestAnimationFrame(loop);
    };
    const onPlay = () => {
      if (latest.current.mirror) raf = requestAnimationFrame(loop);
    };
    v.addEventListener('play', onPlay);
    return () => {
      stop();
      cancelAnimationFrame(raf);
      v.removeEventListener('play', onPlay);
      v.removeEventListener('loadedmetadata', onMeta);
      v.removeEventListener('resize', onMeta);
    };
  }, [video, draw]);

  // Redraw when what is drawn changes while the video stands still.
  useEffect(() => {
    draw(video.current?.currentTime ?? 0);
  }, [draw, video, saliency, geometry, settings, intrinsic, mirror]);

  const content = containRect(box, intrinsic);
  const crop: Rect | null = geometry?.crop ?? null;
  const hidden = settings.view === 'original';
  return (
    <div ref={stage} className="pointer-events-none absolute inset-0">
      <div
        className="absolute"
        style={{ left: content.x, top: content.y, width: content.w, height: content.h }}
        data-testid="overlay-content-box"
      >
        {mirror ? <canvas ref={frameCanvas} className="absolute inset-0 h-full w-full" aria-hidden data-testid="overlay-video-frame" /> : null}
        <canvas
          ref={heat}
          className={`absolute inset-0 h-full w-full ${hidden ? 'invisible' : ''}`}
          role="img"
          aria-label={label}
          data-overlay="heat"
          data-testid={testId}
        />
        {crop && isPartialCrop(crop) && !hidden ? (
          <div
            className="absolute border border-dashed border-white/80"
            style={{ left: `${crop.x * 100}%`, top: `${crop.y * 100}%`, width: `${crop.w * 100}%`, height: `${crop.h * 100}%` }}
            title="The part of the frame the model saw"
            aria-hidden
            data-testid="overlay-crop"
          />
        ) : null}
      </div>
    </div>
  );
}
