'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import type { ExplanationViewQuery } from '../../lib/__generated__/graphql.ts';
import { userMessage } from '../../lib/graphql-client.ts';
import { methodLabel } from '../../lib/methods.ts';
import { formatDateTime } from '../../lib/format.ts';
import { EXPLANATION_VIEW } from '../../lib/operations/explanations.ts';
import { FEEDBACK } from '../../lib/operations/feedback.ts';
import { REPRODUCE_EXPLANATION } from '../../lib/operations/governance.ts';
import { can } from '../../lib/roles.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Button } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { NotFoundState } from '../NotFoundState.tsx';
import { LoadingRegion, Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';
import { AnnotationLayer, type Draft, type Tool } from './AnnotationLayer.tsx';
import { useVideoClock } from './clock.ts';
import { AnnotatePanel, CommentsPanel, RatingPanel } from './FeedbackPanel.tsx';
import { MetricsPanel } from './MetricsPanel.tsx';
import { OverlayControls } from './OverlayControls.tsx';
import { AgreementPanel, ProvenancePanel } from './ProvenancePanel.tsx';
import { ReproductionOf } from './ReproductionOf.tsx';
import { DownloadsPanel } from './DownloadsPanel.tsx';
import { LiveExplanation } from './LivePreview.tsx';
import { TrustNotice, TrustRulesHelp } from './TrustNotice.tsx';
import { DEFAULT_SETTINGS, useSaliency, type OverlaySettings, type Saliency } from './saliency.ts';
import { SaliencyOverlay } from './SaliencyOverlay.tsx';
import { ShortcutsDialog } from './ShortcutsDialog.tsx';
import { stageMaxWidth } from './stage-size.ts';
import { Timeline } from './Timeline.tsx';
import { usePlayerKeys } from './use-player-keys.ts';

export type ExplanationData = NonNullable<ExplanationViewQuery['explanation']>;

/** Room kept under the viewport's height for the header, title and transport row (see stage-size.ts). */
const PLAYER_RESERVE_REM = 17;

export function ViewerSkeleton() {
  return (
    <LoadingRegion label="Loading the explanation">
      <div className="mb-6 min-h-10 space-y-2">
        <Skeleton className="h-7 w-72" />
        <Skeleton className="h-4 w-96" />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-3">
          <div className="mx-auto w-full" style={{ maxWidth: stageMaxWidth(1, 1, PLAYER_RESERVE_REM) }}>
            <Skeleton className="aspect-square w-full" />
          </div>
          <Skeleton className="h-12 w-full" />
        </div>
        <Skeleton className="h-96 w-full" />
      </div>
    </LoadingRegion>
  );
}

const NO_TIMESTAMPS: number[] = [];

/** The clip frames' source timestamps (from the API's overlay geometry; empty without a volume). */
export function frameTimestamps(e: Pick<ExplanationData, 'overlay'>): number[] {
  return e.overlay?.frameTimestamps ?? NO_TIMESTAMPS;
}

/**
 * The time to show for the current clip frame: its source timestamp from the overlay geometry;
 * outside the explained window (no frame), the media clock.
 */
export function frameTime(timestamps: readonly number[], frame: number | null, mediaTime: number): number {
  return frame !== null && timestamps[frame] !== undefined ? timestamps[frame]! : mediaTime;
}

/** `/explanations/[id]`: the heart of the product. */
export function ExplanationViewer({ explanationId }: { explanationId: string }) {
  return (
    <AppShell skeleton={<ViewerSkeleton />}>
      <ViewerBody id={explanationId} />
    </AppShell>
  );
}

function ViewerBody({ id }: { id: string }) {
  const { memberships, rememberTeam, user } = useViewer();
  const query = useQuery(EXPLANATION_VIEW, { id });
  const e = query.data?.explanation;
  useEffect(() => {
    if (e) rememberTeam(e.teamId);
  }, [e, rememberTeam]);
  if (query.error?.code === 'NOT_FOUND') return <NotFoundState what="Explanation" />;
  if (query.error)
    return (
      <Alert tone="error" title="We could not load this explanation" action={<Button variant="secondary" size="sm" onClick={() => void query.reload()}>Try again</Button>}>
        {userMessage(query.error)}
      </Alert>
    );
  if (!e) return <ViewerSkeleton />;
  const role = memberships.find((m) => m.team.id === e.teamId)?.role ?? null;
  if (e.status !== 'DONE')
    return (
      <>
        <Header e={e} />
        <LiveExplanation e={e} mayCancel={can(role, 'explanation.request')} onFinished={() => void query.reload()} />
        <Alert tone={e.status === 'FAILED' ? 'error' : 'info'} title={`This explanation is ${e.status.toLowerCase()}.`}>
          {e.status === 'FAILED'
            ? e.error ?? 'The engine could not finish it.'
            : e.status === 'CANCELLED'
              ? 'It was stopped before it finished, so there is no result; request it again to start over.'
              : 'Results appear here once the engine has finished.'}{' '}
          <Link href={`/videos/${encodeURIComponent(e.video.id)}`} className="underline">
            Back to the video
          </Link>
        </Alert>
        {e.reproducesId ? (
          <div className="mt-6 max-w-xl">
            <AgreementPanel comparison={e.comparison} status={e.status} />
          </div>
        ) : null}
      </>
    );
  return <Viewer e={e} mayWrite={can(role, 'feedback.write')} mayReproduce={can(role, 'explanation.request')} viewerId={user.id} />;
}

/** Re-run with the recorded settings (roles with explanation.request), and this explanation's reproductions. */
function ReproducePanel({ e, mayReproduce }: { e: ExplanationData; mayReproduce: boolean }) {
  const reproduce = useMutation(REPRODUCE_EXPLANATION);
  const [created, setCreated] = useState<string | null>(null);
  const reproductions = e.reproductions.nodes;
  if (!mayReproduce && reproductions.length === 0) return null;
  return (
    <Card
      title="Reproduce"
      id="reproduce"
      description="Re-runs this explanation with its recorded parameters, seed, window and target, and reports how closely the result agrees."
    >
      {mayReproduce ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button
            variant="secondary"
            size="sm"
            loading={reproduce.pending}
            data-testid="reproduce-button"
            onClick={async () => {
              const res = await reproduce.run({ id: e.id });
              if (res) setCreated(res.reproduceExplanation.id);
            }}
          >
            Reproduce
          </Button>
          <p className="text-sm text-slate-700" role="status">
            {created ? (
              <Link href={`/explanations/${encodeURIComponent(created)}`} className="text-indigo-700 underline underline-offset-2" data-testid="reproduction-link">
                Reproduction queued — open it
              </Link>
            ) : null}
          </p>
        </div>
      ) : null}
      {reproduce.error ? <Alert tone="error">{userMessage(reproduce.error)}</Alert> : null}
      {reproductions.length ? (
        <ul className="mt-3 space-y-1 text-sm" data-testid="reproductions">
          {reproductions.map((r) => (
            <li key={r.id}>
              <Link href={`/explanations/${encodeURIComponent(r.id)}`} className="text-indigo-700 underline underline-offset-2">
                Reproduction of {formatDateTime(r.createdAt)}
              </Link>{' '}
              <span className="text-slate-700">
                by {r.requestedBy.name} · {r.status.toLowerCase()}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

function Header({ e }: { e: ExplanationData }) {
  const prediction = e.prediction as { label?: string; probability?: number } | null;
  return (
    <PageHeader
      title={`${methodLabel(e.method)} ${e.reproducesId ? 'reproduction' : 'explanation'}`}
      description={
        <>
          {e.reproducesId ? (
            <>
              <ReproductionOf originalId={e.reproducesId} original={e.reproduces} className="text-sm" />
              <br />
            </>
          ) : null}
          <Link href={`/videos/${encodeURIComponent(e.video.id)}`} className="text-indigo-700 underline underline-offset-2">
            {e.video.title}
          </Link>{' '}
          · {e.model.name} {e.model.version} · target {e.target}
          {prediction?.label ? ` → “${prediction.label}” (${((prediction.probability ?? 0) * 100).toFixed(1)} %)` : ''} · by {e.requestedBy.name}
        </>
      }
    />
  );
}

function Viewer({ e, mayWrite, mayReproduce, viewerId }: { e: ExplanationData; mayWrite: boolean; mayReproduce: boolean; viewerId: string }) {
  const { saliency, error: salError } = useSaliency(e.saliencyUrl);
  const feedback = useQuery(FEEDBACK, { id: e.id });
  const [settings, setSettings] = useState<OverlaySettings>(DEFAULT_SETTINGS);
  const [tool, setTool] = useState<Tool>('none');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [help, setHelp] = useState(false);
  const timestamps = frameTimestamps(e);
  const clock = useVideoClock(timestamps);
  // One time per frame everywhere (indicator, timeline, comment pins): the overlay geometry's
  // source timestamp of the frame shown, not the media clock (which a seek puts a quarter frame later).
  const shownTime = frameTime(timestamps, clock.frame, clock.mediaTime);

  // Open at the start of the explained window.
  const started = useRef(false);
  const onLoaded = () => {
    if (!started.current && timestamps.length) {
      started.current = true;
      clock.seekFrame(0);
    }
  };

  usePlayerKeys(clock, {
    enabled: !help,
    onKey: (ev) => {
      if (ev.key === '?') setHelp(true);
      else if (ev.key === 'o' || ev.key === 'O') setSettings((s) => ({ ...s, view: s.view === 'original' ? 'overlay' : s.view === 'overlay' ? 'mask' : 'original' }));
      else if (mayWrite && (ev.key === 'r' || ev.key === 'R')) {
        setDraft(null);
        setTool('rectangle');
      } else if (mayWrite && (ev.key === 'p' || ev.key === 'P')) {
        setDraft(null);
        setTool('polygon');
      } else if ((ev.key === 'Escape' && tool !== 'none') || (ev.key === 'Enter' && tool === 'polygon')) setTool('none');
      else return false;
      return true;
    },
  });

  const frame = clock.frame;
  const shown = (feedback.data?.explanation.annotations.nodes ?? []).filter((a) => frame !== null && a.frameStart <= frame && frame <= a.frameEnd);
  const aspect = e.video.width && e.video.height ? `${e.video.width} / ${e.video.height}` : '1 / 1';

  const warnings = e.trust?.warnings ?? [];
  return (
    <>
      <Header e={e} />
      {warnings.length ? <TrustNotice warnings={warnings} /> : null}
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-4">
          <div className="mx-auto w-full" style={{ maxWidth: stageMaxWidth(e.video.width, e.video.height, PLAYER_RESERVE_REM) }}>
            <div className="relative w-full overflow-hidden rounded-lg bg-black" style={{ aspectRatio: aspect }} data-testid="player-stage" data-frame={frame ?? ''}>
              <video
                ref={clock.videoRef}
                src={e.video.url}
                muted
                playsInline
                preload="auto"
                onLoadedData={onLoaded}
                className="absolute inset-0 h-full w-full"
                aria-label={`Video: ${e.video.title}`}
                data-testid="viewer-video"
              />
              <SaliencyOverlay
                video={clock.videoRef}
                saliency={saliency}
                geometry={e.overlay}
                settings={settings}
                mediaSize={{ width: e.video.width, height: e.video.height }}
                testId="saliency-canvas"
              />
              <AnnotationLayer tool={tool} annotations={shown} draft={draft} onDraft={setDraft} />
              {!saliency && !salError ? <div className="absolute inset-x-0 bottom-0 bg-black/60 px-3 py-1 text-xs text-white">Loading the heat map…</div> : null}
            </div>
          </div>
          {salError ? <Alert tone="error">{salError}</Alert> : null}
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" variant="secondary" onClick={() => clock.step(-1)} aria-label="Previous frame (←)" data-testid="prev-frame">
              ←
            </Button>
            <Button size="sm" onClick={clock.togglePlay} className="w-20" data-testid="play-pause">
              {clock.playing ? 'Pause' : 'Play'}
            </Button>
            <Button size="sm" variant="secondary" onClick={() => clock.step(1)} aria-label="Next frame (→)" data-testid="next-frame">
              →
            </Button>
            <span className="font-mono text-xs text-slate-700" aria-live="polite" data-testid="frame-indicator">
              {frame === null ? 'outside the explained window' : `frame ${frame + 1}/${timestamps.length}`} · <span data-testid="frame-time">{shownTime.toFixed(3)} s</span>
            </span>
            <Button size="sm" variant="ghost" className="ml-auto" onClick={() => setHelp(true)} aria-keyshortcuts="?">
              Shortcuts (?)
            </Button>
          </div>
          {saliency ? (
            <Timeline means={saliency.means} frame={frame} onSeek={clock.seekFrame} timestamps={timestamps} ranges={(feedback.data?.explanation.annotations.nodes ?? []).map((a) => ({ start: a.frameStart, end: a.frameEnd }))} />
          ) : (
            <Skeleton className="h-30 w-full" />
          )}
          <OverlayControls settings={settings} onChange={setSettings} />
          <AnnotatePanel
            explanationId={e.id}
            frames={timestamps.length || (saliency?.T ?? 1)}
            frame={frame}
            tool={tool}
            onTool={setTool}
            draft={draft}
            onDraft={setDraft}
            feedback={feedback.data?.explanation}
            mayWrite={mayWrite}
            viewerId={viewerId}
            onSaved={() => void feedback.reload()}
          />
        </div>
        <div className="min-w-0 space-y-6">
          {e.trust && !warnings.length ? (
            <details className="text-xs text-slate-700" data-testid="trust-clear">
              <summary className="cursor-pointer">No warnings about this prediction — how it is checked</summary>
              <div className="mt-1">
                <TrustRulesHelp />
              </div>
            </details>
          ) : null}
          <MetricsPanel metrics={(e.metrics ?? null) as Record<string, unknown> | null} />
          <DownloadsPanel downloads={e.downloads} shape={e.saliencyShape} />
          <RatingPanel explanationId={e.id} feedback={feedback.data?.explanation} mayWrite={mayWrite} onSaved={() => void feedback.reload()} />
          <CommentsPanel
            explanationId={e.id}
            teamId={e.teamId}
            feedback={feedback.data?.explanation}
            mayWrite={mayWrite}
            mediaTime={shownTime}
            onSeekTime={(t) => {
              const v = clock.videoRef.current;
              if (v) {
                v.pause();
                v.currentTime = t;
              }
            }}
            onSaved={() => void feedback.reload()}
          />
          {e.reproducesId ? <AgreementPanel comparison={e.comparison} status={e.status} /> : null}
          <ProvenancePanel provenance={(e.provenance ?? null) as Record<string, unknown> | null} timings={(e.timings ?? null) as Record<string, unknown> | null} params={e.params} model={e.model} />
          <ReproducePanel e={e} mayReproduce={mayReproduce} />
        </div>
      </div>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </>
  );
}

export type { Saliency };
