'use client';

import { useEffect, useId, useMemo, useState } from 'react';
import { explanationLabels } from '@fep/shared/methods';
import type { ExplanationFilter, ExplanationPickerQuery, ExplanationStatus, ListSort } from '../lib/__generated__/graphql.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { METHODS, methodLabel } from '../lib/methods.ts';
import { SORT_OPTIONS } from '../lib/list-params.ts';
import { EXPLANATION_PICKER } from '../lib/operations/lists.ts';
import { usePagedList } from '../lib/use-paged-list.ts';
import { Alert } from './Alert.tsx';
import { LoadMore } from './ListControls.tsx';
import { Skeleton } from './Skeleton.tsx';

type Row = ExplanationPickerQuery['explanations']['nodes'][number];
const pick = (d: ExplanationPickerQuery) => d.explanations;

const CONTROL =
  'block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-sm placeholder:text-slate-500 focus:outline-2 focus:outline-offset-0 focus:outline-indigo-600';

/**
 * Chooses explanations of the team (live reviews, study builder): searched, filtered by method and
 * status, sorted and paged by the API, each named by `explanationLabels` with its video's title, so
 * two runs of one method on one clip read differently. Ticked ones stay ticked while the filter changes.
 */
export function ExplanationPicker({
  teamId,
  selected,
  onToggle,
  statuses,
  testId,
}: {
  teamId: string;
  selected: readonly string[];
  onToggle: (id: string) => void;
  /** Only explanations in these states are offered (default: all). */
  statuses?: readonly ExplanationStatus[];
  testId: string;
}) {
  const id = useId();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [method, setMethod] = useState('');
  const [status, setStatus] = useState<ExplanationStatus | ''>(statuses?.length === 1 ? statuses[0]! : '');
  const [sort, setSort] = useState<ListSort>('NEWEST');
  useEffect(() => {
    const t = setTimeout(() => setSearch(q.trim()), 300);
    return () => clearTimeout(t);
  }, [q]);
  const filter: ExplanationFilter = { ...(search ? { search } : {}), ...(method ? { method } : {}), ...(status ? { status } : {}) };
  const list = usePagedList(EXPLANATION_PICKER, { teamId, filter, sort }, pick);
  const rows = list.nodes.filter((x: Row) => !statuses || statuses.includes(x.status));
  const labels = useMemo(() => explanationLabels(rows), [rows]);

  return (
    <fieldset className="space-y-3 rounded-md border border-slate-200 p-3" data-testid={testId}>
      <legend className="px-1 text-sm font-medium text-slate-800">
        Explanations <span className="font-normal text-slate-600">({selected.length} selected)</span>
      </legend>
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-48 flex-[2_1_14rem]">
          <label htmlFor={`${id}-q`} className="mb-1 block text-xs font-medium text-slate-700">
            Search explanations
          </label>
          <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Video, method or model…" maxLength={200} className={CONTROL} data-testid={`${testId}-search`} />
        </div>
        <div className="min-w-36 flex-[1_1_9rem]">
          <label htmlFor={`${id}-method`} className="mb-1 block text-xs font-medium text-slate-700">
            Method
          </label>
          <select id={`${id}-method`} value={method} onChange={(e) => setMethod(e.target.value)} className={`${CONTROL} pr-8`} data-testid={`${testId}-method`}>
            <option value="">Any method</option>
            {METHODS.map((m) => (
              <option key={m.name} value={m.name}>
                {methodLabel(m.name)}
              </option>
            ))}
          </select>
        </div>
        {!statuses || statuses.length > 1 ? (
          <div className="min-w-36 flex-[1_1_9rem]">
            <label htmlFor={`${id}-status`} className="mb-1 block text-xs font-medium text-slate-700">
              Status
            </label>
            <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as ExplanationStatus | '')} className={`${CONTROL} pr-8`} data-testid={`${testId}-status`}>
              <option value="">Any status</option>
              {(statuses ?? ['DONE', 'RUNNING', 'QUEUED', 'FAILED', 'CANCELLED']).map((s) => (
                <option key={s} value={s}>
                  {s.toLowerCase()}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="min-w-36 flex-[1_1_9rem]">
          <label htmlFor={`${id}-sort`} className="mb-1 block text-xs font-medium text-slate-700">
            Sort explanations
          </label>
          <select id={`${id}-sort`} value={sort} onChange={(e) => setSort(e.target.value as ListSort)} className={`${CONTROL} pr-8`} data-testid={`${testId}-sort`}>
            {SORT_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.value === 'NAME' ? 'Method (A–Z)' : o.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {list.error ? (
        <Alert tone="error">{userMessage(list.error)}</Alert>
      ) : !list.data ? (
        <Skeleton className="h-16 w-full" />
      ) : rows.length === 0 ? (
        <p className="text-sm text-slate-600">No explanations match.</p>
      ) : (
        <ul className="grid gap-1 md:grid-cols-2" data-testid={`${testId}-options`}>
          {rows.map((x) => (
            <li key={x.id}>
              <label className="flex items-start gap-2 text-sm" data-testid={`${testId}-option`}>
                <input type="checkbox" className="mt-1" checked={selected.includes(x.id)} onChange={() => onToggle(x.id)} />
                <span>
                  <span className="font-medium text-slate-900">{x.video.title}</span> · {labels.get(x.id)}{' '}
                  <span className="text-slate-600">({x.status.toLowerCase()})</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <LoadMore list={list} what="explanations" testId={`${testId}-load-more`} />
    </fieldset>
  );
}
