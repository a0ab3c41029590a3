'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import type { AuditEventsQuery, AuditEventsQueryVariables, VerifyAuditChainQuery } from '../lib/__generated__/graphql.ts';
import { gqlRequest, isApiError, userMessage, type ApiError } from '../lib/graphql-client.ts';
import { formatDateTime } from '../lib/format.ts';
import { AUDIT_EVENTS, VERIFY_AUDIT_CHAIN } from '../lib/operations/governance.ts';
import { TEAM } from '../lib/operations/teams.ts';
import { can } from '../lib/roles.ts';
import { useQuery } from '../lib/use-api.ts';
import { dayBound, useListParams } from '../lib/list-params.ts';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Button, ButtonLink } from './Button.tsx';
import { Card, PageHeader } from './Card.tsx';
import { EmptyState } from './EmptyState.tsx';
import { SelectField, TextField } from './Field.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';

type AuditEvent = AuditEventsQuery['auditEvents']['nodes'][number];
type Filters = Pick<AuditEventsQueryVariables, 'action' | 'actorId' | 'since' | 'until'>;

const PAGE = 50;

function AuditSkeleton() {
  return (
    <LoadingRegion label="Loading the audit log">
      <div className="mb-6 min-h-10 space-y-2">
        <Skeleton className="h-7 w-56" />
        <Skeleton className="h-4 w-96" />
      </div>
      <div className="space-y-6">
        <Skeleton className="h-28 w-full" />
        <Skeleton className="h-96 w-full" />
      </div>
    </LoadingRegion>
  );
}

/** `/teams/[id]/audit`: the team's hash-chained audit log, filtered, paged, and its chain checked. */
export function AuditLogPage({ teamId }: { teamId: string }) {
  const router = useRouter();
  return (
    <AppShell teamHint={teamId} skeleton={<AuditSkeleton />} onTeamChange={(id) => router.push(`/teams/${encodeURIComponent(id)}/audit`)}>
      <AuditLog teamId={teamId} />
    </AppShell>
  );
}

function AuditLog({ teamId }: { teamId: string }) {
  const team = useQuery(TEAM, { id: teamId });
  // The filter lives in the URL (?action=&author=&from=&to=), so a filtered log can be shared.
  const [params, setParams] = useListParams();
  const filters = useMemo<Filters>(() => {
    const f: Filters = {};
    if (params.action.trim()) f.action = params.action.trim();
    if (params.author) f.actorId = params.author;
    const since = dayBound(params.from, false);
    const until = dayBound(params.to, true);
    if (since) f.since = since;
    if (until) f.until = until;
    return f;
  }, [params.action, params.author, params.from, params.to]);
  const setFilters = (next: { action?: string; author?: string; from?: string; to?: string }) =>
    setParams({ action: next.action ?? '', author: next.author ?? '', from: next.from ?? '', to: next.to ?? '' });
  const events = useQuery(AUDIT_EVENTS, { teamId, first: PAGE, ...filters });
  // Pages after the first, fetched with "Load more"; cleared when the filters change.
  const [more, setMore] = useState<{ key: string; nodes: AuditEvent[]; endCursor: string | null; hasNextPage: boolean } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<ApiError | null>(null);
  const key = JSON.stringify(filters);

  if (team.error || events.error) {
    const err = (team.error ?? events.error)!;
    if (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN')
      return (
        <EmptyState title="Audit log not available" action={<ButtonLink href={`/teams/${encodeURIComponent(teamId)}`}>Back to the team</ButtonLink>}>
          Owners, admins and auditors of a team read its audit log.
        </EmptyState>
      );
    return (
      <Alert tone="error" title="We could not load the audit log" action={<Button variant="secondary" size="sm" onClick={() => void Promise.all([team.reload(), events.reload()])}>Try again</Button>}>
        {userMessage(err)}
      </Alert>
    );
  }
  if (!team.data || !events.data) return <AuditSkeleton />;
  if (!can(team.data.team.viewerRole, 'audit.read'))
    return (
      <EmptyState title="Audit log not available" action={<ButtonLink href={`/teams/${encodeURIComponent(teamId)}`}>Back to the team</ButtonLink>}>
        Owners, admins and auditors of a team read its audit log.
      </EmptyState>
    );

  const extra = more?.key === key ? more : null;
  const nodes = [...events.data.auditEvents.nodes, ...(extra?.nodes ?? [])];
  const pageInfo = extra ?? events.data.auditEvents.pageInfo;
  const members = team.data.team.members.nodes;

  async function loadMore() {
    if (!pageInfo.endCursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const res = await gqlRequest(AUDIT_EVENTS, { teamId, first: PAGE, after: pageInfo.endCursor, ...filters });
      setMore({ key, nodes: [...(extra?.nodes ?? []), ...res.auditEvents.nodes], ...res.auditEvents.pageInfo });
    } catch (e) {
      setMoreError(isApiError(e) ? e : null);
    } finally {
      setLoadingMore(false);
    }
  }

  function onFilter(ev: FormEvent<HTMLFormElement>) {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    setFilters({ action: text('action'), author: text('actorId'), from: text('since'), to: text('until') });
  }

  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`${team.data.team.name} · every change to the team's data, in order, each event hashed with the one before it.`}
        actions={<ButtonLink href={`/teams/${encodeURIComponent(teamId)}`} variant="secondary">Team</ButtonLink>}
      />
      <div className="space-y-6">
        <VerifyChain teamId={teamId} />
        <Card title="Filter" id="audit-filter">
          <form key={`${params.action}|${params.author}|${params.from}|${params.to}`} onSubmit={onFilter} className="grid gap-x-4 sm:grid-cols-2 lg:grid-cols-[repeat(4,minmax(0,1fr))_auto]" data-testid="audit-filters">
            <TextField label="Action" name="action" defaultValue={params.action} placeholder="e.g. explanation." hint="Exact, or a prefix ending in a dot." list="audit-actions" data-testid="audit-filter-action" />
            <datalist id="audit-actions">
              {[...new Set(nodes.map((n) => n.action))].sort().map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <SelectField label="Person" name="actorId" defaultValue={params.author} data-testid="audit-filter-actor">
              <option value="">Anyone</option>
              {members.map((m) => (
                <option key={m.user.id} value={m.user.id}>
                  {m.user.name}
                </option>
              ))}
            </SelectField>
            <TextField label="From" name="since" type="date" defaultValue={params.from} data-testid="audit-filter-since" />
            <TextField label="To" name="until" type="date" defaultValue={params.to} data-testid="audit-filter-until" />
            <div className="flex items-start gap-2 pt-6.5">
              <Button type="submit" data-testid="audit-filter-apply">
                Apply
              </Button>
              {filtered ? (
                <Button
                  variant="ghost"
                  onClick={(ev) => {
                    ev.currentTarget.form?.reset();
                    setFilters({});
                  }}
                >
                  Clear
                </Button>
              ) : null}
            </div>
          </form>
        </Card>
        <Card title="Events" id="audit-events" description={events.loading ? 'Updating…' : `${nodes.length}${pageInfo.hasNextPage ? '+' : ''} event${nodes.length === 1 ? '' : 's'}${filtered ? ' match the filter' : ''}, oldest first.`}>
          {nodes.length === 0 ? (
            <p className="text-sm text-slate-700" data-testid="audit-empty">
              No event matches the filter.
            </p>
          ) : (
            <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Audit events">
              <table className="w-full min-w-[40rem] text-left text-sm" data-testid="audit-table">
                <thead className="text-xs uppercase tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="w-12 pb-2 font-medium">#</th>
                    <th scope="col" className="pb-2 font-medium">Time</th>
                    <th scope="col" className="pb-2 font-medium">Action</th>
                    <th scope="col" className="pb-2 font-medium">Subject</th>
                    <th scope="col" className="pb-2 font-medium">Person</th>
                    <th scope="col" className="pb-2 font-medium">Hash</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-200">
                  {nodes.map((n) => (
                    <tr key={n.id} data-testid="audit-row" data-action={n.action} data-seq={n.seq}>
                      <td className="py-2 pr-3 font-mono text-xs text-slate-700">{n.seq}</td>
                      <td className="py-2 pr-3 whitespace-nowrap text-slate-800">{formatDateTime(n.createdAt)}</td>
                      <td className="py-2 pr-3 font-mono text-xs text-slate-900">{n.action}</td>
                      <td className="py-2 pr-3 text-slate-800">
                        {n.subjectType}
                        {n.subjectId ? <span className="ml-1 font-mono text-xs text-slate-600">{n.subjectId.slice(0, 10)}…</span> : null}
                      </td>
                      <td className="py-2 pr-3 text-slate-900" data-testid="audit-actor">
                        {n.actor ? n.actor.name : <span className="text-slate-600">system</span>}
                      </td>
                      <td className="py-2 font-mono text-xs text-slate-600" title={n.hash}>
                        {n.hash.slice(0, 12)}…
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {moreError ? <Alert tone="error">{userMessage(moreError)}</Alert> : null}
          {pageInfo.hasNextPage ? (
            <div className="mt-4">
              <Button variant="secondary" loading={loadingMore} onClick={() => void loadMore()} data-testid="audit-load-more">
                Load more
              </Button>
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}

/** "Verify chain": recomputes every event's hash from its content and predecessor (verifyAuditChain). */
function VerifyChain({ teamId }: { teamId: string }) {
  const [result, setResult] = useState<VerifyAuditChainQuery['verifyAuditChain'] | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  async function verify() {
    setPending(true);
    setError(null);
    try {
      setResult((await gqlRequest(VERIFY_AUDIT_CHAIN, { teamId })).verifyAuditChain);
    } catch (e) {
      setError(isApiError(e) ? e : null);
      setResult(null);
    } finally {
      setPending(false);
    }
  }
  return (
    <Card title="Integrity" id="audit-integrity" description="Each event's hash covers its content and the previous event's hash, so an edit anywhere breaks the chain from there on.">
      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" loading={pending} onClick={() => void verify()} data-testid="verify-chain">
          Verify chain
        </Button>
        <p className="min-h-5 text-sm" role="status" data-testid="verify-chain-result">
          {result ? (
            result.ok ? (
              <span className="font-medium text-emerald-800">Chain intact: {result.checked} events verified.</span>
            ) : (
              <span className="font-medium text-red-800">
                Chain broken: event {result.firstBrokenEventId} does not match its content or predecessor ({result.checked} events before it verified).
              </span>
            )
          ) : null}
        </p>
      </div>
      {error ? <Alert tone="error">{userMessage(error)}</Alert> : null}
    </Card>
  );
}
