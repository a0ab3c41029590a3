'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { DEFAULT_SETTINGS, drawSaliencyFrame, useSaliency } from '../viewer/saliency.ts';
import { stageMaxWidth } from '../viewer/stage-size.ts';
import { clipFrameAt } from './rater-keys.ts';

/** An option's 16:9 canvas leaves room for the rating buttons and Submit on a laptop's first screen. */
export const OPTION_MAX_WIDTH = stageMaxWidth(16, 9, 24);

export interface StageOption {
  alias: string;
  saliencyUrl: string;
  windowStartSec: number | null;
  label?: string | null;
}

/**
 * One video as the shared clock and one canvas per option showing the frame with that option's
 * heat map (the viewer's drawSaliencyFrame, full frame). Frames step with ←/→ (see RaterPage).
 */
export function SaliencyStage({
  videoUrl,
  fps,
  options,
  selected,
  onVideo,
  slotLabels,
}: {
  videoUrl: string;
  fps: number;
  options: StageOption[];
  /** Highlighted option aliases (chosen / ranked). */
  selected: string[];
  onVideo?: (v: HTMLVideoElement | null) => void;
  slotLabels: string[];
}) {
  const video = useRef<HTMLVideoElement | null>(null);
  const [tick, setTick] = useState(0);
  const redraw = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const v = video.current;
    onVideo?.(v);
    if (!v) return;
    let raf = 0;
    const loop = () => {
      redraw();
      if (!v.paused) raf = requestAnimationFrame(loop);
    };
    const events = ['loadeddata', 'seeked', 'timeupdate', 'pause'] as const;
    events.forEach((e) => v.addEventListener(e, redraw));
    const onPlay = () => (raf = requestAnimationFrame(loop));
    v.addEventListener('play', onPlay);
    return () => {
      cancelAnimationFrame(raf);
      events.forEach((e) => v.removeEventListener(e, redraw));
      v.removeEventListener('play', onPlay);
    };
  }, [videoUrl, redraw, onVideo]);

  return (
    <div>
      {/* The clock; frames are painted into the canvases below. */}
      <video ref={video} src={videoUrl} muted playsInline preload="auto" className="sr-only" data-testid="rater-video" />
      <div className={`grid gap-4 ${options.length === 1 ? 'grid-cols-1' : options.length === 2 ? 'grid-cols-2' : 'grid-cols-2 lg:grid-cols-4'}`}>
        {options.map((o, i) => (
          <OptionPane key={o.alias} option={o} fps={fps} video={video} tick={tick} slot={slotLabels[i] ?? String(i + 1)} selected={selected} />
        ))}
      </div>
    </div>
  );
}

function OptionPane({
  option,
  fps,
  video,
  tick,
  slot,
  selected,
}: {
  option: StageOption;
  fps: number;
  video: React.RefObject<HTMLVideoElement | null>;
  tick: number;
  slot: string;
  selected: string[];
}) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const { saliency, error } = useSaliency(option.saliencyUrl);
  useEffect(() => {
    const c = canvas.current;
    const v = video.current;
    if (!c || !saliency) return;
    const w = v?.videoWidth || saliency.W * 4;
    const h = v?.videoHeight || saliency.H * 4;
    if (c.width !== w || c.height !== h) {
      c.width = w;
      c.height = h;
    }
    const frame = clipFrameAt(v?.currentTime ?? 0, option.windowStartSec, fps, saliency.T);
    drawSaliencyFrame(c, saliency, frame, DEFAULT_SETTINGS, { x: 0, y: 0, w: 1, h: 1 }, v);
  }, [tick, saliency, option.windowStartSec, fps, video]);
  const rank = selected.indexOf(option.alias);
  return (
    <figure
      data-testid="rater-option"
      data-selected={rank >= 0 ? 'true' : 'false'}
      className={`mx-auto w-full overflow-hidden rounded-lg border-2 bg-slate-900 ${rank >= 0 ? 'border-indigo-600' : 'border-transparent'}`}
      style={{ maxWidth: OPTION_MAX_WIDTH }}
    >
      <canvas ref={canvas} className="block aspect-video w-full object-contain" data-testid="rater-canvas" />
      <figcaption className="flex items-center justify-between bg-white px-3 py-2 text-sm">
        <span>
          <kbd className="rounded border border-slate-300 px-1.5 font-mono text-xs">{slot}</kbd>{' '}
          {option.label ?? `Explanation ${slot}`}
        </span>
        {rank >= 0 ? <span className="font-medium text-indigo-700">{selected.length > 1 ? `#${rank + 1}` : 'chosen'}</span> : null}
        {error ? <span className="text-red-700">{error}</span> : null}
      </figcaption>
    </figure>
  );
}
