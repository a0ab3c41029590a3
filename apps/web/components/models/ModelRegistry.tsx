'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ModelRegistryQuery } from '../../lib/__generated__/graphql.ts';
import { userMessage } from '../../lib/graphql-client.ts';
import { AUDIT_REPORTS, GENERATE_AUDIT_REPORT, MODEL_CARD_HISTORY, MODEL_REGISTRY, UPDATE_MODEL_CARD } from '../../lib/operations/models.ts';
import { can } from '../../lib/roles.ts';
import { useMutation, useQuery } from '../../lib/use-api.ts';
import type { ModelFilter } from '../../lib/__generated__/graphql.ts';
import { listVariables, useListParams } from '../../lib/list-params.ts';
import { usePagedList } from '../../lib/use-paged-list.ts';
import { ListControls, LoadMore, useAuthorOptions } from '../ListControls.tsx';
import { Alert } from '../Alert.tsx';
import { AppShell } from '../AppShell.tsx';
import { Badge } from '../Badge.tsx';
import { Button } from '../Button.tsx';
import { Card, PageHeader } from '../Card.tsx';
import { EmptyState } from '../EmptyState.tsx';
import { Skeleton } from '../Skeleton.tsx';
import { useViewer } from '../ViewerContext.tsx';
import { ModelUpload } from './ModelUpload.tsx';

type Model = ModelRegistryQuery['models']['nodes'][number];

/** Model card fields after Mitchell et al., "Model Cards for Model Reporting" (FAT* 2019). */
const CARD_FIELDS = [
  { key: 'intendedUse', label: 'Intended use', hint: 'What the model is for, and what it must not be used for.' },
  { key: 'trainingData', label: 'Training data', hint: 'Where the data came from and how it was prepared.' },
  { key: 'evaluation', label: 'Evaluation', hint: 'How it was evaluated and with what results.' },
  { key: 'limitations', label: 'Limitations', hint: 'Known failure modes and conditions it was not tested on.' },
  { key: 'ethicalConsiderations', label: 'Ethical considerations', hint: 'Risks, affected people, mitigations.' },
] as const;
type CardKey = (typeof CARD_FIELDS)[number]['key'];

/** `/models`: the model registry — versions with their manifest, model card history, audit reports. */
export function ModelRegistry({ teamHint }: { teamHint: string | null }) {
  const router = useRouter();
  return (
    <AppShell teamHint={teamHint} onTeamChange={(t) => router.push(`/models?team=${encodeURIComponent(t)}`)} skeleton={<Skeleton className="h-64 w-full" />}>
      <RegistryBody />
    </AppShell>
  );
}

const pickModels = (d: ModelRegistryQuery) => d.models;

function RegistryBody() {
  const { teamId, role } = useViewer();
  const [listParams, setListParams] = useListParams();
  const { filter, sort } = listVariables<ModelFilter>(listParams, { format: { param: 'format' }, authorId: { param: 'author' } });
  const models = usePagedList(MODEL_REGISTRY, teamId && can(role, 'model.read') ? { teamId, filter, sort } : null, pickModels);
  const authors = useAuthorOptions(teamId && can(role, 'model.read') ? teamId : null);
  const filtered = Boolean(filter.search || filter.format || filter.authorId || filter.since || filter.until);
  if (!teamId) return <EmptyState title="No team yet">Create or join a team first.</EmptyState>;
  if (!can(role, 'model.read')) return <EmptyState title="Models are not shared with your role">Ask an owner or admin of the team.</EmptyState>;
  return (
    <div className="space-y-6">
      <PageHeader
        title="Models"
        description="Registered classifier versions. A version is immutable once an explanation used it; its model card keeps every revision."
      />
      {can(role, 'model.upload') ? <ModelUpload teamId={teamId} onUploaded={() => void models.reload()} /> : null}
      <section aria-labelledby="models-heading">
        <h2 id="models-heading" className="sr-only">
          Registered models
        </h2>
        <ListControls
          label="models"
          params={listParams}
          onChange={setListParams}
          searchPlaceholder="Name or version contains…"
          selects={[
            { param: 'format', label: 'Format', any: 'Any format', options: [{ value: 'layers-model', label: 'TF.js layers model' }, { value: 'graph-model', label: 'TF.js graph model' }, { value: 'onnx', label: 'ONNX' }] },
            { param: 'author', label: 'Uploaded by', any: 'Anyone', options: authors },
          ]}
          dateLabel="Registered"
          testId="model-filters"
        />
        {models.error ? <Alert tone="error">{userMessage(models.error)}</Alert> : null}
        {!models.data ? (
          <Skeleton className="h-48 w-full" />
        ) : models.nodes.length === 0 ? (
          filtered ? (
            <EmptyState title="No models match these filters">Change the search or clear the filters.</EmptyState>
          ) : (
            <EmptyState title="No models registered">The built-in model appears here once the engine has registered it (npm start does).</EmptyState>
          )
        ) : (
          <div className="space-y-6">
            {models.nodes.map((m) => (
              <ModelCardPanel key={m.id} model={m} teamId={teamId} role={role} />
            ))}
          </div>
        )}
        <LoadMore list={models} what="models" testId="models-load-more" />
      </section>
    </div>
  );
}

function ModelCardPanel({ model, teamId, role }: { model: Model; teamId: string; role: Parameters<typeof can>[0] }) {
  const history = useQuery(MODEL_CARD_HISTORY, { teamId, modelId: model.id });
  const reports = useQuery(AUDIT_REPORTS, can(role, 'audit.read') ? { teamId } : null);
  const generate = useMutation(GENERATE_AUDIT_REPORT);
  const [editing, setEditing] = useState(false);
  const latest = history.data?.modelCardHistory.nodes[0];
  const shipped = (model.modelCard as { markdown?: string } | null)?.markdown;
  const input = (model.manifest as { input?: Record<string, unknown> } | null)?.input ?? {};
  const ownReports = reports.data?.auditReports.nodes.filter((r) => r.modelId === model.id) ?? [];
  return (
    <Card
      title={`${model.name} ${model.version}`}
      description={
        <span className="flex flex-wrap items-center gap-2">
          {model.builtin ? <Badge tone="green">Built-in</Badge> : <Badge>Team model</Badge>}
          <span>{model.format}</span>
          <span className="font-mono text-xs break-all" title="sha256 of the weights">
            weights {model.weightsSha256}
          </span>
        </span>
      }
    >
      <div className="space-y-5" data-testid="model-panel">
        <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
          {(['frames', 'height', 'width', 'layout'] as const).map((k) => (
            <div key={k}>
              <dt className="text-xs text-slate-600">{k}</dt>
              <dd className="font-mono">{String(input[k] ?? '—')}</dd>
            </div>
          ))}
        </dl>
        <p className="text-sm">
          <span className="text-slate-600">Classes: </span>
          {model.labels.join(', ')}
        </p>

        <section aria-labelledby={`card-${model.id}`}>
          <div className="mb-2 flex items-center justify-between">
            <h3 id={`card-${model.id}`} className="text-sm font-semibold">
              Model card {latest ? `(revision ${latest.revision} by ${latest.author.name})` : shipped ? (model.builtin ? '(as shipped)' : '(as uploaded)') : ''}
              {/* Several models are listed: name each section's model for screen readers (unique landmarks). */}
              <span className="sr-only"> of {model.name} {model.version}</span>
            </h3>
            {can(role, 'model.write') && !editing ? (
              <Button size="sm" variant="secondary" onClick={() => setEditing(true)}>
                {latest ? 'New revision' : 'Write model card'}
              </Button>
            ) : null}
          </div>
          {editing ? (
            <CardForm
              teamId={teamId}
              modelId={model.id}
              initial={(latest?.card as Record<CardKey, string> | undefined) ?? null}
              onDone={() => {
                setEditing(false);
                void history.reload();
              }}
            />
          ) : latest ? (
            <dl className="space-y-2 text-sm">
              {CARD_FIELDS.map((f) => (
                <div key={f.key}>
                  <dt className="font-medium">{f.label}</dt>
                  <dd className="whitespace-pre-wrap text-slate-800">{String((latest.card as Record<string, unknown>)[f.key] ?? '—')}</dd>
                </div>
              ))}
            </dl>
          ) : shipped ? (
            <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded-md bg-slate-50 p-3 text-xs text-slate-800" tabIndex={0} role="region" aria-label="Shipped model card">{shipped}</pre>
          ) : (
            <p className="text-sm text-slate-600">No model card yet.</p>
          )}
          {history.data && history.data.modelCardHistory.nodes.length > 1 ? (
            <details className="mt-2 text-sm">
              <summary className="cursor-pointer text-slate-700">Earlier revisions ({history.data.modelCardHistory.nodes.length - 1}{history.data.modelCardHistory.pageInfo.hasNextPage ? '+' : ''})</summary>
              <ul className="mt-1 list-disc pl-5 text-slate-700">
                {history.data.modelCardHistory.nodes.slice(1).map((r) => (
                  <li key={r.id}>
                    Revision {r.revision} by {r.author.name}, {new Date(r.createdAt as string).toLocaleString()}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </section>

        {can(role, 'audit.read') ? (
          <section aria-labelledby={`reports-${model.id}`}>
            <div className="mb-2 flex items-center justify-between">
              <h3 id={`reports-${model.id}`} className="text-sm font-semibold">
                Audit reports<span className="sr-only"> of {model.name} {model.version}</span>
              </h3>
              {can(role, 'report.generate') ? (
                <Button
                  size="sm"
                  loading={generate.pending}
                  onClick={async () => {
                    if (await generate.run({ teamId, modelId: model.id })) void reports.reload();
                  }}
                >
                  Generate report
                </Button>
              ) : null}
            </div>
            {generate.error ? <Alert tone="error">{userMessage(generate.error)}</Alert> : null}
            {ownReports.length === 0 ? (
              <p className="text-sm text-slate-600">No report yet. A report bundles provenance, metrics, ratings, studies, review decisions and the verified audit log, with a sha256 manifest.</p>
            ) : (
              <ul className="divide-y divide-slate-200 text-sm" data-testid="audit-reports">
                {ownReports.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span>{new Date(r.createdAt as string).toLocaleString()}</span>
                    <span className="flex gap-3">
                      {r.files.map((f) => (
                        <a key={f.name} href={f.url} className="text-indigo-700 underline underline-offset-2" title={`sha256 ${f.sha256}`}>
                          {f.name}
                        </a>
                      ))}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        ) : null}
      </div>
    </Card>
  );
}

function CardForm({ teamId, modelId, initial, onDone }: { teamId: string; modelId: string; initial: Record<CardKey, string> | null; onDone: () => void }) {
  const save = useMutation(UPDATE_MODEL_CARD);
  const fields = (save.error?.fields ?? {}) as Record<string, string>;
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const input = Object.fromEntries(CARD_FIELDS.map((f) => [f.key, String(data.get(f.key) ?? '')])) as Record<CardKey, string>;
    if (await save.run({ teamId, modelId, input })) onDone();
  };
  return (
    <form onSubmit={onSubmit} className="space-y-3" noValidate>
      {CARD_FIELDS.map((f) => (
        <div key={f.key}>
          <label htmlFor={`${modelId}-${f.key}`} className="block text-sm font-medium text-slate-800">
            {f.label}
          </label>
          <p id={`${modelId}-${f.key}-hint`} className="text-xs text-slate-600">
            {f.hint}
          </p>
          <textarea
            id={`${modelId}-${f.key}`}
            name={f.key}
            defaultValue={initial?.[f.key] ?? ''}
            rows={3}
            aria-describedby={`${modelId}-${f.key}-hint`}
            aria-invalid={fields[`input.${f.key}`] || fields[f.key] ? true : undefined}
            className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
          <p className="min-h-4 text-xs font-medium text-red-700" aria-live="polite">
            {fields[`input.${f.key}`] ?? fields[f.key] ?? ''}
          </p>
        </div>
      ))}
      {save.error && !Object.keys(fields).length ? <Alert tone="error">{userMessage(save.error)}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" loading={save.pending}>
          Save revision
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
