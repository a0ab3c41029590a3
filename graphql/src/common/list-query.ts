import { badInput } from '@fep/shared';
import type { SortKey } from './pagination.ts';

/**
 * Search, filters and sort shared by the team lists (videos, explanations, studies, review
 * sessions, models). Every value is checked here, before a query runs: a bad one is
 * BAD_USER_INPUT naming its field (`filter.since`, `sort`), never a database error.
 */

export const LIST_SORTS = ['NEWEST', 'OLDEST', 'NAME'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/** Longest search text accepted (a name is at most 200 characters). */
export const MAX_SEARCH_LENGTH = 200;

/** The filter fields every list has; lists add their own (status, method, model, …). */
export interface CommonFilter {
  search?: string | null;
  authorId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

export interface CheckedCommonFilter {
  search: string | null;
  authorId: string | null;
  since: Date | null;
  until: Date | null;
}

/** The sort a list runs in: NEWEST when absent; anything else than LIST_SORTS is BAD_USER_INPUT on `sort`. */
export function checkSort(sort: string | null | undefined): ListSort {
  if (sort === null || sort === undefined) return 'NEWEST';
  if (!(LIST_SORTS as readonly string[]).includes(sort)) {
    throw badInput(`Unknown sort "${String(sort).slice(0, 40)}".`, { fields: { sort: `Use one of ${LIST_SORTS.join(', ')}.` } });
  }
  return sort as ListSort;
}

const isDate = (d: unknown): d is Date => d instanceof Date && Number.isFinite(d.getTime());

/** Trims the search (empty → none) and checks its length, the dates and their order. */
export function checkCommonFilter(filter: CommonFilter | null | undefined): CheckedCommonFilter {
  const f = filter ?? {};
  const search = typeof f.search === 'string' ? f.search.trim() : null;
  if (f.search !== null && f.search !== undefined && typeof f.search !== 'string') {
    throw badInput('The search must be text.', { fields: { 'filter.search': 'Type a few letters of the name.' } });
  }
  if (search && search.length > MAX_SEARCH_LENGTH) {
    throw badInput(`The search is longer than ${MAX_SEARCH_LENGTH} characters.`, { fields: { 'filter.search': `Use at most ${MAX_SEARCH_LENGTH} characters.` } });
  }
  for (const key of ['since', 'until'] as const) {
    const v = f[key];
    if (v !== null && v !== undefined && !isDate(v)) throw badInput(`filter.${key} is not a date.`, { fields: { [`filter.${key}`]: 'Use an ISO-8601 date.' } });
  }
  if (f.since && f.until && f.since.getTime() > f.until.getTime()) {
    throw badInput('The date range ends before it starts.', { fields: { 'filter.until': 'Pick an end on or after the start.' } });
  }
  const authorId = typeof f.authorId === 'string' && f.authorId.trim() ? f.authorId.trim() : null;
  return { search: search || null, authorId, since: f.since ?? null, until: f.until ?? null };
}

/** An enum filter value: one of `allowed`, or BAD_USER_INPUT on `filter.<field>`. */
export function checkEnum<T extends string>(field: string, value: string | null | undefined, allowed: readonly T[]): T | null {
  if (value === null || value === undefined) return null;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badInput(`Unknown ${field} "${String(value).slice(0, 40)}".`, { fields: { [`filter.${field}`]: `Use one of ${allowed.join(', ')}.` } });
  }
  return value as T;
}

/**
 * Case-insensitive substring match on one text column. Prisma passes `contains` to LIKE as is, so
 * LIKE's wildcards and its escape character are escaped: "100%" finds "100%", not every title.
 */
export const contains = (search: string) => ({ contains: search.replace(/[\\%_]/g, (c) => `\\${c}`), mode: 'insensitive' as const });

/** `{ gte: since, lte: until }` on a date column, both inclusive; undefined when neither is set. */
export function dateRange(f: CheckedCommonFilter): { gte?: Date; lte?: Date } | undefined {
  if (!f.since && !f.until) return undefined;
  return { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lte: f.until } : {}) };
}

/**
 * The page order of a sort: by date (newest or oldest first) or by name (A→Z), each with the id
 * as the unique tie-break, so a cursor walk never repeats or skips a row.
 */
export function sortKeys(sort: ListSort, columns: { date?: string; name: string }): SortKey[] {
  const date = columns.date ?? 'createdAt';
  switch (sort) {
    case 'NEWEST':
      return [{ field: date, direction: 'desc', date: true }, { field: 'id', direction: 'desc' }];
    case 'OLDEST':
      return [{ field: date, direction: 'asc', date: true }, { field: 'id', direction: 'asc' }];
    case 'NAME':
      return [{ field: columns.name, direction: 'asc' }, { field: 'id', direction: 'asc' }];
  }
}

/** Drops undefined entries so a `where` holds only the filters that are set. */
export function compact<T extends Record<string, unknown>>(where: T): Partial<T> {
  return Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)) as Partial<T>;
}
