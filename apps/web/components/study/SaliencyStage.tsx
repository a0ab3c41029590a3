'use client';

import { useEffect, useRef } from 'react';
import { useSaliency } from '../viewer/saliency.ts';
import { SaliencyOverlay, type OverlayGeometry } from '../viewer/SaliencyOverlay.tsx';
import { stageMaxWidth } from '../viewer/stage-size.ts';

/** An option's 16:9 stage leaves room for the rating buttons and Submit on a laptop's first screen. */
export const OPTION_MAX_WIDTH = stageMaxWidth(16, 9, 24);

export interface StageOption {
  alias: string;
  saliencyUrl: string;
  /** Timestamps and model crop only (RaterOption.overlay): nothing that names the method. */
  overlay: OverlayGeometry | null;
  label?: string | null;
}

/**
 * One video as the shared clock and one stage per option showing its frame with that option's
 * heat map (the product's one SaliencyOverlay, mirroring the hidden clock video; a video of
 * another aspect ratio is letterboxed inside the 16:9 stage). Frames step with ←/→ (see RaterPage).
 */
export function SaliencyStage({
  videoUrl,
  options,
  selected,
  onVideo,
  slotLabels,
}: {
  videoUrl: string;
  options: StageOption[];
  /** Highlighted option aliases (chosen / ranked). */
  selected: string[];
  onVideo?: (v: HTMLVideoElement | null) => void;
  slotLabels: string[];
}) {
  const video = useRef<HTMLVideoElement | null>(null);
  useEffect(() => {
    onVideo?.(video.current);
  }, [videoUrl, onVideo]);

  return (
    <div>
      {/* The clock; its frames are painted into each option's stage below. */}
      <video ref={video} src={videoUrl} muted playsInline preload="auto" className="sr-only" data-testid="rater-video" />
      <div className={`grid gap-4 ${options.length === 1 ? 'grid-cols-1' : options.length === 2 ? 'grid-cols-2' : 'grid-cols-2 lg:grid-cols-4'}`}>
        {options.map((o, i) => (
          <OptionPane key={o.alias} option={o} video={video} slot={slotLabels[i] ?? String(i + 1)} selected={selected} />
        ))}
      </div>
    </div>
  );
}

function OptionPane({
  option,
  video,
  slot,
  selected,
}: {
  option: StageOption;
  video: React.RefObject<HTMLVideoElement | null>;
  slot: string;
  selected: string[];
}) {
  const { saliency, error } = useSaliency(option.saliencyUrl);
  const rank = selected.indexOf(option.alias);
  return (
    <figure
      data-testid="rater-option"
      data-selected={rank >= 0 ? 'true' : 'false'}
      className={`mx-auto w-full overflow-hidden rounded-lg border-2 bg-slate-900 ${rank >= 0 ? 'border-indigo-600' : 'border-transparent'}`}
      style={{ maxWidth: OPTION_MAX_WIDTH }}
    >
      <div className="relative aspect-video w-full" data-testid="rater-stage">
        <SaliencyOverlay video={video} saliency={saliency} geometry={option.overlay} mirror testId="rater-canvas" label={`Explanation ${slot}: heat map over the video`} />
      </div>
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
