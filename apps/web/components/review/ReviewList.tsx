'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { userMessage } from '../../lib/graphql-client.ts';
import { REVIEW_SESSIONS, START_REVIEW_SESSION } from '../../lib/operations/reviews.ts';
import type { ReviewSessionFilter, ReviewSessionsQuery } from '../../lib/__generated__/graphql.ts';
import { listVariables, useListParams } from '../../lib/list-params.ts';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { ExplanationPicker } from '../ExplanationPicker.tsx';
import { ListControls, LoadMore, useAuthorOptions } from '../ListControls.tsx';
import { can } from '../../lib/roles.ts';
import { useMutation } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Badge } from '../Badge.tsx';
import { Button } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { TextField } from '../Field.tsx';
import { Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';

export function ReviewList({ teamHint }: { teamHint: string | null }) {
  const router = useRouter();
  return (
    <AppShell teamHint={teamHint} onTeamChange={(t) => router.push(`/review?team=${encodeURIComponent(t)}`)} skeleton={<Skeleton className="h-64 w-full" />}>
      <ReviewListBody />
    </AppShell>
  );
}

const pickSessions = (d: ReviewSessionsQuery) => d.reviewSessions;

function ReviewListBody() {
  const router = useRouter();
  const { teamId, role } = useViewer();
  const [listParams, setListParams] = useListParams();
  const { filter, sort } = listVariables<ReviewSessionFilter>(listParams, { status: { param: 'status', allowed: ['LIVE', 'ENDED'] }, authorId: { param: 'author' } });
  const sessions = usePagedList(REVIEW_SESSIONS, teamId && can(role, 'review.join') ? { teamId, filter, sort } : null, pickSessions);
  const authors = useAuthorOptions(teamId && can(role, 'review.join') ? teamId : null);
  const hosts = can(role, 'review.host');
  const start = useMutation(START_REVIEW_SESSION);
  const [title, setTitle] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  if (!teamId) return null;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const r = await start.run({ input: { teamId, title, explanationIds: picked } });
    if (r) router.push(`/review/${r.startReviewSession.id}`);
  };
  return (
    <div className="space-y-6">
      <PageHeader title="Review sessions" description="Walk through explanations together: the host's player is mirrored to everyone, with live comments and decisions." />
      {sessions.error ? <Alert tone="error">{userMessage(sessions.error)}</Alert> : null}
      <Card title="Sessions">
        <ListControls
          label="sessions"
          params={listParams}
          onChange={setListParams}
          searchPlaceholder="Title contains…"
          selects={[
            { param: 'status', label: 'Status', any: 'Live or ended', options: [{ value: 'LIVE', label: 'Live' }, { value: 'ENDED', label: 'Ended' }] },
            { param: 'author', label: 'Host', any: 'Any host', options: authors },
          ]}
          dateLabel="Started"
          sortLabels={{ NAME: 'Title (A–Z)' }}
          testId="review-filters"
        />
        {!sessions.data ? (
          // The height of one session row (and of the empty line): no shift for 0 or 1 session.
          <Skeleton className="h-10 w-full" />
        ) : sessions.nodes.length === 0 ? (
          <p className="py-2.5 text-sm text-slate-600">{filter.search || filter.status || filter.authorId || filter.since || filter.until ? 'No sessions match these filters.' : 'No sessions yet.'}</p>
        ) : (
          <ul className="divide-y divide-slate-200 text-sm" data-testid="review-sessions">
            {sessions.nodes.map((s) => (
              <li key={s.id} className="flex items-center justify-between py-2">
                <Link href={`/review/${s.id}`} className="font-medium text-indigo-700 hover:underline">
                  {s.title}
                </Link>
                <span className="flex items-center gap-2 text-slate-600">
                  {s.host.name} · {new Date(s.startedAt).toLocaleString()} <Badge tone={s.status === 'LIVE' ? 'green' : 'neutral'}>{s.status}</Badge>
                </span>
              </li>
            ))}
          </ul>
        )}
        <LoadMore list={sessions} what="sessions" testId="review-sessions-load-more" />
      </Card>
      {hosts ? (
        <Card title="Start a session">
          <form onSubmit={(e) => void submit(e)} className="space-y-3">
            <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} error={start.error?.fields.title} />
            <ExplanationPicker
              teamId={teamId}
              selected={picked}
              onToggle={(id) => setPicked((p) => (p.includes(id) ? p.filter((i) => i !== id) : [...p, id]))}
              testId="review-picker"
            />
            {start.error ? <Alert tone="error">{userMessage(start.error)}</Alert> : null}
            <Button type="submit" loading={start.pending} disabled={!title.trim() || !picked.length}>
              Start session
            </Button>
          </form>
        </Card>
      ) : null}
    </div>
  );
}
