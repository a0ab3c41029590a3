'use client';

import { createClient, type Client } from 'graphql-ws';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { explanationLabels } from '@fep/shared/methods';
import type { JoinReviewSessionMutation, ReviewSessionEventsSubscription, ReviewVerdict } from '../../lib/__generated__/graphql.ts';
import { gqlRequest, userMessage } from '../../lib/graphql-client.ts';
import {
  ADD_REVIEW_COMMENT,
  DECIDE_REVIEW_EXPLANATION,
  END_REVIEW_SESSION,
  JOIN_REVIEW_SESSION,
  LEAVE_REVIEW_SESSION,
  REVIEW_HEARTBEAT,
  REVIEW_SESSION_EVENTS,
  SET_REVIEW_PLAYBACK,
} from '../../lib/operations/reviews.ts';
import { mentionedIds } from '../../lib/mentions.ts';
import { TEAM_MEMBERS_FOR_MENTIONS } from '../../lib/operations/feedback.ts';
import { can } from '../../lib/roles.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Badge } from '../Badge.tsx';
import { Button } from '../Button.tsx';
import { Card } from '../Card.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { MentionInput } from '../MentionInput.tsx';
import { Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';
import { useSaliency } from '../viewer/saliency.ts';
import { SaliencyOverlay } from '../viewer/SaliencyOverlay.tsx';
import { stageMaxWidth } from '../viewer/stage-size.ts';
import { decisionSentence, mergeDecision } from './decisions.ts';
import { HEARTBEAT_MS, RESYNC_MS, RESYNC_TOLERANCE_SEC, expectedTime } from './playback.ts';

type Joined = JoinReviewSessionMutation['joinReviewSession'];
/** The joined session with its comments as one list (the first page on join, then the event stream's). */
type Session = Omit<Joined, 'comments' | 'votes'> & { comments: Joined['comments']['nodes']; votes: Joined['votes']['nodes'] };
type Playback = NonNullable<Session['playback']>;

type Event = ReviewSessionEventsSubscription['reviewSessionEvents'] & { __typename: string };

let ws: Client | null = null;
function wsClient(): Client {
  if (!ws) {
    const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = createClient({ url: `${proto}//${window.location.host}/api/graphql`, lazy: true, retryAttempts: 5 });
  }
  return ws;
}

export function ReviewSessionPage({ sessionId }: { sessionId: string }) {
  return (
    <AppShell skeleton={<Skeleton className="h-96 w-full" />}>
      <SessionBody sessionId={sessionId} />
    </AppShell>
  );
}

function SessionBody({ sessionId }: { sessionId: string }) {
  const { user, role } = useViewer();
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(false);
  const [current, setCurrent] = useState<string | null>(null);
  const [playback, setPlayback] = useState<Playback | null>(null);
  const video = useRef<HTMLVideoElement | null>(null);
  const applying = useRef(false);

  const apply = useCallback((p: Playback) => {
    setPlayback(p);
    if (p.explanationId) setCurrent(p.explanationId);
  }, []);

  // Subscribe first, then join: the join's own presence event proves the stream is live.
  useEffect(() => {
    let stopped = false;
    let gotEvent = false;
    const dispose = wsClient().subscribe<ReviewSessionEventsSubscription>(
      { query: REVIEW_SESSION_EVENTS, variables: { id: sessionId } },
      {
        next: (msg) => {
          const e = msg.data?.reviewSessionEvents as Event | undefined;
          if (msg.errors?.length) setError(msg.errors[0]!.message);
          if (!e) return;
          gotEvent = true;
          setLive(true);
          setSession((s) => {
            if (!s) return s;
            switch (e.__typename) {
              case 'ReviewPresenceChanged':
                return 'present' in e ? { ...s, present: e.present } : s;
              case 'ReviewCommentAdded':
                return 'comment' in e ? { ...s, comments: [...s.comments.filter((c) => c.id !== e.comment.id), e.comment] } : s;
              case 'ReviewDecisionMade':
                return 'decision' in e ? { ...s, ...mergeDecision(s, e.decision) } : s;
              case 'ReviewSessionEnded':
                return 'summary' in e ? { ...s, status: 'ENDED', summary: e.summary, present: [] } : s;
              default:
                return s;
            }
          });
          if (e.__typename === 'ReviewPlaybackChanged' && 'playback' in e) apply(e.playback);
        },
        error: () => setError('The live connection was lost; reload the page.'),
        complete: () => {},
      },
    );
    const join = async () => {
      try {
        const r = await gqlRequest(JOIN_REVIEW_SESSION, { id: sessionId });
        if (stopped) return;
        const joined = { ...r.joinReviewSession, comments: r.joinReviewSession.comments.nodes, votes: r.joinReviewSession.votes.nodes };
        setSession((s) => (s ? { ...joined, comments: s.comments.length > joined.comments.length ? s.comments : joined.comments } : joined));
        if (r.joinReviewSession.playback) apply(r.joinReviewSession.playback);
        else setCurrent(r.joinReviewSession.explanations[0]?.id ?? null);
        return r.joinReviewSession.status;
      } catch (e) {
        if (!stopped) setError(userMessage(e));
        return null;
      }
    };
    void (async () => {
      // Re-join until the first event arrives (the subscription reaches Redis asynchronously).
      for (let attempt = 0; attempt < 20 && !stopped && !gotEvent; attempt++) {
        const status = await join();
        if (status !== 'LIVE') return;
        await new Promise((r) => setTimeout(r, 250 + attempt * 250));
      }
    })();
    const beat = setInterval(() => void gqlRequest(REVIEW_HEARTBEAT, { id: sessionId }).catch(() => {}), HEARTBEAT_MS);
    const leave = () => {
      void fetch('/api/graphql', {
        method: 'POST',
        keepalive: true,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: LEAVE_REVIEW_SESSION.query, variables: { id: sessionId } }),
      }).catch(() => {});
    };
    window.addEventListener('pagehide', leave);
    return () => {
      stopped = true;
      clearInterval(beat);
      window.removeEventListener('pagehide', leave);
      dispose();
      leave();
    };
  }, [sessionId, apply]);

  const isHost = session?.isHost ?? false;
  // Members follow the host: apply every playback change to the local player.
  useEffect(() => {
    const v = video.current;
    if (!v || !playback || isHost) return;
    if (playback.explanationId && playback.explanationId !== current) return; // wait for the source switch
    applying.current = true;
    const target = expectedTime(playback);
    // While both play, small drift is left alone: a seek for every resync would stutter.
    if (!(playback.playing && !v.paused && Math.abs(v.currentTime - target) < RESYNC_TOLERANCE_SEC)) v.currentTime = target;
    if (playback.playing) void v.play().catch(() => {});
    else v.pause();
    applying.current = false;
  }, [playback, isHost, current]);

  const setPb = useMutation(SET_REVIEW_PLAYBACK);
  // While the host plays, the position is re-sent periodically so members that drifted catch up.
  useEffect(() => {
    if (!isHost || !playback?.playing) return;
    const timer = setInterval(() => {
      const v = video.current;
      if (v && !v.paused) void gqlRequest(SET_REVIEW_PLAYBACK, { id: sessionId, input: { explanationId: current, playing: true, timeSec: v.currentTime } }).catch(() => {});
    }, RESYNC_MS);
    return () => clearInterval(timer);
  }, [isHost, playback?.playing, sessionId, current]);
  const publish = useCallback(
    (over: Partial<{ explanationId: string; playing: boolean; timeSec: number }> = {}) => {
      const v = video.current;
      if (!isHost || !v) return;
      void setPb.run({
        id: sessionId,
        input: { explanationId: over.explanationId ?? current, playing: over.playing ?? !v.paused, timeSec: over.timeSec ?? v.currentTime },
      });
    },
    [isHost, setPb, sessionId, current],
  );

  const labels = useMemo(() => {
    const names = explanationLabels(session?.explanations ?? []);
    return new Map((session?.explanations ?? []).map((e, i) => [e.id, `${i + 1}. ${e.video.title} · ${names.get(e.id) ?? e.method}`]));
  }, [session?.explanations]);

  if (error && !session) return <Alert tone="error" title="This review session is not available">{error}</Alert>;
  if (!session) return <Skeleton className="h-96 w-full" />;
  const explanation = session.explanations.find((e) => e.id === current) ?? session.explanations[0] ?? null;
  const ended = session.status === 'ENDED';
  const mayWrite = can(role, 'review.host');

  return (
    <div className="space-y-4" data-testid="review-session" data-live={live ? 'true' : 'false'} data-host={isHost ? 'true' : 'false'}>
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold text-slate-900">{session.title}</h1>
          <p className="text-sm text-slate-600">
            Hosted by {session.host.name} · <Badge tone={ended ? 'amber' : 'green'}>{session.status}</Badge>{' '}
            {live ? <span className="text-xs text-green-700">live</span> : <span className="text-xs text-slate-500">connecting…</span>}
          </p>
        </div>
        {isHost && !ended ? <EndButton sessionId={sessionId} title={session.title} /> : null}
      </header>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {ended ? <SummaryView session={session} /> : null}
      <div className="grid gap-4 lg:grid-cols-[1fr_20rem]">
        <div className="space-y-3">
          {explanation ? (
            <Player
              key={explanation.id}
              explanation={explanation}
              isHost={isHost && !ended}
              videoRef={video}
              onReady={() => {
                const v = video.current;
                if (v && playback && !isHost) {
                  v.currentTime = expectedTime(playback);
                  if (playback.playing) void v.play().catch(() => {});
                }
              }}
              onHostChange={(playing) => {
                if (!applying.current) publish({ playing });
              }}
            />
          ) : (
            <Alert tone="warning">This session has no explanations.</Alert>
          )}
          <nav className="flex flex-wrap gap-2" aria-label="Explanations">
            {session.explanations.map((e, i) => (
              <Button
                key={e.id}
                size="sm"
                variant={e.id === explanation?.id ? 'primary' : 'secondary'}
                disabled={!isHost || ended}
                onClick={() => {
                  setCurrent(e.id);
                  publish({ explanationId: e.id, playing: false, timeSec: 0 });
                }}
                data-testid={`review-explanation-${i}`}
              >
                {i + 1}. {e.video.title} · {e.method}
              </Button>
            ))}
          </nav>
          {explanation && !ended && mayWrite ? <DecisionBar sessionId={sessionId} explanationId={explanation.id} /> : null}
          <DecisionList session={session} labels={labels} />
        </div>
        <aside className="space-y-4">
          <Card title={`Present (${session.present.length})`}>
            <ul data-testid="presence" className="space-y-1 text-sm">
              {session.present.map((p) => (
                <li key={p.userId} data-testid="presence-item" data-user-id={p.userId}>
                  {p.name}
                  {p.isHost ? ' (host)' : ''}
                  {p.userId === user.id ? ' — you' : ''}
                </li>
              ))}
            </ul>
          </Card>
          <CommentsCard session={session} sessionId={sessionId} explanationId={explanation?.id ?? null} video={video} mayWrite={mayWrite && !ended} />
        </aside>
      </div>
    </div>
  );
}

/** Room kept on a 1280×720 first screen for the header, the session title and the status line. */
const REVIEW_RESERVE_REM = 18;

function Player({
  explanation,
  isHost,
  videoRef,
  onReady,
  onHostChange,
}: {
  explanation: Session['explanations'][number];
  isHost: boolean;
  videoRef: React.RefObject<HTMLVideoElement | null>;
  onReady: () => void;
  onHostChange: (playing: boolean) => void;
}) {
  const { saliency } = useSaliency(explanation.saliencyUrl);
  const [time, setTime] = useState(0);
  useEffect(() => {
    const v = videoRef.current;
    if (!v) return;
    const onTime = () => setTime(v.currentTime);
    const onPlay = () => {
      if (isHost) onHostChange(true);
    };
    const onPause = () => {
      onTime();
      if (isHost) onHostChange(false);
    };
    const onSeeked = () => {
      onTime();
      if (isHost) onHostChange(!v.paused);
    };
    v.addEventListener('play', onPlay);
    v.addEventListener('pause', onPause);
    v.addEventListener('seeked', onSeeked);
    v.addEventListener('loadedmetadata', onReady);
    v.addEventListener('timeupdate', onTime);
    return () => {
      v.removeEventListener('play', onPlay);
      v.removeEventListener('pause', onPause);
      v.removeEventListener('seeked', onSeeked);
      v.removeEventListener('loadedmetadata', onReady);
      v.removeEventListener('timeupdate', onTime);
    };
  }, [videoRef, isHost, onHostChange, onReady]);
  const { width, height } = explanation.video;
  return (
    <div>
      {/* The stage has the video's aspect ratio (never taller than the first screen allows); the
          overlay covers the video's content box either way. */}
      <div
        className="relative mx-auto w-full overflow-hidden rounded-lg bg-black"
        style={{ aspectRatio: width && height ? `${width} / ${height}` : '16 / 9', maxWidth: stageMaxWidth(width ?? 16, height ?? 9, REVIEW_RESERVE_REM) }}
        data-testid="review-stage"
      >
        <video
          ref={videoRef}
          src={explanation.video.url}
          muted
          playsInline
          preload="auto"
          controls={isHost}
          className="absolute inset-0 h-full w-full"
          data-testid="review-video"
        />
        <SaliencyOverlay video={videoRef} saliency={saliency} geometry={explanation.overlay} mediaSize={{ width, height }} testId="review-overlay" />
      </div>
      <p className="mt-1 text-xs text-slate-600">
        {isHost ? 'You drive playback for everyone.' : 'Following the host.'} t = <span data-testid="review-time">{time.toFixed(2)}</span> s
      </p>
    </div>
  );
}

function EndButton({ sessionId, title }: { sessionId: string; title: string }) {
  const end = useMutation(END_REVIEW_SESSION);
  const [asking, setAsking] = useState(false);
  return (
    <>
      <Button variant="secondary" onClick={() => setAsking(true)} data-testid="review-end">
        End session
      </Button>
      <ConfirmDialog
        open={asking}
        title={`End “${title}” for everyone?`}
        confirmLabel="End session"
        pending={end.pending}
        error={end.error}
        testId="review-end-dialog"
        onClose={() => {
          setAsking(false);
          end.reset();
        }}
        onConfirm={async () => {
          if (await end.run({ id: sessionId })) setAsking(false);
        }}
      >
        Playback stops for every participant, no more comments or decisions can be added, and the summary is saved to the audit log. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}

const VERDICTS: { v: ReviewVerdict; label: string }[] = [
  { v: 'ACCEPT', label: 'Accept' },
  { v: 'NEEDS_WORK', label: 'Needs work' },
  { v: 'REJECT', label: 'Reject' },
];

function DecisionBar({ sessionId, explanationId }: { sessionId: string; explanationId: string }) {
  const decide = useMutation(DECIDE_REVIEW_EXPLANATION);
  const [note, setNote] = useState('');
  return (
    <div className="flex flex-wrap items-center gap-2 rounded-md border border-slate-200 bg-white p-3">
      <input
        aria-label="Decision note"
        placeholder="Note (optional)"
        className="h-9 flex-1 rounded-md border border-slate-300 px-2 text-sm"
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      {VERDICTS.map(({ v, label }) => (
        <Button
          key={v}
          size="sm"
          variant="secondary"
          loading={decide.pending}
          data-testid={`decide-${v}`}
          onClick={() => void decide.run({ id: sessionId, input: { explanationId, verdict: v, note: note || null } }).then((r) => r && setNote(''))}
        >
          {label}
        </Button>
      ))}
      {decide.error ? <span className="text-sm text-red-700">{userMessage(decide.error)}</span> : null}
    </div>
  );
}

function DecisionList({ session, labels }: { session: Session; labels: Map<string, string> }) {
  const votes = session.votes;
  if (!session.decisions.length && !votes.length) return null;
  const label = (id: string) => labels.get(id) ?? 'an explanation no longer in this session';
  // In the session's explanation order, as the API lists them (events append).
  const order = new Map(session.explanations.map((e, i) => [e.id, i]));
  const byOrder = <D extends { explanationId: string }>(list: readonly D[]) => [...list].sort((a, b) => (order.get(a.explanationId) ?? 0) - (order.get(b.explanationId) ?? 0));
  return (
    <Card title="Decisions" description="The host’s decision counts; other participants’ votes are listed apart and never replace it.">
      <ul className="space-y-1 text-sm" data-testid="decisions">
        {byOrder(session.decisions).map((d) => (
          <li key={d.explanationId} data-testid="decision" data-explanation-id={d.explanationId} data-host={d.decidedBy.isHost ? 'true' : 'false'}>
            <span className="font-medium">{decisionSentence(d, label(d.explanationId))}</span>
            {d.decidedBy.isHost ? ' (host)' : ' (a participant’s vote; the host has not decided)'}
            {d.note ? ` — ${d.note}` : ''}
          </li>
        ))}
      </ul>
      {votes.length ? (
        <>
          <h3 className="mt-3 text-xs font-semibold tracking-wide text-slate-600 uppercase">Votes</h3>
          <ul className="space-y-1 text-sm text-slate-700" data-testid="decision-votes">
            {byOrder(votes).map((d) => (
              <li key={`${d.explanationId}:${d.decidedBy.userId}`}>
                {decisionSentence(d, label(d.explanationId))}
                {d.note ? ` — ${d.note}` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Card>
  );
}

function CommentsCard({
  session,
  sessionId,
  explanationId,
  video,
  mayWrite,
}: {
  session: Session;
  sessionId: string;
  explanationId: string | null;
  video: React.RefObject<HTMLVideoElement | null>;
  mayWrite: boolean;
}) {
  const add = useMutation(ADD_REVIEW_COMMENT);
  const [body, setBody] = useState('');
  const members = useQuery(TEAM_MEMBERS_FOR_MENTIONS, mayWrite ? { id: session.teamId } : null);
  // Only people who can join the session are offered (the API drops anyone else).
  const people = members.data?.team.members.nodes.filter((m) => can(m.role, 'review.join')).map((m) => m.user) ?? [];
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    const mentions = mentionedIds(body, people);
    const r = await add.run({ id: sessionId, input: { explanationId, body, timeSec: video.current?.currentTime ?? null, ...(mentions.length ? { mentions } : {}) } });
    if (r) setBody('');
  };
  return (
    <Card title="Comments">
      <ul className="max-h-80 space-y-2 overflow-y-auto text-sm" data-testid="review-comments">
        {session.comments.map((c) => (
          <li key={c.id}>
            <span className="font-medium">{c.author.name}</span>
            {c.timeSec != null ? <span className="text-slate-500"> @ {c.timeSec.toFixed(1)} s</span> : null}: {c.body}
            {c.mentions?.length ? <span className="block text-xs text-slate-600">Mentions: {c.mentions.map((m) => m.name).join(', ')}</span> : null}
          </li>
        ))}
      </ul>
      {mayWrite ? (
        <form onSubmit={(e) => void send(e)} className="mt-3 flex gap-2">
          <div className="min-w-0 flex-1">
            <MentionInput
              value={body}
              onChange={setBody}
              people={people}
              label="Comment"
              placeholder="@ mentions someone"
              className="h-9 w-full rounded-md border border-slate-300 px-2 text-sm"
              testId="review-comment-input"
            />
          </div>
          <Button type="submit" size="sm" loading={add.pending}>
            Send
          </Button>
        </form>
      ) : null}
      {add.error ? <p className="mt-1 text-sm text-red-700">{userMessage(add.error)}</p> : null}
    </Card>
  );
}

function SummaryView({ session }: { session: Session }) {
  const summary = session.summary as { attendees?: { userId: string; name: string }[]; decisions?: unknown[]; comments?: unknown[] } | null;
  if (!summary) return null;
  return (
    <Alert tone="success" title="Session ended — summary saved">
      <p data-testid="review-summary">
        Attendees: {(summary.attendees ?? []).map((a) => a.name).join(', ') || '—'} · {summary.decisions?.length ?? 0} decisions · {summary.comments?.length ?? 0} comments
      </p>
    </Alert>
  );
}
