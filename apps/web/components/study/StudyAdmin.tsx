'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { StudyQuery } from '../../lib/__generated__/graphql.ts';
import { gqlRequest, userMessage } from '../../lib/graphql-client.ts';
import { CLOSE_STUDY, DELETE_STUDY, OPEN_STUDY, STUDY, STUDY_READINESS, UPDATE_STUDY } from '../../lib/operations/studies.ts';
import { useMutation, useQuery, type QueryState } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { TextField } from '../Field.tsx';
import { Markdown } from '../Markdown.tsx';
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

/** How often a draft waiting for its explanations re-reads its readiness (the banner updates live). */
export const READINESS_POLL_MS = 3000;

/** Polls readiness while the study is a draft that cannot open yet; stops once it is ready. */
function useLiveReadiness(q: QueryState<StudyQuery>) {
  const s = q.data?.study;
  const waiting = !!s && s.status === 'DRAFT' && !s.readiness.ready;
  const { setData } = q;
  const id = s?.id;
  useEffect(() => {
    if (!waiting || !id) return;
    let stopped = false;
    const timer = setInterval(() => {
      if (document.visibilityState === 'hidden') return;
      void gqlRequest(STUDY_READINESS, { id })
        .then((r) => {
          if (!stopped) setData((prev) => (prev ? { study: { ...prev.study, readiness: r.study.readiness } } : prev));
        })
        .catch(() => undefined); // the next tick tries again; the banner keeps the last known state
    }, READINESS_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [waiting, id, setData]);
}

function AdminBody({ studyId }: { studyId: string }) {
  const router = useRouter();
  const q = useQuery(STUDY, { id: studyId });
  const open = useMutation(OPEN_STUDY);
  const close = useMutation(CLOSE_STUDY);
  const remove = useMutation(DELETE_STUDY);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  useLiveReadiness(q);
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
              <>
                <Button variant="secondary" onClick={() => setEditing((e) => !e)} data-testid="study-edit">
                  {editing ? 'Stop editing' : 'Edit draft'}
                </Button>
                <Button variant="danger" onClick={() => { remove.reset(); setDeleting(true); }} data-testid="study-delete">
                  Delete draft
                </Button>
                <Button onClick={() => void act(open, s.id)} loading={open.pending} disabled={!s.readiness.ready} data-testid="study-open">
                  Open study
                </Button>
              </>
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
      {s.status === 'DRAFT' ? (
        <div aria-live="polite" data-testid="study-readiness">
          {!s.readiness.ready ? (
            <Alert tone="warning" title="Waiting for explanations">
              {s.readiness.done} of {s.readiness.explanations} explanations are done ({s.readiness.pending} pending, {s.readiness.failed} failed). The study can open when all exist; this updates by itself.
            </Alert>
          ) : (
            <Alert tone="info" title="Ready to open">
              All {s.readiness.explanations} explanations are done.
            </Alert>
          )}
        </div>
      ) : null}
      {editing && s.status === 'DRAFT' ? (
        <EditDraft
          study={s}
          onSaved={async () => {
            setEditing(false);
            await q.reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting}
        title={`Delete the draft “${s.name}”?`}
        confirmLabel="Delete draft"
        pending={remove.pending}
        error={remove.error}
        testId="delete-study-dialog"
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          if (await remove.run({ id: s.id })) router.push(`/studies?team=${encodeURIComponent(s.teamId)}`);
        }}
      >
        Its items go with it. Nobody has rated a draft, so no judgements are lost; the deletion is recorded in the audit log.
      </ConfirmDialog>
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
        {s.instructions ? <Markdown source={s.instructions} className="mt-3" testId="study-instructions" /> : null}
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

/** Edits what a draft's protocol allows changing (UpdateStudyInput); the API validates. */
function EditDraft({ study, onSaved }: { study: StudyQuery['study']; onSaved: () => Promise<void> }) {
  const update = useMutation(UPDATE_STUDY);
  const [name, setName] = useState(study.name);
  const [instructions, setInstructions] = useState(study.instructions);
  const [overlap, setOverlap] = useState(study.overlap);
  const [blinded, setBlinded] = useState(study.blinded);
  const [seed, setSeed] = useState(String(study.seed));
  const fields = update.error?.fields ?? {};
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    const r = await update.run({ id: study.id, input: { name, instructions, overlap, blinded, ...(seed.trim() ? { seed: Number(seed) } : {}) } });
    if (r) await onSaved();
  };
  return (
    <form onSubmit={(e) => void save(e)} data-testid="study-edit-form">
      <Card title="Edit draft" description="Items and design are fixed at creation; raters, overlap, seed, blinding, name and instructions can change until the study opens.">
        {update.error ? <Alert tone="error" title="Not saved">{userMessage(update.error)}</Alert> : null}
        <div className="grid gap-4 md:grid-cols-2">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required />
          <TextField label="Raters per item (overlap)" type="number" min={1} value={overlap} onChange={(e) => setOverlap(Number(e.target.value))} error={fields.overlap} />
          <TextField label="Seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} error={fields.seed} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={blinded} onChange={(e) => setBlinded(e.target.checked)} /> Blind raters to method names
          </label>
        </div>
        <div className="mt-4 space-y-1.5">
          <label htmlFor="edit-instructions" className="block text-sm font-medium text-slate-800">
            Instructions (Markdown)
          </label>
          <textarea id="edit-instructions" className="block min-h-24 w-full rounded-md border border-slate-300 p-3 text-sm" value={instructions} onChange={(e) => setInstructions(e.target.value)} />
        </div>
        <div className="mt-4">
          <Button type="submit" loading={update.pending} data-testid="study-edit-save">
            Save draft
          </Button>
        </div>
      </Card>
    </form>
  );
}
