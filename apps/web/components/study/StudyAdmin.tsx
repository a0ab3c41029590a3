'use client';

import { userMessage } from '../../lib/graphql-client.ts';
import { CLOSE_STUDY, OPEN_STUDY, STUDY } from '../../lib/operations/studies.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Badge } from '../Badge.tsx';
import { Button, ButtonLink } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { Skeleton } from '../Skeleton.tsx';

export function StudyAdmin({ studyId }: { studyId: string }) {
  return (
    <AppShell skeleton={<Skeleton className="h-96 w-full" />}>
      <AdminBody studyId={studyId} />
    </AppShell>
  );
}

function AdminBody({ studyId }: { studyId: string }) {
  const q = useQuery(STUDY, { id: studyId });
  const open = useMutation(OPEN_STUDY);
  const close = useMutation(CLOSE_STUDY);
  if (q.error) return <Alert tone="error" title="This study is not available">{userMessage(q.error)}</Alert>;
  const s = q.data?.study;
  if (!s) return <Skeleton className="h-96 w-full" />;
  const act = async (m: { run: (v: { id: string }) => Promise<unknown> }, id: string) => {
    if (await m.run({ id })) await q.reload();
  };
  return (
    <div className="space-y-6" data-testid="study-admin">
      <PageHeader
        title={s.name}
        description={
          <span className="flex items-center gap-2">
            <Badge tone={s.status === 'OPEN' ? 'green' : s.status === 'CLOSED' ? 'amber' : 'neutral'}>{s.status}</Badge>
            {s.design} · {s.blinded ? 'blinded' : 'unblinded'} · seed {s.seed} · {s.overlap} raters per item
          </span>
        }
        actions={
          <span className="flex gap-2">
            {s.status === 'DRAFT' ? (
              <Button onClick={() => void act(open, s.id)} loading={open.pending} disabled={!s.readiness.ready} data-testid="study-open">
                Open study
              </Button>
            ) : null}
            {s.status === 'OPEN' ? (
              <Button variant="secondary" onClick={() => void act(close, s.id)} loading={close.pending} data-testid="study-close">
                Close study
              </Button>
            ) : null}
            <ButtonLink href={`/studies/${s.id}/results`}>Results</ButtonLink>
            {s.status === 'OPEN' && s.raterIds.length ? <ButtonLink href={`/studies/${s.id}/rate`}>Rate</ButtonLink> : null}
          </span>
        }
      />
      {open.error ?? close.error ? <Alert tone="error">{userMessage(open.error ?? close.error)}</Alert> : null}
      {!s.readiness.ready ? (
        <Alert tone="warning" title="Waiting for explanations">
          {s.readiness.done} of {s.readiness.explanations} explanations are done ({s.readiness.pending} pending, {s.readiness.failed} failed). The study can open when all exist.
        </Alert>
      ) : null}
      <Card title="Protocol">
        <dl className="grid grid-cols-2 gap-2 text-sm md:grid-cols-4">
          <dt className="text-slate-500">Methods</dt>
          <dd>{s.methods.join(', ')}</dd>
          <dt className="text-slate-500">Items</dt>
          <dd>{s.items.nodes.length}{s.items.pageInfo.hasNextPage ? '+' : ''}</dd>
          <dt className="text-slate-500">Attention checks</dt>
          <dd>{s.attentionChecks}</dd>
          <dt className="text-slate-500">Scale</dt>
          <dd>{s.design === 'LIKERT' ? `1–${s.likertPoints}` : s.design === 'PAIRWISE' ? (s.allowTie ? "2AFC + can't tell" : '2AFC') : `rank ${s.rankK}`}</dd>
        </dl>
        {s.instructions ? <p className="mt-3 whitespace-pre-wrap text-sm text-slate-700">{s.instructions}</p> : null}
      </Card>
      <Card title="Raters">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Pseudonym</th>
              <th>Rater</th>
              <th>Progress</th>
              <th>Completed</th>
            </tr>
          </thead>
          <tbody>
            {s.assignments.nodes.map((a) => (
              <tr key={a.pseudonym}>
                <td className="py-1 font-mono">{a.pseudonym}</td>
                <td>{a.rater.name}</td>
                <td>
                  {a.judged}/{a.items}
                </td>
                <td>{a.completedAt ? new Date(a.completedAt).toLocaleString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
