'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import type { ListSort } from './__generated__/graphql.ts';

/**
 * A list's search, filters and sort kept in the page's query string (`?q=dog&status=READY&sort=NAME`),
 * so a filtered view can be shared and survives a reload. Other parameters (e.g. `team`) are kept.
 */
export const LIST_PARAM_KEYS = ['q', 'status', 'method', 'model', 'author', 'from', 'to', 'sort', 'design', 'format', 'action'] as const;
export type ListParamKey = (typeof LIST_PARAM_KEYS)[number];
export type ListParams = Record<ListParamKey, string>;

export const SORT_OPTIONS: { value: ListSort; label: string }[] = [
  { value: 'NEWEST', label: 'Newest first' },
  { value: 'OLDEST', label: 'Oldest first' },
  { value: 'NAME', label: 'Name (A–Z)' },
];

export function readListParams(search: URLSearchParams | { get(name: string): string | null }): ListParams {
  return Object.fromEntries(LIST_PARAM_KEYS.map((k) => [k, search.get(k) ?? ''])) as ListParams;
}

/** The query string after changing some list parameters (empty values are dropped). */
export function withListParams(current: string, next: Partial<ListParams>): string {
  const params = new URLSearchParams(current);
  for (const [k, v] of Object.entries(next)) {
    if (v) params.set(k, v);
    else params.delete(k);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function useListParams(): [ListParams, (next: Partial<ListParams>) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const values = useMemo(() => readListParams(search), [search]);
  const set = useCallback(
    (next: Partial<ListParams>) => {
      router.replace(`${pathname}${withListParams(search.toString(), next)}`, { scroll: false });
    },
    [router, pathname, search],
  );
  return [values, set];
}

/** A calendar day (yyyy-mm-dd, the viewer's time zone) as the first or last instant of that day. */
export function dayBound(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const at = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d, 0, 0, 0, 0);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

const SORTS: readonly string[] = SORT_OPTIONS.map((o) => o.value);

/**
 * The API's `filter` and `sort` for the URL's parameters: only the keys a list knows (`keys`),
 * enum values only when `allowed` lists them, so a hand-edited URL cannot make the query fail.
 */
export function listVariables<F extends Record<string, unknown>>(
  p: ListParams,
  fields: { [K in keyof F]?: { param: ListParamKey; allowed?: readonly string[] } },
): { filter: F; sort: ListSort } {
  const filter: Record<string, unknown> = {};
  if (p.q.trim()) filter.search = p.q.trim().slice(0, 200);
  for (const [field, spec] of Object.entries(fields) as [string, { param: ListParamKey; allowed?: readonly string[] }][]) {
    const v = p[spec.param];
    if (!v || (spec.allowed && !spec.allowed.includes(v))) continue;
    filter[field] = v;
  }
  const since = dayBound(p.from, false);
  const until = dayBound(p.to, true);
  if (since) filter.since = since;
  if (until && (!since || until >= since)) filter.until = until;
  return { filter: filter as F, sort: (SORTS.includes(p.sort) ? p.sort : 'NEWEST') as ListSort };
}
