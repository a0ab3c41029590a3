'use client';

import { useEffect, useId, useRef, useState } from 'react';
import type { ListParamKey, ListParams } from '../lib/list-params.ts';
import { SORT_OPTIONS } from '../lib/list-params.ts';
import { Button } from './Button.tsx';
import type { PagedList } from '../lib/use-paged-list.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { TEAM_PEOPLE } from '../lib/operations/lists.ts';
import { useQuery } from '../lib/use-api.ts';

export interface FilterSelect {
  param: ListParamKey;
  label: string;
  /** The "no filter" option's text, e.g. "Any status". */
  any: string;
  options: { value: string; label: string }[];
}

const CONTROL =
  'block h-10 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-sm placeholder:text-slate-500 focus:outline-2 focus:outline-offset-0 focus:outline-indigo-600';

/**
 * Search box, filter selects, a date range and the sort of one list, bound to the page's query
 * string (lib/list-params.ts). The search applies a moment after typing stops.
 */
export function ListControls({
  label,
  params,
  onChange,
  searchPlaceholder,
  selects = [],
  dates = true,
  dateLabel = 'Created',
  sortLabels,
  testId,
}: {
  /** What the controls narrow, e.g. "videos" (labels read "Search videos", "Sort videos"). */
  label: string;
  params: ListParams;
  onChange: (next: Partial<ListParams>) => void;
  searchPlaceholder?: string;
  selects?: FilterSelect[];
  dates?: boolean;
  dateLabel?: string;
  /** Overrides of the sort options' labels (e.g. NAME: "Title (A–Z)"). */
  sortLabels?: Partial<Record<string, string>>;
  testId: string;
}) {
  const id = useId();
  const [q, setQ] = useState(params.q);
  const applied = useRef(params.q);
  // The URL changed from outside (back button, a shared link): show its search.
  useEffect(() => {
    if (params.q !== applied.current) {
      applied.current = params.q;
      setQ(params.q);
    }
  }, [params.q]);
  useEffect(() => {
    if (q === applied.current) return;
    const t = setTimeout(() => {
      applied.current = q;
      onChange({ q });
    }, 300);
    return () => clearTimeout(t);
  }, [q, onChange]);

  const active = Boolean(params.q || params.from || params.to || selects.some((s) => params[s.param]));
  return (
    <form
      role="search"
      aria-label={`Filter ${label}`}
      data-testid={testId}
      className="mb-4 flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        applied.current = q;
        onChange({ q });
      }}
    >
      <div className="min-w-48 flex-[2_1_14rem]">
        <label htmlFor={`${id}-q`} className="mb-1 block text-xs font-medium text-slate-700">
          Search {label}
        </label>
        <input
          id={`${id}-q`}
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={searchPlaceholder ?? 'Name contains…'}
          maxLength={200}
          className={CONTROL}
          data-testid={`${testId}-search`}
        />
      </div>
      {selects.map((s) => (
        <div key={s.param} className="min-w-36 flex-[1_1_9rem]">
          <label htmlFor={`${id}-${s.param}`} className="mb-1 block text-xs font-medium text-slate-700">
            {s.label}
          </label>
          <select
            id={`${id}-${s.param}`}
            value={params[s.param]}
            onChange={(e) => onChange({ [s.param]: e.target.value })}
            className={`${CONTROL} pr-8`}
            data-testid={`${testId}-${s.param}`}
          >
            <option value="">{s.any}</option>
            {s.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      {dates ? (
        <>
          <div className="min-w-36 flex-[1_1_9rem]">
            <label htmlFor={`${id}-from`} className="mb-1 block text-xs font-medium text-slate-700">
              {dateLabel} from
            </label>
            <input id={`${id}-from`} type="date" value={params.from} onChange={(e) => onChange({ from: e.target.value })} className={CONTROL} data-testid={`${testId}-from`} />
          </div>
          <div className="min-w-36 flex-[1_1_9rem]">
            <label htmlFor={`${id}-to`} className="mb-1 block text-xs font-medium text-slate-700">
              {dateLabel} until
            </label>
            <input id={`${id}-to`} type="date" value={params.to} min={params.from || undefined} onChange={(e) => onChange({ to: e.target.value })} className={CONTROL} data-testid={`${testId}-to`} />
          </div>
        </>
      ) : null}
      <div className="min-w-36 flex-[1_1_9rem]">
        <label htmlFor={`${id}-sort`} className="mb-1 block text-xs font-medium text-slate-700">
          Sort {label}
        </label>
        <select id={`${id}-sort`} value={params.sort || 'NEWEST'} onChange={(e) => onChange({ sort: e.target.value === 'NEWEST' ? '' : e.target.value })} className={`${CONTROL} pr-8`} data-testid={`${testId}-sort`}>
          {SORT_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {sortLabels?.[o.value] ?? o.label}
            </option>
          ))}
        </select>
      </div>
      {active ? (
        <Button
          variant="ghost"
          onClick={() => {
            applied.current = '';
            setQ('');
            onChange({ q: '', from: '', to: '', ...Object.fromEntries(selects.map((s) => [s.param, ''])) });
          }}
          data-testid={`${testId}-clear`}
        >
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}

/** "Load more" under a paged list, with what is shown and an error line when a page fails. */
export function LoadMore({ list, what, testId }: { list: Pick<PagedList<unknown, unknown>, 'nodes' | 'hasNextPage' | 'loadMore' | 'loadingMore' | 'moreError'>; what: string; testId: string }) {
  if (!list.hasNextPage && !list.moreError) {
    return list.nodes.length ? (
      <p className="mt-3 text-xs text-slate-600" data-testid={`${testId}-count`}>
        {list.nodes.length} {what}
      </p>
    ) : null;
  }
  return (
    <div className="mt-4 flex flex-wrap items-center gap-3">
      <Button variant="secondary" onClick={() => void list.loadMore()} loading={list.loadingMore} data-testid={testId}>
        Load more {what}
      </Button>
      <span className="text-xs text-slate-600" data-testid={`${testId}-count`}>
        Showing {list.nodes.length}; there are more.
      </span>
      {list.moreError ? (
        <span role="alert" className="text-xs font-medium text-red-700">
          {userMessage(list.moreError)}
        </span>
      ) : null}
    </div>
  );
}

/** The team's members as options of an author filter (who uploaded, requested, created, hosted). */
export function useAuthorOptions(teamId: string | null): { value: string; label: string }[] {
  const people = useQuery(TEAM_PEOPLE, teamId ? { id: teamId } : null);
  return (people.data?.team.members.nodes ?? [])
    .map((m) => ({ value: m.user.id, label: m.user.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
