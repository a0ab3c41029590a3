'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { NextStudyItemQuery, RaterStudyQuery } from '../../lib/__generated__/graphql.ts';
import { gqlRequest, userMessage } from '../../lib/graphql-client.ts';
import { NEXT_STUDY_ITEM, RATER_STUDY, SUBMIT_STUDY_JUDGEMENT } from '../../lib/operations/studies.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { Markdown } from '../Markdown.tsx';
import { AppShell } from '../AppShell.tsx';
import { Button, ButtonLink } from '../Button.tsx';
import { LoadingRegion, Skeleton } from '../Skeleton.tsx';
import { isTyping } from '../viewer/ShortcutsDialog.tsx';
import { OPTION_MAX_WIDTH, SaliencyStage } from './SaliencyStage.tsx';
import { TIE, raterKeyAction } from './rater-keys.ts';

type RaterStudy = RaterStudyQuery['raterStudy'];
type Item = NonNullable<NextStudyItemQuery['nextStudyItem']>;

/** Frame rate assumed when the video row has none (the engine's clips are 25 fps, see apps/engine). */
const FALLBACK_FPS = 25;

export function RaterPage({ studyId }: { studyId: string }) {
  return (
    <AppShell skeleton={<Skeleton className="h-96 w-full" />}>
      <RaterBody studyId={studyId} />
    </AppShell>
  );
}

export function ProgressBar({ judged, total }: { judged: number; total: number }) {
  const pct = total ? Math.round((100 * judged) / total) : 0;
  return (
    <div className="flex items-center gap-3">
      <div
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={judged}
        data-testid="rater-progress"
        className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full bg-indigo-600 transition-all" style={{ width: `${pct}%` }} />
      </div>
      <span className="text-sm tabular-nums text-slate-700" data-testid="rater-progress-text">
        {judged} / {total}
      </span>
    </div>
  );
}

function RaterBody({ studyId }: { studyId: string }) {
  const studyQuery = useQuery(RATER_STUDY, { studyId });
  const study = studyQuery.data?.raterStudy;
  const [item, setItem] = useState<Item | null | undefined>(undefined);
  const [progress, setProgress] = useState<{ judged: number; total: number; completed: boolean } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const loadNext = useCallback(async () => {
    try {
      const r = await gqlRequest(NEXT_STUDY_ITEM, { studyId });
      setItem(r.nextStudyItem);
      setLoadError(null);
    } catch (e) {
      setLoadError(userMessage(e));
    }
  }, [studyId]);

  useEffect(() => {
    if (study) {
      setProgress(study.progress);
      if (study.status === 'OPEN' && !study.progress.completed) void loadNext();
      else setItem(null);
    }
  }, [study, loadNext]);

  if (studyQuery.error) return <Alert tone="error" title="This study is not available">{userMessage(studyQuery.error)}</Alert>;
  if (!study || !progress) return <Skeleton className="h-96 w-full" />;

  return (
    <div className="mx-auto max-w-5xl space-y-4" data-testid="rater-page">
      <header className="space-y-2">
        <h1 className="text-xl font-semibold text-slate-900">{study.name}</h1>
        <ProgressBar judged={progress.judged} total={progress.total} />
      </header>
      {loadError ? <Alert tone="error" title="The next item could not be loaded">{loadError}</Alert> : null}
      {study.status !== 'OPEN' && !progress.completed ? (
        <Alert tone="info" title="This study is not open">It accepts judgements only while it is open.</Alert>
      ) : progress.completed || item === null ? (
        <div data-testid="rater-done" className="rounded-lg border border-green-200 bg-green-50 p-6 text-center">
          <p className="text-lg font-medium text-green-900">All done — thank you!</p>
          <p className="mt-1 text-sm text-green-800">You judged {progress.judged} of {progress.total} items.</p>
          <ButtonLink href="/studies" variant="secondary" className="mt-4">
            Back to studies
          </ButtonLink>
        </div>
      ) : item === undefined ? (
        <ItemSkeleton />
      ) : (
        <ItemView
          key={item.ref}
          study={study}
          item={item}
          onDone={(p) => {
            setProgress(p);
            if (p.completed) setItem(null);
            else void loadNext();
          }}
        />
      )}
      {study.instructions ? (
        <details className="rounded-md border border-slate-200 bg-white p-3 text-sm text-slate-700" open={progress.judged === 0}>
          <summary className="cursor-pointer font-medium">Instructions</summary>
          <Markdown source={study.instructions} className="mt-2" testId="rater-instructions" />
        </details>
      ) : null}
    </div>
  );
}

/** The shape of a single-option item (prompt, stage with caption, rating row, Submit): nothing below it moves when it arrives. */
function ItemSkeleton() {
  return (
    <LoadingRegion label="Loading the next item">
      <div className="space-y-4">
        <Skeleton className="h-5 w-2/3" />
        <div className="mx-auto w-full" style={{ maxWidth: OPTION_MAX_WIDTH }}>
          <Skeleton className="aspect-video w-full rounded-b-none" />
          <Skeleton className="mt-px h-10 w-full rounded-t-none" />
        </div>
        <Skeleton className="h-14 w-full max-w-2xl" />
        <Skeleton className="h-10 w-36" />
      </div>
    </LoadingRegion>
  );
}

function ItemView({
  study,
  item,
  onDone,
}: {
  study: RaterStudy;
  item: Item;
  onDone: (p: { judged: number; total: number; completed: boolean }) => void;
}) {
  const shownAt = useRef(performance.now());
  const video = useRef<HTMLVideoElement | null>(null);
  const [rating, setRating] = useState<number | null>(null);
  const [choice, setChoice] = useState<string | null>(null);
  const [ranking, setRanking] = useState<string[]>([]);
  const submit = useMutation(SUBMIT_STUDY_JUDGEMENT);
  const fps = item.fps ?? FALLBACK_FPS;
  const points = study.likertPoints ?? 5;
  const aliases = item.options.map((o) => o.alias);
  const k = aliases.length;

  const complete =
    item.design === 'LIKERT' ? rating !== null : item.design === 'PAIRWISE' ? choice !== null : ranking.length === k;

  const send = useCallback(async () => {
    if (!complete || submit.pending) return;
    const timeOnItemMs = Math.max(1, Math.round(performance.now() - shownAt.current));
    const input =
      item.design === 'LIKERT'
        ? { studyId: study.id, ref: item.ref, rating, timeOnItemMs }
        : item.design === 'PAIRWISE'
          ? { studyId: study.id, ref: item.ref, choice, timeOnItemMs }
          : { studyId: study.id, ref: item.ref, ranking, timeOnItemMs };
    const r = await submit.run({ input });
    if (r) onDone(r.submitStudyJudgement);
  }, [complete, submit, item, study.id, rating, choice, ranking, onDone]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.metaKey || e.ctrlKey || e.altKey) return;
      const action = raterKeyAction(e.key, item.design, { points, aliases, allowTie: study.allowTie });
      if (!action) return;
      if (action.type !== 'unrank') e.preventDefault();
      const v = video.current;
      switch (action.type) {
        case 'step':
          if (v) {
            v.pause();
            const t = v.currentTime + action.frames / fps;
            v.currentTime = Math.min(Math.max(0, t), Number.isFinite(v.duration) ? v.duration : Infinity);
          }
          break;
        case 'toggle':
          if (v) void (v.paused ? v.play().catch(() => {}) : v.pause());
          break;
        case 'submit':
          void send();
          break;
        case 'rate':
          setRating(action.value);
          break;
        case 'choose':
          setChoice(action.alias);
          break;
        case 'rank':
          setRanking((r) => (r.includes(action.alias) ? r : [...r, action.alias]));
          break;
        case 'unrank':
          setRanking((r) => r.slice(0, -1));
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [fps, send, item.design, points, aliases, study.allowTie]);

  const slotLabels = item.options.map((_, i) => String(i + 1));
  const selected = item.design === 'PAIRWISE' ? (choice && choice !== TIE ? [choice] : []) : item.design === 'RANKING' ? ranking : [];
  const onVideo = useCallback((v: HTMLVideoElement | null) => {
    video.current = v;
  }, []);

  return (
    <section className="space-y-4" data-testid="rater-item" data-ref={item.ref} aria-label={`Item ${item.index} of ${item.total}`}>
      {item.prompt ? (
        <Alert tone="info" title="Check item">
          {item.prompt}
        </Alert>
      ) : null}
      <p className="text-sm text-slate-700">
        {item.design === 'LIKERT'
          ? `How plausible is this explanation? Press 1–${points}.`
          : item.design === 'PAIRWISE'
            ? `Which explanation is more plausible? Press 1 (left) or 2 (right)${study.allowTie ? ", 0 if you can't tell" : ''}.`
            : `Press the numbers from most to least plausible (Backspace undoes).`}{' '}
        ←/→ step frames, Space plays, Enter submits.
      </p>
      <SaliencyStage videoUrl={item.videoUrl} options={item.options} selected={selected} slotLabels={slotLabels} onVideo={onVideo} />
      {item.design === 'LIKERT' ? (
        <div className="flex flex-wrap gap-2" role="radiogroup" aria-label="Rating">
          {Array.from({ length: points }, (_, i) => i + 1).map((n) => (
            <button
              key={n}
              type="button"
              role="radio"
              aria-checked={rating === n}
              data-testid={`rating-${n}`}
              onClick={() => setRating(n)}
              className={`min-w-24 rounded-md border px-3 py-2 text-sm ${rating === n ? 'border-indigo-600 bg-indigo-50 font-semibold text-indigo-900' : 'border-slate-300 bg-white text-slate-800'}`}
            >
              <span className="block font-mono">{n}</span>
              {/* Default anchors label only the end points; a middle "anchor" that is just its number is not repeated. */}
              <span className="block text-xs">{study.anchors?.[n - 1] === String(n) ? '' : (study.anchors?.[n - 1] ?? '')}</span>
            </button>
          ))}
        </div>
      ) : item.design === 'PAIRWISE' ? (
        <div className="flex gap-2">
          {aliases.map((a, i) => (
            <Button key={a} variant={choice === a ? 'primary' : 'secondary'} onClick={() => setChoice(a)} data-testid={`choose-${i + 1}`}>
              {i === 0 ? 'Left' : 'Right'} ({i + 1})
            </Button>
          ))}
          {study.allowTie ? (
            <Button variant={choice === TIE ? 'primary' : 'secondary'} onClick={() => setChoice(TIE)} data-testid="choose-tie">
              Can&apos;t tell (0)
            </Button>
          ) : null}
        </div>
      ) : (
        <p className="text-sm text-slate-700" data-testid="ranking-order">
          Order: {ranking.length ? ranking.map((a) => aliases.indexOf(a) + 1).join(' › ') : '—'}
        </p>
      )}
      {submit.error ? <Alert tone="error" title="Not saved">{userMessage(submit.error)}</Alert> : null}
      <div className="flex items-center gap-3">
        <Button onClick={() => void send()} disabled={!complete} loading={submit.pending} data-testid="rater-submit">
          Submit (Enter)
        </Button>
        <span className="text-xs text-slate-600">
          Item {item.index} of {item.total}
        </span>
      </div>
    </section>
  );
}
