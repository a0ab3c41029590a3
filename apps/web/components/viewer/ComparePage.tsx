'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { userMessage } from '../../lib/graphql-client.ts';
import { METHOD_DEFAULTS, methodLabel } from '../../lib/methods.ts';
import { explanationLabels } from '@fep/shared/methods';

/** Methods whose result is a mask of a requested area (an unset area means the engine default). */
const AREA_METHODS = new Set(['fep', 'ep']);
import { EXPLANATION_VIEW } from '../../lib/operations/explanations.ts';
import { gqlRequest, isApiError } from '../../lib/graphql-client.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Button } from '../Button.tsx';
import { PageHeader } from '../Card.tsx';
import { EmptyState } from '../EmptyState.tsx';
import { NotFoundState } from '../NotFoundState.tsx';
import { LoadingRegion, Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';
import { useVideoClock } from './clock.ts';
import { frameTime, frameTimestamps, type ExplanationData } from './ExplanationViewer.tsx';
import { MetricSummary } from './MetricsPanel.tsx';
import { OverlayControls } from './OverlayControls.tsx';
import { ReproductionOf } from './ReproductionOf.tsx';
import { DEFAULT_SETTINGS, useSaliency, type OverlaySettings } from './saliency.ts';
import { SaliencyOverlay } from './SaliencyOverlay.tsx';
import { stageMaxWidth } from './stage-size.ts';
import { usePlayerKeys } from './use-player-keys.ts';

/** Room kept under the viewport's height for header, title, captions (label line + scores line) and the shared transport row. */
const COMPARE_RESERVE_REM = 20.5;
/** Metrics in each pane's caption (labels and ↑/↓ from the shared catalogue). */
const COMPARE_METRICS = ['insertionAuc', 'deletionAuc', 'temporalConsistency'] as const;

function CompareSkeleton({ n = 2 }: { n?: number }) {
  return (
    <LoadingRegion label="Loading the explanations">
      <div className="mb-6 min-h-10 space-y-2">
        <Skeleton className="h-7 w-72" />
        <Skeleton className="h-4 w-96" />
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        {Array.from({ length: n }, (_, i) => (
          <div key={i} className="mx-auto w-full" style={{ maxWidth: stageMaxWidth(1, 1, COMPARE_RESERVE_REM) }}>
            <Skeleton className="aspect-square w-full" />
          </div>
        ))}
      </div>
    </LoadingRegion>
  );
}

/** `/compare?ids=a,b,c`: 2–4 explanations of one video side by side, driven by one video clock. */
export function ComparePage({ ids }: { ids: string[] }) {
  return (
    <AppShell skeleton={<CompareSkeleton n={Math.min(4, Math.max(2, ids.length))} />}>
      <CompareBody ids={ids} />
    </AppShell>
  );
}

function CompareBody({ ids }: { ids: string[] }) {
  const { rememberTeam } = useViewer();
  const [list, setList] = useState<ExplanationData[] | null>(null);
  const [error, setError] = useState<{ notFound: boolean; message: string } | null>(null);
  const key = ids.join(',');
  useEffect(() => {
    let cancelled = false;
    setList(null);
    setError(null);
    Promise.all(key.split(',').filter(Boolean).map((id) => gqlRequest(EXPLANATION_VIEW, { id })))
      .then((rs) => !cancelled && setList(rs.map((r) => r.explanation)))
      .catch((e: unknown) => !cancelled && setError({ notFound: isApiError(e) && e.code === 'NOT_FOUND', message: userMessage(e) }));
    return () => {
      cancelled = true;
    };
  }, [key]);
  useEffect(() => {
    if (list?.[0]) rememberTeam(list[0].teamId);
  }, [list, rememberTeam]);

  if (ids.length < 2 || ids.length > 4)
    return (
      <EmptyState heading="h1" title="Pick 2 to 4 explanations to compare" testId="compare-invalid">
        Open a video, tick the explanations you want side by side, and press Compare.
      </EmptyState>
    );
  if (error?.notFound) return <NotFoundState what="Explanation" />;
  if (error) return <Alert tone="error" title="We could not load these explanations">{error.message}</Alert>;
  if (!list) return <CompareSkeleton n={ids.length} />;
  const videoIds = new Set(list.map((e) => e.video.id));
  if (videoIds.size > 1)
    return (
      <EmptyState heading="h1" title="These explanations are of different videos" testId="compare-invalid">
        Compare mode shows explanations of one video on a shared clock. Pick explanations of the same video.
      </EmptyState>
    );
  const notDone = list.find((e) => e.status !== 'DONE');
  if (notDone) return <Alert tone="info" title="Not finished yet">The {methodLabel(notDone.method)} explanation is {notDone.status.toLowerCase()}; compare again once it is done.</Alert>;
  return <Compare list={list} />;
}

function Compare({ list }: { list: ExplanationData[] }) {
  const video = list[0]!.video;
  const [settings, setSettings] = useState<OverlaySettings>(DEFAULT_SETTINGS);
  // The shared clock counts the first pane's clip frames; every pane maps the same media time itself.
  const timestamps = frameTimestamps(list[0]!);
  const clock = useVideoClock(timestamps);

  usePlayerKeys(clock);

  const started = useRef(false);
  const aspect = video.width && video.height ? `${video.width} / ${video.height}` : '1 / 1';
  const labels = explanationLabels(list);
  return (
    <>
      <PageHeader
        title={`Comparing ${list.length} explanations`}
        description={
          <>
            <Link href={`/videos/${encodeURIComponent(video.id)}`} className="text-indigo-700 underline underline-offset-2">
              {video.title}
            </Link>{' '}
            · one clock for all panes: play, step (← →) and seek move them together
          </>
        }
      />
      <div className={`grid gap-4 sm:grid-cols-2 ${list.length === 3 ? 'xl:grid-cols-3' : list.length === 4 ? 'xl:grid-cols-4' : ''}`} data-testid="compare-grid">
        {list.map((e, i) => (
          <Pane key={e.id} e={e} label={labels.get(e.id) ?? e.method} aspect={aspect} settings={settings} video={clock.videoRef} mirror={i !== 0}>
            {i === 0 ? (
              <video
                ref={clock.videoRef}
                src={video.url}
                muted
                playsInline
                preload="auto"
                className="absolute inset-0 h-full w-full"
                aria-label={`Video: ${video.title}`}
                onLoadedData={() => {
                  if (!started.current && timestamps.length) {
                    started.current = true;
                    clock.seekFrame(0);
                  }
                }}
              />
            ) : null}
          </Pane>
        ))}
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-2">
        <Button size="sm" variant="secondary" onClick={() => clock.step(-1)} aria-label="Previous frame (←)">
          ←
        </Button>
        <Button size="sm" onClick={clock.togglePlay} className="w-20" data-testid="compare-play">
          {clock.playing ? 'Pause' : 'Play'}
        </Button>
        <Button size="sm" variant="secondary" onClick={() => clock.step(1)} aria-label="Next frame (→)" data-testid="compare-next">
          →
        </Button>
        <span className="font-mono text-xs text-slate-700" aria-live="polite" data-testid="compare-frame">
          {clock.frame === null ? 'outside the explained window' : `frame ${clock.frame + 1}/${timestamps.length}`} · {frameTime(timestamps, clock.frame, clock.mediaTime).toFixed(3)} s
        </span>
      </div>
      <div className="mt-4">
        <OverlayControls settings={settings} onChange={setSettings} />
      </div>
    </>
  );
}

function Pane({
  e,
  label,
  aspect,
  settings,
  video,
  mirror,
  children,
}: {
  e: ExplanationData;
  /** explanationLabels() of the compared list: method, parameters, model, date, author. */
  label: string;
  aspect: string;
  settings: OverlaySettings;
  /** The shared clock (the first pane's <video>). */
  video: React.RefObject<HTMLVideoElement | null>;
  /** Panes without their own <video> draw its frame under the heat map. */
  mirror: boolean;
  children?: React.ReactNode;
}) {
  const { saliency, error } = useSaliency(e.saliencyUrl);
  const metrics = (e.metrics ?? {}) as Record<string, number | null>;
  const params = (e.params ?? {}) as Record<string, unknown>;
  return (
    <figure className="min-w-0 space-y-2" data-testid="compare-pane">
      <div className="mx-auto w-full" style={{ maxWidth: stageMaxWidth(e.video.width, e.video.height, COMPARE_RESERVE_REM) }}>
        <div className="relative w-full overflow-hidden rounded-lg bg-black" style={{ aspectRatio: aspect }}>
          {children}
          <SaliencyOverlay
            video={video}
            saliency={saliency}
            geometry={e.overlay}
            settings={settings}
            mediaSize={{ width: e.video.width, height: e.video.height }}
            mirror={mirror}
            testId="compare-canvas"
            label={`${methodLabel(e.method)} heat map`}
          />
        </div>
      </div>
      <figcaption className="text-sm">
        {/* One line each: the label (in full on hover and for screen readers), then the scores. */}
        <Link href={`/explanations/${encodeURIComponent(e.id)}`} title={label} className="block truncate font-medium text-indigo-700 underline underline-offset-2" data-testid="compare-pane-label">
          {label}
        </Link>
        <span className="block text-slate-600">
          {AREA_METHODS.has(e.method) && params.area == null ? `area ${String(METHOD_DEFAULTS.area)} (default)` : 'Scores'}
          <MetricSummary metrics={metrics} keys={COMPARE_METRICS} />
        </span>
        {e.reproducesId ? <ReproductionOf originalId={e.reproducesId} original={e.reproduces} className="block" /> : null}
        {error ? <span className="block text-red-700">{error}</span> : null}
      </figcaption>
    </figure>
  );
}
