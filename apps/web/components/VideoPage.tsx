'use client';

import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { ExplanationFilter, VideoPageQuery } from '../lib/__generated__/graphql.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { formatDuration } from '../lib/format.ts';
import { FORM_LIMITS, METHOD_DEFAULTS, METHODS, methodHasField, methodLabel } from '../lib/methods.ts';
import { REQUEST_EXPLANATION } from '../lib/operations/explanations.ts';
import { MODELS } from '../lib/operations/models.ts';
import { VIDEO_PAGE } from '../lib/operations/videos.ts';
import { can } from '../lib/roles.ts';
import { explainStageLabel } from '@fep/shared/progress';
import { useExplanationProgress } from '../lib/subscriptions.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { listVariables, useListParams, type ListParams } from '../lib/list-params.ts';
import { usePagedList, type PagedList } from '../lib/use-paged-list.ts';
import { explanationLabel, explanationLabels } from '@fep/shared/methods';
import { ListControls, LoadMore, useAuthorOptions } from './ListControls.tsx';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Badge } from './Badge.tsx';
import { Button, ButtonLink } from './Button.tsx';
import { CancelExplanationButton } from './CancelExplanationButton.tsx';
import { Card, PageHeader } from './Card.tsx';
import { EmptyState } from './EmptyState.tsx';
import { SelectField, TextField } from './Field.tsx';
import { NotFoundState } from './NotFoundState.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';
import { probeSummary } from './VideoGrid.tsx';
import { useViewer } from './ViewerContext.tsx';
import { ReproductionOf } from './viewer/ReproductionOf.tsx';

type Video = NonNullable<VideoPageQuery['video']>;
type ExplanationRow = Video['explanations']['nodes'][number];

export function VideoPageSkeleton() {
  return (
    <LoadingRegion label="Loading the video">
      <div className="mb-6 min-h-10 space-y-2">
        <Skeleton className="h-7 w-64" />
        <Skeleton className="h-4 w-80" />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Skeleton className="aspect-video w-full" />
        <Skeleton className="h-96 w-full" />
      </div>
    </LoadingRegion>
  );
}

/** `/videos/[id]`: the video, its explanations (live progress), and the request form. */
export function VideoPage({ videoId }: { videoId: string }) {
  return (
    <AppShell skeleton={<VideoPageSkeleton />}>
      <VideoPageBody videoId={videoId} />
    </AppShell>
  );
}

function VideoPageBody({ videoId }: { videoId: string }) {
  const { memberships, rememberTeam } = useViewer();
  const [listParams, setListParams] = useListParams();
  const { filter, sort } = listVariables<ExplanationFilter>(listParams, {
    status: { param: 'status', allowed: ['QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED'] },
    method: { param: 'method', allowed: METHODS.map((m) => m.name) },
    modelId: { param: 'model' },
    authorId: { param: 'author' },
  });
  const query = usePagedList(VIDEO_PAGE, { id: videoId, filter, sort }, pickExplanations);
  const video = query.data?.video;
  const role = memberships.find((m) => m.team.id === video?.teamId)?.role ?? null;

  useEffect(() => {
    if (video) rememberTeam(video.teamId);
  }, [video, rememberTeam]);

  // While something is queued or running, refresh the list now and then as a safety net for the
  // live stream (e.g. a job that finished before the subscription opened).
  const active = video?.explanations.nodes.some((e) => e.status === 'QUEUED' || e.status === 'RUNNING') ?? false;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void query.reload(), 4000);
    return () => clearInterval(t);
  }, [active, query.reload]);

  if (query.error?.code === 'NOT_FOUND') return <NotFoundState what="Video" />;
  if (query.error)
    return (
      <Alert tone="error" title="We could not load this video" action={<Button variant="secondary" size="sm" onClick={() => void query.reload()}>Try again</Button>}>
        {userMessage(query.error)}
      </Alert>
    );
  if (!video) return <VideoPageSkeleton />;

  const latestDone = video.explanations.nodes.find((e) => e.status === 'DONE');
  return (
    <>
      <PageHeader
        title={video.title}
        description={
          <>
            <Link href={`/?team=${encodeURIComponent(video.teamId)}`} className="text-indigo-700 underline underline-offset-2">
              Videos
            </Link>{' '}
            · {[probeSummary(video), formatDuration(video.durationSec), video.codec].filter(Boolean).join(' · ')}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-6">
          <div className="aspect-video overflow-hidden rounded-lg bg-slate-900">
            {video.status === 'READY' ? (
              <video src={video.url} controls playsInline preload="metadata" className="h-full w-full" aria-label={`Video: ${video.title}`} data-testid="video-player" />
            ) : (
              <div className="flex h-full items-center justify-center px-6 text-center text-sm text-slate-200">
                {video.status === 'FAILED' ? `This file could not be read as a video${video.error ? `: ${video.error}` : '.'}` : 'Reading the video…'}
              </div>
            )}
          </div>
          <ExplanationList
            video={video}
            list={query}
            params={listParams}
            onParams={setListParams}
            mayCancel={can(role, 'explanation.request')}
            onChanged={() => void query.reload()}
          />
        </div>
        {can(role, 'explanation.request') && video.status === 'READY' ? (
          <RequestForm video={video} top5={readTop5(latestDone?.prediction)} onRequested={() => void query.reload()} />
        ) : (
          <Card title="Explanations">
            <p className="text-sm text-slate-600">
              {video.status !== 'READY' ? 'Only videos that could be read can be explained.' : 'Your role can view explanations but not request them.'}
            </p>
          </Card>
        )}
      </div>
    </>
  );
}

interface ClassScore {
  label: string;
  index: number;
  probability: number;
}

function readTop5(prediction: unknown): ClassScore[] {
  const top5 = (prediction as { top5?: unknown } | null)?.top5;
  return Array.isArray(top5) ? (top5 as ClassScore[]).filter((c) => typeof c?.label === 'string') : [];
}

/** A random idempotency key. `crypto.randomUUID` exists only in secure contexts (HTTPS, localhost); `getRandomValues` everywhere. */
function newSubmitKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function RequestForm({ video, top5, onRequested }: { video: Video; top5: ClassScore[]; onRequested: () => void }) {
  const models = useQuery(MODELS, { teamId: video.teamId });
  const request = useMutation(REQUEST_EXPLANATION);
  const [modelId, setModelId] = useState('');
  const [method, setMethod] = useState<string>('fep');
  const [target, setTarget] = useState('top1');
  const [area, setArea] = useState(String(METHOD_DEFAULTS.area));
  const [iterations, setIterations] = useState(String(METHOD_DEFAULTS.iterations));
  const [seed, setSeed] = useState(String(METHOD_DEFAULTS.seed));
  const [windowStart, setWindowStart] = useState('');
  const [localError, setLocalError] = useState<Record<string, string>>({});
  // One idempotency key per submit, reused when the same submit is retried (after a network
  // error or UNAVAILABLE), so a retry never creates a second explanation.
  const pendingSubmit = useRef<{ key: string; payload: string } | null>(null);

  const list = models.data?.models.nodes ?? [];
  const model = list.find((m) => m.id === modelId) ?? list[0];
  const methodInfo = METHODS.find((m) => m.name === method);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!model) return;
    const errors: Record<string, string> = {};
    const a = Number(area);
    const it = Number(iterations);
    const s = Number(seed);
    const w = windowStart.trim() === '' ? null : Number(windowStart);
    const takes = { area: methodHasField(method, 'area'), iterations: methodHasField(method, 'iterations'), seed: methodHasField(method, 'seed') };
    const maxWindow = Math.min(FORM_LIMITS.maxWindowStartSec, video.durationSec ?? Infinity);
    if (takes.area && !(a > 0 && a < 1)) errors.area = 'Use a fraction between 0 and 1, e.g. 0.1.';
    if (takes.iterations && (!Number.isInteger(it) || it < 1 || it > FORM_LIMITS.maxIterations)) {
      errors.iterations = `Use a whole number from 1 to ${FORM_LIMITS.maxIterations}.`;
    }
    if (takes.seed && (!Number.isInteger(s) || s < 0 || s > FORM_LIMITS.maxSeed)) errors.seed = `Use a whole number from 0 to ${FORM_LIMITS.maxSeed}.`;
    if (w !== null && !(w >= 0 && w < maxWindow)) errors.windowStartSec = `Use seconds from 0 to below ${Number(maxWindow.toFixed(2))}, or leave empty.`;
    setLocalError(errors);
    if (Object.keys(errors).length) return;
    const fields = {
      teamId: video.teamId,
      videoId: video.id,
      modelId: model.id,
      method,
      target,
      ...(takes.area ? { area: a } : {}),
      ...(takes.iterations ? { iterations: it } : {}),
      ...(takes.seed ? { seed: s } : {}),
      ...(w !== null ? { windowStartSec: w } : {}),
    };
    const payload = JSON.stringify(fields);
    if (pendingSubmit.current?.payload !== payload) pendingSubmit.current = { key: newSubmitKey(), payload };
    const ok = await request.run({ input: { ...fields, idempotencyKey: pendingSubmit.current.key } });
    if (ok) {
      pendingSubmit.current = null;
      onRequested();
    }
  }

  const fieldError = (k: string) => localError[k] ?? request.error?.fields[`input.${k}`] ?? request.error?.fields[k];

  return (
    <Card title="Request an explanation" description="What in this video makes the model predict its class?" id="request">
      {models.error ? (
        <Alert tone="error">{userMessage(models.error)}</Alert>
      ) : !models.data ? (
        <Skeleton className="h-80 w-full" />
      ) : list.length === 0 ? (
        <EmptyState title="No models yet">A model must be registered before videos can be explained.</EmptyState>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-1" data-testid="request-form" noValidate>
          <SelectField label="Model" value={model?.id ?? ''} onChange={(e) => setModelId(e.target.value)} hint={model ? `${model.labels.length} classes · weights ${model.weightsSha256.slice(0, 12)}…` : undefined}>
            {list.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name} {m.version}
                {m.builtin ? ' (built-in)' : ''}
              </option>
            ))}
          </SelectField>
          <SelectField label="Method" value={method} onChange={(e) => setMethod(e.target.value)} hint={methodInfo?.description} data-testid="method-select">
            {METHODS.map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Target class"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            hint={
              top5.length ? (
                <span data-testid="top5">
                  Model&apos;s top 5: {top5.map((c) => `${c.label} ${(c.probability * 100).toFixed(0)} %`).join(' · ')}
                </span>
              ) : (
                'The top-1 prediction is explained unless you pick a class. The top 5 appear after the first explanation.'
              )
            }
            error={fieldError('target')}
          >
            <option value="top1">Top-1 prediction</option>
            {(model?.labels ?? []).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </SelectField>
          {methodHasField(method, 'area') ? (
            <TextField label="Area (fraction of the clip kept)" type="number" inputMode="decimal" step="0.01" min="0.01" max="0.99" value={area} onChange={(e) => setArea(e.target.value)} hint={`Default ${METHOD_DEFAULTS.area}.`} error={fieldError('area')} />
          ) : null}
          <details className="rounded-md border border-slate-200 px-3 py-2">
            <summary className="cursor-pointer text-sm font-medium text-slate-800">Advanced parameters</summary>
            <div className="mt-3 space-y-1">
              {methodHasField(method, 'iterations') ? (
                <TextField label="Iterations" type="number" inputMode="numeric" min="1" max={String(FORM_LIMITS.maxIterations)} value={iterations} onChange={(e) => setIterations(e.target.value)} hint={`Default ${METHOD_DEFAULTS.iterations}, at most ${FORM_LIMITS.maxIterations}. Fewer is faster and rougher.`} error={fieldError('iterations')} />
              ) : null}
              {methodHasField(method, 'seed') ? (
                <TextField label="Seed" type="number" inputMode="numeric" min="0" value={seed} onChange={(e) => setSeed(e.target.value)} hint={`Default ${METHOD_DEFAULTS.seed}.`} error={fieldError('seed')} />
              ) : null}
              <TextField label="Window start (seconds)" type="number" inputMode="decimal" min="0" step="0.1" value={windowStart} placeholder="auto" onChange={(e) => setWindowStart(e.target.value)} hint="Default: the window the model is most confident about." error={fieldError('windowStartSec')} />
            </div>
          </details>
          {request.error && !Object.keys(request.error.fields).length ? <Alert tone="error">{userMessage(request.error)}</Alert> : null}
          <div className="pt-2">
            <Button type="submit" loading={request.pending} data-testid="request-submit">
              Explain
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}

const STATUS_TONE = { QUEUED: 'neutral', RUNNING: 'indigo', DONE: 'green', FAILED: 'red', CANCELLED: 'amber' } as const;

const pickExplanations = (d: VideoPageQuery) => d.video.explanations;

function ExplanationList({
  video,
  list,
  params,
  onParams,
  mayCancel,
  onChanged,
}: {
  video: Video;
  list: PagedList<VideoPageQuery, ExplanationRow>;
  params: ListParams;
  onParams: (next: Partial<ListParams>) => void;
  mayCancel: boolean;
  onChanged: () => void;
}) {
  const [selected, setSelected] = useState<string[]>([]);
  const nodes = list.nodes;
  const done = nodes.filter((e) => e.status === 'DONE');
  const labels = useMemo(() => explanationLabels(nodes), [nodes]);
  const authors = useAuthorOptions(video.teamId);
  const models = useMemo(
    () => [...new Map(nodes.map((e) => [e.model.id, { value: e.model.id, label: `${e.model.name} ${e.model.version}` }])).values()],
    [nodes],
  );
  const filtered = Boolean(params.q || params.status || params.method || params.model || params.author || params.from || params.to);
  const compareHref = useMemo(() => `/compare?ids=${selected.map(encodeURIComponent).join(',')}`, [selected]);
  return (
    <Card
      title="Explanations"
      id="explanations"
      actions={
        done.length >= 2 ? (
          selected.length >= 2 ? (
            <ButtonLink href={compareHref} variant="primary" size="sm">
              Compare {selected.length}
            </ButtonLink>
          ) : (
            <span className="text-xs text-slate-600">Tick 2–4 to compare</span>
          )
        ) : undefined
      }
    >
      <ListControls
        label="explanations"
        params={params}
        onChange={onParams}
        searchPlaceholder="Method or model contains…"
        selects={[
          // "Show …": the request form on this page has its own Method and Model fields.
          { param: 'method', label: 'Show method', any: 'Any method', options: METHODS.map((m) => ({ value: m.name, label: methodLabel(m.name) })) },
          { param: 'status', label: 'Show status', any: 'Any status', options: ['DONE', 'RUNNING', 'QUEUED', 'FAILED', 'CANCELLED'].map((v) => ({ value: v, label: v.toLowerCase() })) },
          ...(models.length > 1 || params.model ? [{ param: 'model' as const, label: 'Show model', any: 'Any model', options: models }] : []),
          { param: 'author', label: 'Requested by', any: 'Anyone', options: authors },
        ]}
        dates={false}
        sortLabels={{ NAME: 'Method (A–Z)' }}
        testId="explanation-filters"
      />
      {nodes.length === 0 && filtered ? (
        <p className="text-sm text-slate-600" data-testid="no-explanations-match">
          No explanations match these filters.
        </p>
      ) : nodes.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="no-explanations">
          No explanations yet. Pick a model and a method, then press Explain.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200" data-testid="explanation-list">
          {nodes.map((e) => (
            <ExplanationItem
              key={e.id}
              e={e}
              label={labels.get(e.id) ?? explanationLabel(e)}
              original={e.reproducesId ? (nodes.find((o) => o.id === e.reproducesId) ?? null) : null}
              mayCancel={mayCancel}
              onChanged={onChanged}
              checked={selected.includes(e.id)}
              onCheck={(on) => setSelected((s) => (on ? [...s, e.id].slice(-4) : s.filter((x) => x !== e.id)))}
            />
          ))}
        </ul>
      )}
      <LoadMore list={list} what="explanations" testId="explanations-load-more" />
    </Card>
  );
}

function formatEta(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function ExplanationItem({
  e,
  label,
  original,
  mayCancel,
  onChanged,
  checked,
  onCheck,
}: {
  e: ExplanationRow;
  /** explanationLabels() of the list: method, parameters, model, date, author. */
  label: string;
  /** The explanation this row reproduces, when it is in the same list. */
  original: ExplanationRow | null;
  mayCancel: boolean;
  onChanged: () => void;
  checked: boolean;
  onCheck: (on: boolean) => void;
}) {
  const activeRow = e.status === 'QUEUED' || e.status === 'RUNNING';
  const { event } = useExplanationProgress(e.id, activeRow);
  const status = event?.status ?? e.status;
  const fraction = event?.fraction ?? e.progress;
  const pct = Math.round(fraction * 100);
  const finished = status === 'DONE' || status === 'FAILED' || status === 'CANCELLED';

  useEffect(() => {
    if (activeRow && finished) onChanged();
  }, [activeRow, finished, onChanged]);

  const prediction = e.prediction as { label?: string; probability?: number } | null;
  return (
    <li className="py-3" data-testid="explanation-item" data-status={status}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex min-w-0 items-center gap-3">
          {e.status === 'DONE' ? (
            <input
              type="checkbox"
              checked={checked}
              onChange={(ev) => onCheck(ev.target.checked)}
              aria-label={`Select for comparison: ${label}`}
              className="h-4 w-4 accent-indigo-600"
              data-testid="compare-checkbox"
            />
          ) : null}
          <div className="min-w-0">
            <p className="text-sm font-medium text-slate-900" data-testid="explanation-label">
              {label}
            </p>
            {e.reproducesId ? <ReproductionOf originalId={e.reproducesId} original={original} className="block" /> : null}
            <p className="text-xs text-slate-600">
              target {e.target}
              {prediction?.label ? ` · explains “${prediction.label}” (${((prediction.probability ?? 0) * 100).toFixed(0)} %)` : ''}
            </p>
          </div>
        </div>
        <div className="flex items-center gap-2">
          <Badge tone={STATUS_TONE[status]}>{status.toLowerCase()}</Badge>
          {e.status === 'DONE' ? (
            <ButtonLink href={`/explanations/${encodeURIComponent(e.id)}`} size="sm" variant="primary">
              Open
            </ButtonLink>
          ) : null}
          {activeRow && !finished && mayCancel ? (
            <CancelExplanationButton explanationId={e.id} label={label} onCancelled={onChanged} />
          ) : null}
        </div>
      </div>
      {activeRow || event ? (
        <div className="mt-2 space-y-1" data-testid="explanation-progress">
          <progress className="h-2 w-full accent-indigo-600" max={100} value={pct} aria-label={`Progress of the ${methodLabel(e.method)} explanation`} />
          <p className="font-mono text-xs text-slate-600" aria-live="polite">
            <span data-testid="progress-percent">{pct} %</span>
            {status === 'RUNNING' && explainStageLabel(event?.stage) ? <span data-testid="progress-stage"> · {explainStageLabel(event?.stage)}</span> : null}
            {status === 'DONE' ? ' · done' : status === 'CANCELLED' ? ' · cancelled' : status === 'FAILED' ? ' · failed' : ''}
            {!finished && event?.iteration != null && event.totalIterations ? ` · iteration ${event.iteration}/${event.totalIterations}` : status === 'QUEUED' ? ' · waiting for the engine' : ''}
            {!finished && event?.energy != null ? ` · energy ${event.energy.toFixed(3)}` : ''}
            {event?.etaMs != null && !finished ? ` · about ${formatEta(event.etaMs)} left` : ''}
          </p>
        </div>
      ) : null}
      {e.status === 'FAILED' && e.error ? <p className="mt-1 text-xs text-red-700">{e.error}</p> : null}
    </li>
  );
}
