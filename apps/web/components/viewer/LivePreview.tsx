'use client';

import { decodeMaskPreview, explainStageLabel } from '@fep/shared/progress';
import { useEffect, useMemo, useRef, useState } from 'react';
import { frameMeans } from '../../lib/npy.ts';
import { useExplanationProgress, type ExplanationProgressEvent } from '../../lib/subscriptions.ts';
import { Card } from '../Card.tsx';
import { CancelExplanationButton } from '../CancelExplanationButton.tsx';
import { DEFAULT_SETTINGS, type Saliency } from './saliency.ts';
import { SaliencyOverlay } from './SaliencyOverlay.tsx';
import { stageMaxWidth } from './stage-size.ts';

type Preview = NonNullable<ExplanationProgressEvent['preview']>;

/** A preview's mask as the overlay's Saliency: values in [0, 1], coloured on that fixed scale. */
function previewSaliency(p: Preview): Saliency {
  const data = decodeMaskPreview(p);
  const volume = { shape: [p.frames, p.height, p.width], data };
  return { volume, T: p.frames, H: p.height, W: p.width, min: 0, max: 1, means: frameMeans(volume) };
}

/**
 * An explanation that is not finished yet: its live status, a Cancel button, and — for the methods
 * that optimise a mask (F-EP, EP, EP + smoothing) — the mask forming over the video, from the
 * previews in the progress events (ExplanationProgress.preview, placed with the same geometry as
 * the finished heat map). Stays mounted when the explanation is cancelled or fails, so the last
 * preview stays on screen; reloads the page's data once the explanation has finished.
 */
export function LiveExplanation({
  e,
  mayCancel,
  onFinished,
}: {
  e: {
    id: string;
    status: string;
    method: string;
    video: { title: string; url: string | null; width: number | null; height: number | null };
  };
  mayCancel: boolean;
  onFinished: () => void;
}) {
  const active = e.status === 'QUEUED' || e.status === 'RUNNING';
  const { event } = useExplanationProgress(e.id, active);
  const [preview, setPreview] = useState<Preview | null>(null);
  useEffect(() => {
    if (event?.preview) setPreview(event.preview);
  }, [event]);
  const saliency = useMemo(() => (preview ? previewSaliency(preview) : null), [preview]);

  const finished = event?.status === 'DONE' || event?.status === 'FAILED' || event?.status === 'CANCELLED';
  const latest = useRef(onFinished);
  latest.current = onFinished;
  useEffect(() => {
    if (finished) latest.current();
  }, [finished]);
  useEffect(() => {
    if (!active) return;
    // A slow re-check covers a finish the stream did not deliver.
    const timer = setInterval(() => latest.current(), 5000);
    return () => clearInterval(timer);
  }, [active]);

  const videoRef = useRef<HTMLVideoElement | null>(null);
  const aspect = e.video.width && e.video.height ? `${e.video.width} / ${e.video.height}` : '1 / 1';
  const status = active
    ? event
      ? `${event.status.toLowerCase()} · ${Math.round(event.fraction * 100)} %${event.status === 'RUNNING' && explainStageLabel(event.stage) ? ` · ${explainStageLabel(event.stage)}` : ''}`
      : 'Waiting for the engine…'
    : null;

  return (
    <div className="mb-4 space-y-3">
      {status ? (
        <div className="flex flex-wrap items-center gap-3">
          <p className="text-sm text-slate-700" role="status" data-testid="explanation-live-status">
            {status}
          </p>
          {mayCancel ? <CancelExplanationButton explanationId={e.id} label={`This ${e.method} explanation`} onCancelled={() => latest.current()} /> : null}
        </div>
      ) : null}
      {preview && e.video.url ? (
        <Card
          title={active ? 'The mask as it forms' : 'The last preview'}
          description={
            active
              ? `Iteration ${preview.iteration}: the mask the engine is optimising, shown over the frames it explains. It changes until the run ends; the result replaces it.`
              : `Iteration ${preview.iteration}, when the explanation stopped (${e.status.toLowerCase()}). No result was stored; it is shown only on this page.`
          }
        >
          <div className="mx-auto w-full" style={{ maxWidth: stageMaxWidth(e.video.width, e.video.height, 18) }}>
            <div className="relative w-full overflow-hidden rounded-lg bg-black" style={{ aspectRatio: aspect }} data-testid="live-preview" data-iteration={preview.iteration}>
              <video
                ref={videoRef}
                src={e.video.url}
                muted
                loop
                playsInline
                autoPlay
                preload="auto"
                className="absolute inset-0 h-full w-full"
                aria-label={`Video: ${e.video.title}`}
              />
              <SaliencyOverlay
                video={videoRef}
                saliency={saliency}
                geometry={preview.overlay}
                settings={DEFAULT_SETTINGS}
                mediaSize={{ width: e.video.width, height: e.video.height }}
                testId="live-preview-canvas"
                label="Live preview of the mask"
              />
            </div>
          </div>
        </Card>
      ) : null}
    </div>
  );
}
