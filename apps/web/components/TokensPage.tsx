'use client';

import { useState } from 'react';
import type { FormEvent } from 'react';
import type { ApiTokensQuery } from '../lib/__generated__/graphql.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { allFieldsShown, fieldError, formString } from '../lib/form.ts';
import { formatDate, formatDateTime, tokenState } from '../lib/format.ts';
import type { TokenState } from '../lib/format.ts';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '../lib/operations/auth.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Badge } from './Badge.tsx';
import { Button } from './Button.tsx';
import { Card, PageHeader } from './Card.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { SecretValue } from './CopyButton.tsx';
import { SelectField, TextField } from './Field.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';
import { useViewer } from './ViewerContext.tsx';

type Token = ApiTokensQuery['apiTokens']['nodes'][number];

/** Expiry choices offered in the form; the API accepts 1–365 days or none (auth.graphql). */
const EXPIRY_CHOICES = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: '7', label: '7 days' },
  { value: '', label: 'Never' },
];

/** Scopes offered in the form (docs/permissions.md#api-tokens); READ is the API's default. */
const SCOPE_CHOICES = [
  { value: 'READ', label: 'Read only', hint: 'queries' },
  { value: 'WRITE', label: 'Read and write', hint: 'not tokens or team administration' },
  { value: 'ADMIN', label: 'Admin', hint: 'also tokens and team administration' },
] as const;
const SCOPE_LABEL: Record<string, string> = Object.fromEntries(SCOPE_CHOICES.map((c) => [c.value, c.label]));

const STATE_BADGE: Record<TokenState, { label: string; tone: 'green' | 'neutral' | 'red' }> = {
  active: { label: 'Active', tone: 'green' },
  revoked: { label: 'Revoked', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'red' },
};

function TokensSkeleton() {
  return (
    <LoadingRegion label="Loading API tokens">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-7 w-40" />
        <Skeleton className="h-4 w-96" />
      </div>
      <div className="space-y-6">
        <Skeleton className="h-44 w-full" />
        <Skeleton className="h-56 w-full" />
      </div>
    </LoadingRegion>
  );
}

/** `/settings/tokens`: create (secret shown once), list and revoke personal API tokens. */
export function TokensPage() {
  return (
    <AppShell skeleton={<TokensSkeleton />}>
      <Tokens />
    </AppShell>
  );
}

function Tokens() {
  const { memberships } = useViewer();
  const list = useQuery(API_TOKENS, {});
  const create = useMutation(CREATE_API_TOKEN);
  const revoke = useMutation(REVOKE_API_TOKEN);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const teamName = (id: string | null) => (id ? (memberships.find((m) => m.team.id === id)?.team.name ?? 'A team you left') : 'All your teams');

  async function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const teamId = formString(form, 'teamId');
    const days = formString(form, 'expiresInDays');
    const scope = formString(form, 'scope') as (typeof SCOPE_CHOICES)[number]['value'];
    const res = await create.run({
      input: {
        name: formString(form, 'name'),
        scope,
        ...(teamId ? { teamId } : {}),
        ...(days ? { expiresInDays: Number(days) } : {}),
      },
    });
    if (!res) return;
    setSecret({ name: res.createApiToken.apiToken.name, token: res.createApiToken.token });
    list.setData((prev) => (prev ? { apiTokens: { ...prev.apiTokens, nodes: [res.createApiToken.apiToken, ...prev.apiTokens.nodes] } } : prev));
    formEl.reset();
  }

  async function onRevoke() {
    if (!revoking) return;
    const res = await revoke.run({ id: revoking.id });
    if (!res) return;
    list.setData((prev) =>
      prev
        ? {
            apiTokens: {
              ...prev.apiTokens,
              nodes: prev.apiTokens.nodes.map((t) =>
                t.id === res.revokeApiToken.id ? { ...t, revokedAt: res.revokeApiToken.revokedAt ?? new Date().toISOString() } : t,
              ),
            },
          }
        : prev,
    );
    setRevoking(null);
  }

  const err = create.error;
  const fields = ['name', 'teamId', 'scope', 'expiresInDays'];

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let scripts and the command line call the F-EP Studio API as you. Treat them like passwords."
      />
      <div className="space-y-6">
        <Card id="create-token" title="Create a token">
          <form onSubmit={onCreate} className="grid grid-cols-1 items-start gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_12rem_13rem_9rem_auto]" data-testid="create-token-form">
            <TextField label="Name" name="name" required maxLength={80} placeholder="e.g. nightly evaluation" error={fieldError(err, 'name')} data-testid="token-name-input" />
            <SelectField label="Team access" name="teamId" defaultValue="" error={fieldError(err, 'teamId')}>
              <option value="">All your teams</option>
              {memberships.map((m) => (
                <option key={m.team.id} value={m.team.id}>
                  Only {m.team.name}
                </option>
              ))}
            </SelectField>
            <SelectField label="Permissions" name="scope" defaultValue="READ" error={fieldError(err, 'scope')} data-testid="token-scope-select">
              {SCOPE_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label} ({c.hint})
                </option>
              ))}
            </SelectField>
            <SelectField label="Expires after" name="expiresInDays" defaultValue="90" error={fieldError(err, 'expiresInDays')}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.label} value={c.value}>
                  {c.label}
                </option>
              ))}
            </SelectField>
            <Button type="submit" loading={create.pending} className="lg:mt-6.5" data-testid="create-token-submit">
              Create token
            </Button>
          </form>
          {err && !(err.code === 'BAD_USER_INPUT' && allFieldsShown(err, fields)) ? (
            <Alert tone={err.code === 'RATE_LIMITED' ? 'warning' : 'error'}>{userMessage(err)}</Alert>
          ) : null}
          {secret ? (
            <div className="mt-2 space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-4" role="status" data-testid="token-secret-panel">
              <p className="text-sm font-medium text-emerald-900">Token “{secret.name}” created.</p>
              <p className="text-sm text-emerald-900">
                Copy it now: this is the only time it is shown. If you lose it, revoke it and create a new one.
              </p>
              <SecretValue value={secret.token} label={`Secret of token ${secret.name}`} testId="token-secret" />
              <div className="text-right">
                <Button variant="ghost" size="sm" onClick={() => setSecret(null)}>
                  I have copied it
                </Button>
              </div>
            </div>
          ) : null}
        </Card>

        <Card id="tokens" title="Your tokens">
          {list.error ? (
            <Alert tone="error" title="We could not load your tokens" action={<Button variant="secondary" size="sm" onClick={() => void list.reload()}>Try again</Button>}>
              {userMessage(list.error)}
            </Alert>
          ) : !list.data ? (
            <LoadingRegion label="Loading tokens">
              <div className="space-y-2">
                <Skeleton className="h-10 w-full" />
                <Skeleton className="h-10 w-full" />
                <Skeleton className="h-10 w-full" />
              </div>
            </LoadingRegion>
          ) : list.data.apiTokens.nodes.length === 0 ? (
            <p className="py-4 text-sm text-slate-600" data-testid="no-tokens">
              You have no API tokens. Create one above when a script needs to reach the API.
            </p>
          ) : (
            // On a narrow screen the table scrolls in its own box, not the page.
            <div className="relative overflow-x-auto">
            <table className="w-full min-w-[40rem] table-fixed text-left text-sm" data-testid="tokens-table">
              <caption className="sr-only">Your API tokens</caption>
              <thead className="text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="w-1/5 pb-2 font-medium">Name</th>
                  <th scope="col" className="w-44 pb-2 font-medium">Starts with</th>
                  <th scope="col" className="pb-2 font-medium">Access</th>
                  <th scope="col" className="w-32 pb-2 font-medium">Created</th>
                  <th scope="col" className="w-40 pb-2 font-medium">Last used</th>
                  <th scope="col" className="w-32 pb-2 font-medium">Expires</th>
                  <th scope="col" className="w-24 pb-2 font-medium">Status</th>
                  <th scope="col" className="w-24 pb-2 font-medium"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {list.data.apiTokens.nodes.map((t) => {
                  const state = tokenState(t);
                  return (
                    <tr key={t.id} data-testid="token-row">
                      <td className="truncate py-3 pr-3 font-medium text-slate-900" title={t.name}>{t.name}</td>
                      <td className="truncate py-3 pr-3 font-mono text-xs text-slate-700" title={t.prefix}>{t.prefix}…</td>
                      <td className="truncate py-3 pr-3 text-slate-700" title={`${teamName(t.teamId)} · ${SCOPE_LABEL[t.scope] ?? t.scope}`}>
                        {teamName(t.teamId)} · {SCOPE_LABEL[t.scope] ?? t.scope}
                      </td>
                      <td className="py-3 pr-3 text-slate-600">{formatDate(t.createdAt)}</td>
                      <td className="py-3 pr-3 text-slate-600">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</td>
                      <td className="py-3 pr-3 text-slate-600">{t.expiresAt ? formatDate(t.expiresAt) : 'Never'}</td>
                      <td className="py-3 pr-3">
                        <Badge tone={STATE_BADGE[state].tone}>{STATE_BADGE[state].label}</Badge>
                      </td>
                      <td className="py-3 text-right">
                        {state === 'active' ? (
                          <Button variant="danger" size="sm" onClick={() => { revoke.reset(); setRevoking(t); }} aria-label={`Revoke token ${t.name}`}>
                            Revoke
                          </Button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            </div>
          )}
        </Card>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke token?"
        confirmLabel="Revoke"
        pending={revoke.pending}
        error={revoke.error}
        onConfirm={() => void onRevoke()}
        onClose={() => setRevoking(null)}
        testId="revoke-token-dialog"
      >
        {revoking ? `Anything using “${revoking.name}” (${revoking.prefix}…) stops working at once. This cannot be undone.` : ''}
      </ConfirmDialog>
    </>
  );
}
