'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { userMessage } from '../../lib/graphql-client.ts';
import { MY_STUDIES, STUDIES } from '../../lib/operations/studies.ts';
import { can } from '../../lib/roles.ts';
import { useQuery } from '../../lib/use-api.ts';
import type { StudiesQuery, StudyFilter } from '../../lib/__generated__/graphql.ts';
import { listVariables, useListParams } from '../../lib/list-params.ts';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { ListControls, LoadMore, useAuthorOptions } from '../ListControls.tsx';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Badge } from '../Badge.tsx';
import { ButtonLink } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { EmptyState } from '../EmptyState.tsx';
import { Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';

const STATUS_TONE = { DRAFT: 'neutral', OPEN: 'green', CLOSED: 'amber' } as const;

export function StudyList({ teamHint }: { teamHint: string | null }) {
  const router = useRouter();
  return (
    <AppShell teamHint={teamHint} onTeamChange={(t) => router.push(`/studies?team=${encodeURIComponent(t)}`)} skeleton={<Skeleton className="h-64 w-full" />}>
      <StudyListBody />
    </AppShell>
  );
}

const pickStudies = (d: StudiesQuery) => d.studies;

function StudyListBody() {
  const { teamId, role } = useViewer();
  const manages = can(role, 'study.manage');
  const rates = can(role, 'study.participate');
  const [listParams, setListParams] = useListParams();
  const { filter, sort } = listVariables<StudyFilter>(listParams, {
    status: { param: 'status', allowed: ['DRAFT', 'OPEN', 'CLOSED'] },
    design: { param: 'design', allowed: ['LIKERT', 'PAIRWISE', 'RANKING'] },
    authorId: { param: 'author' },
  });
  const all = usePagedList(STUDIES, teamId && manages ? { teamId, filter, sort } : null, pickStudies);
  const authors = useAuthorOptions(teamId && manages ? teamId : null);
  const mine = useQuery(MY_STUDIES, teamId && rates ? { teamId } : null);
  if (!teamId) return <EmptyState title="No team yet">Create or join a team first.</EmptyState>;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Studies"
        description="Controlled human evaluations of explanation methods: blinded, randomised, with agreement statistics."
        actions={manages ? <ButtonLink href={`/studies/new?team=${encodeURIComponent(teamId)}`} variant="primary">New study</ButtonLink> : undefined}
      />
      {rates ? (
        <Card title="Your assignments">
          {mine.error ? <Alert tone="error">{userMessage(mine.error)}</Alert> : null}
          {!mine.data ? (
            // One assignment row, the empty line and the placeholder are all 3rem tall: no shift for 0 or 1 study.
            <Skeleton className="h-12 w-full" />
          ) : mine.data.myStudies.nodes.length === 0 ? (
            <p className="py-3.5 text-sm text-slate-600">No open study needs your judgement.</p>
          ) : (
            <ul className="divide-y divide-slate-200" data-testid="my-studies">
              {mine.data.myStudies.nodes.map((s) => (
                <li key={s.id} className="flex items-center justify-between py-2">
                  <span className="text-sm font-medium">{s.name}</span>
                  <span className="flex items-center gap-3 text-sm">
                    {s.progress.judged}/{s.progress.total}
                    <ButtonLink href={`/studies/${s.id}/rate`} size="sm" variant={s.progress.completed ? 'secondary' : 'primary'}>
                      {s.progress.completed ? 'Done' : s.progress.judged ? 'Resume' : 'Start'}
                    </ButtonLink>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
      {manages ? (
        <Card title="All studies of the team">
          <ListControls
            label="studies"
            params={listParams}
            onChange={setListParams}
            searchPlaceholder="Name contains…"
            selects={[
              { param: 'status', label: 'Status', any: 'Any status', options: [{ value: 'DRAFT', label: 'Draft' }, { value: 'OPEN', label: 'Open' }, { value: 'CLOSED', label: 'Closed' }] },
              { param: 'design', label: 'Design', any: 'Any design', options: [{ value: 'LIKERT', label: 'Likert' }, { value: 'PAIRWISE', label: 'Pairwise' }, { value: 'RANKING', label: 'Ranking' }] },
              { param: 'author', label: 'Created by', any: 'Anyone', options: authors },
            ]}
            testId="study-filters"
          />
          {all.error ? <Alert tone="error">{userMessage(all.error)}</Alert> : null}
          {!all.data ? (
            <Skeleton className="h-24 w-full" />
          ) : all.nodes.length === 0 ? (
            <p className="text-sm text-slate-600">{filter.search || filter.status || filter.design || filter.authorId || filter.since || filter.until ? 'No studies match these filters.' : 'No studies yet.'}</p>
          ) : (
            <table className="w-full text-left text-sm" data-testid="studies-table">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-2">Name</th>
                  <th>Design</th>
                  <th>Methods</th>
                  <th>Explanations</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {all.nodes.map((s) => (
                  <tr key={s.id}>
                    <td className="py-2">
                      <Link className="font-medium text-indigo-700 hover:underline" href={`/studies/${s.id}`}>
                        {s.name}
                      </Link>
                    </td>
                    <td>{s.design}</td>
                    <td>{s.methods.join(', ')}</td>
                    <td>
                      {s.readiness.done}/{s.readiness.explanations}
                    </td>
                    <td>
                      <Badge tone={STATUS_TONE[s.status]}>{s.status}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <LoadMore list={all} what="studies" testId="studies-load-more" />
        </Card>
      ) : null}
    </div>
  );
}
