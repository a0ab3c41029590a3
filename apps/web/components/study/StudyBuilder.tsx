'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { CreateStudyInput, StudyDesign } from '../../lib/__generated__/graphql.ts';
import { userMessage } from '../../lib/graphql-client.ts';
import { METHODS as ENGINE_METHODS } from '../../lib/methods.ts';
import { ExplanationPicker } from '../ExplanationPicker.tsx';
import { CREATE_STUDY, STUDY_BUILDER_SOURCES } from '../../lib/operations/studies.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Button } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { SelectField, TextField } from '../Field.tsx';
import { Skeleton } from '../Skeleton.tsx';
import { MoreNote } from '../MoreNote.tsx';
import { useViewer } from '../ViewerContext.tsx';

/** The methods the engine runs (lib/methods.ts mirrors the engine's registry); the API validates. */
const METHODS: string[] = ENGINE_METHODS.map((m) => m.name);

export function StudyBuilder({ teamHint }: { teamHint: string | null }) {
  return (
    <AppShell teamHint={teamHint} skeleton={<Skeleton className="h-96 w-full" />}>
      <BuilderBody />
    </AppShell>
  );
}

function toggle(list: string[], v: string): string[] {
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

function BuilderBody() {
  const router = useRouter();
  const { teamId } = useViewer();
  const sources = useQuery(STUDY_BUILDER_SOURCES, teamId ? { teamId } : null);
  const create = useMutation(CREATE_STUDY);
  const [name, setName] = useState('');
  const [instructions, setInstructions] = useState('');
  const [design, setDesign] = useState<StudyDesign>('LIKERT');
  const [likertPoints, setLikertPoints] = useState(5);
  const [allowTie, setAllowTie] = useState(false);
  const [rankK, setRankK] = useState(3);
  const [blinded, setBlinded] = useState(true);
  const [seed, setSeed] = useState('');
  const [overlap, setOverlap] = useState(3);
  const [attentionChecks, setAttentionChecks] = useState(0);
  const [raterIds, setRaterIds] = useState<string[]>([]);
  const [mode, setMode] = useState<'explanations' | 'grid'>('explanations');
  const [explanationIds, setExplanationIds] = useState<string[]>([]);
  const [videoIds, setVideoIds] = useState<string[]>([]);
  const [methods, setMethods] = useState<string[]>(['fep', 'ep']);
  const [modelId, setModelId] = useState('');

  if (!teamId) return null;
  if (sources.error) return <Alert tone="error">{userMessage(sources.error)}</Alert>;
  const data = sources.data;
  const fields = create.error?.fields ?? {};

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const input: CreateStudyInput = {
      teamId,
      name,
      instructions,
      design,
      blinded,
      overlap,
      attentionChecks,
      raterIds,
      ...(design === 'LIKERT' ? { likertPoints } : {}),
      ...(design === 'PAIRWISE' ? { allowTie } : {}),
      ...(design === 'RANKING' ? { rankK } : {}),
      ...(seed.trim() ? { seed: Number(seed) } : {}),
      ...(mode === 'explanations' ? { explanationIds } : { videoIds, methods, modelId }),
    };
    const r = await create.run({ input });
    if (r) router.push(`/studies/${r.createStudy.id}`);
  };

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-6" data-testid="study-builder">
      <PageHeader title="New study" description="The protocol is frozen and audited when the study opens." />
      {create.error ? <Alert tone="error" title="The study was not created">{userMessage(create.error)}</Alert> : null}
      <Card title="Protocol">
        <div className="grid gap-4 md:grid-cols-2">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={fields.name} required />
          <SelectField label="Design" value={design} onChange={(e) => setDesign(e.target.value as StudyDesign)}>
            <option value="LIKERT">Likert rating</option>
            <option value="PAIRWISE">Pairwise (2AFC)</option>
            <option value="RANKING">Ranking of k methods</option>
          </SelectField>
          {design === 'LIKERT' ? (
            <SelectField label="Scale" value={String(likertPoints)} onChange={(e) => setLikertPoints(Number(e.target.value))}>
              <option value="5">1–5</option>
              <option value="7">1–7</option>
            </SelectField>
          ) : null}
          {design === 'PAIRWISE' ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={allowTie} onChange={(e) => setAllowTie(e.target.checked)} /> Offer &quot;can&apos;t tell&quot;
            </label>
          ) : null}
          {design === 'RANKING' ? (
            <TextField label="Explanations per item (k)" type="number" min={2} max={8} value={rankK} onChange={(e) => setRankK(Number(e.target.value))} />
          ) : null}
          <TextField label="Raters per item (overlap)" type="number" min={1} value={overlap} onChange={(e) => setOverlap(Number(e.target.value))} error={fields.overlap} />
          <TextField label="Seed (blank: random)" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} error={fields.seed} />
          <TextField label="Attention checks" type="number" min={0} value={attentionChecks} onChange={(e) => setAttentionChecks(Number(e.target.value))} />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={blinded} onChange={(e) => setBlinded(e.target.checked)} /> Blind raters to method names
          </label>
        </div>
        <div className="mt-4 space-y-1.5">
          <label htmlFor="instructions" className="block text-sm font-medium text-slate-800">
            Instructions (Markdown)
          </label>
          <textarea id="instructions" className="block min-h-24 w-full rounded-md border border-slate-300 p-3 text-sm" value={instructions} onChange={(e) => setInstructions(e.target.value)} />
        </div>
      </Card>
      <Card title="Raters" description={fields.raterIds}>
        {!data ? (
          <Skeleton className="h-16 w-full" />
        ) : (
          <ul className="grid gap-1 md:grid-cols-2">
            {data.team.members.nodes.map((m) => (
              <li key={m.id}>
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" checked={raterIds.includes(m.user.id)} onChange={() => setRaterIds((r) => toggle(r, m.user.id))} />
                  {m.user.name} <span className="text-slate-500">({m.role.toLowerCase()})</span>
                </label>
              </li>
            ))}
          </ul>
        )}
        <MoreNote pageInfo={data?.team.members.pageInfo} shown={data?.team.members.nodes.length ?? 0} what="members" />
      </Card>
      <Card title="Items">
        <div className="mb-3 flex gap-4 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" checked={mode === 'explanations'} onChange={() => setMode('explanations')} /> Existing explanations
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" checked={mode === 'grid'} onChange={() => setMode('grid')} /> Videos × methods (missing ones are requested)
          </label>
        </div>
        {!data ? (
          <Skeleton className="h-16 w-full" />
        ) : mode === 'explanations' ? (
          <ExplanationPicker
            teamId={teamId}
            selected={explanationIds}
            onToggle={(id) => setExplanationIds((r) => toggle(r, id))}
            statuses={['DONE', 'RUNNING', 'QUEUED', 'CANCELLED']}
            testId="builder-explanations"
          />
        ) : (
          <div className="grid gap-4 md:grid-cols-3">
            <fieldset className="space-y-1 text-sm">
              <legend className="font-medium">Videos</legend>
              {/* A FAILED video can never be explained, so a study over it could never open. */}
              {data.videos.nodes.filter((v) => v.status !== 'FAILED').map((v) => (
                <label key={v.id} className="flex items-center gap-2">
                  <input type="checkbox" checked={videoIds.includes(v.id)} onChange={() => setVideoIds((r) => toggle(r, v.id))} /> {v.title}
                </label>
              ))}
              <MoreNote pageInfo={data.videos.pageInfo} shown={data.videos.nodes.length} what="videos (newest first)" />
            </fieldset>
            <fieldset className="space-y-1 text-sm">
              <legend className="font-medium">Methods</legend>
              {METHODS.map((m) => (
                <label key={m} className="flex items-center gap-2">
                  <input type="checkbox" checked={methods.includes(m)} onChange={() => setMethods((r) => toggle(r, m))} /> {m}
                </label>
              ))}
            </fieldset>
            <SelectField label="Model" value={modelId} onChange={(e) => setModelId(e.target.value)}>
              <option value="">Choose…</option>
              {data.models.nodes.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} {m.version}
                </option>
              ))}
            </SelectField>
          </div>
        )}
      </Card>
      <Button type="submit" loading={create.pending} data-testid="builder-create">
        Create draft
      </Button>
    </form>
  );
}
