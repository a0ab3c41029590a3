import { badInput } from '@fep/shared';

/**
 * Cursor pagination for every list of rows in the API: `field(first: Int, after: String)` returns
 * `XConnection { nodes: [X!]!, pageInfo: PageInfo! }`. Pages are keyset pages over a stable order
 * (createdAt, then id as the tie-break), so a row inserted while a client pages never shifts the
 * pages it has not read yet. Cursors are opaque base64url JSON of the last row's sort key.
 */

/** Rows a page holds when `first` is absent. */
export const DEFAULT_PAGE_SIZE = 50;
/** Most rows one page may hold; the query cost model (server/query-limits.ts) counts a list by it. */
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

export type Direction = 'asc' | 'desc';

/** The page size `first` asks for: 1..MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when absent. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, { fields: { first: `Use 1 to ${MAX_PAGE_SIZE}.` } });
  }
  return first;
}

type Key = (string | number)[];


export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor with `length` key parts; anything else is BAD_USER_INPUT. */
export function decodeCursor(cursor: string, length: number): Key {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    // fall through
  }
  throw badInput('Invalid cursor.', { fields: { after: 'Pass a pageInfo.endCursor from an earlier page.' } });
}

/** One column of a page's order; `date` columns travel in cursors as epoch milliseconds. */
export interface SortKey {
  field: string;
  direction: Direction;
  date?: boolean;
}

/** (createdAt, id): the order of most lists. */
export const byCreatedAt = (direction: Direction): SortKey[] => [
  { field: 'createdAt', direction, date: true },
  { field: 'id', direction },
];

type PrismaPage = { where: Record<string, unknown>; orderBy: Record<string, Direction>[]; take: number };

/**
 * Prisma `where`/`orderBy`/`take` for the page after `args.after` in the order `keys` (the last
 * key must be unique, e.g. id). Combine `where` with the list's own filter: `{ AND: [filter, where] }`.
 */
export function keysetPage(args: PageArgs, keys: SortKey[]): PrismaPage & { size: number } {
  const size = pageSize(args.first);
  let where: Record<string, unknown> = {};
  if (args.after) {
    const raw = decodeCursor(args.after, keys.length);
    const values = keys.map((k, i) => {
      const v = raw[i]!;
      if (k.date) {
        if (typeof v !== 'number') throw badInput('Invalid cursor.', { fields: { after: 'Invalid cursor.' } });
        return new Date(v);
      }
      return v;
    });
    // (k1 > v1) OR (k1 = v1 AND k2 > v2) OR … — "after" in the page order, per column direction.
    where = {
      OR: keys.map((k, i) => ({
        ...Object.fromEntries(keys.slice(0, i).map((p, j) => [p.field, values[j]])),
        [k.field]: { [k.direction === 'asc' ? 'gt' : 'lt']: values[i] },
      })),
    };
  }
  return { size, where, orderBy: keys.map((k) => ({ [k.field]: k.direction })), take: size + 1 };
}

/** Turns `size + 1` fetched rows into a connection (the extra row only says there is a next page). */
export function connection<T>(rows: T[], size: number, keys: SortKey[], keyOf: (row: T) => Record<string, unknown> = (r) => r as Record<string, unknown>): Connection<T> {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  const cursor = (row: T) => {
    const rec = keyOf(row);
    return encodeCursor(keys.map((k) => (k.date ? (rec[k.field] as Date).getTime() : (rec[k.field] as string | number))));
  };
  return { nodes, pageInfo: { hasNextPage: rows.length > size, endCursor: last === undefined ? null : cursor(last) } };
}

/**
 * One page in the order `keys`: `fetch` runs the query with the page's where/orderBy/take.
 * `keyOf` picks the row whose columns the keys name (default: the row itself).
 */
export async function page<T>(
  args: PageArgs,
  keys: SortKey[],
  fetch: (page: PrismaPage) => Promise<T[]>,
  keyOf?: (row: T) => Record<string, unknown>,
): Promise<Connection<T>> {
  const p = keysetPage(args, keys);
  const rows = await fetch({ where: p.where, orderBy: p.orderBy, take: p.take });
  return connection(rows, p.size, keys, keyOf);
}

/** The same connection with each node mapped (e.g. memberships → their teams). */
export function mapNodes<T, U>(conn: Connection<T>, fn: (node: T) => U): Connection<U> {
  return { nodes: conn.nodes.map(fn), pageInfo: conn.pageInfo };
}

/**
 * A page of a list that is already in memory in a stable order (computed summaries, lists kept in a
 * row's JSON): the cursor is the position after the last item returned.
 */
export function pageArray<T>(items: readonly T[], args: PageArgs): Connection<T> {
  const size = pageSize(args.first);
  let start = 0;
  if (args.after) {
    const [pos] = decodeCursor(args.after, 1);
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0) throw badInput('Invalid cursor.', { fields: { after: 'Invalid cursor.' } });
    start = pos;
  }
  const nodes = items.slice(start, start + size);
  const end = start + nodes.length;
  return { nodes, pageInfo: { hasNextPage: end < items.length, endCursor: nodes.length ? encodeCursor([end]) : null } };
}

/**
 * One page of a list the caller may sort several ways: the cursor carries the sort's name before
 * the row's key, so a cursor read under one order is refused under another (BAD_USER_INPUT on
 * `after`) instead of silently skipping or repeating rows.
 */
export async function sortedPage<T>(
  args: PageArgs,
  sort: string,
  keys: SortKey[],
  fetch: (page: PrismaPage) => Promise<T[]>,
  keyOf?: (row: T) => Record<string, unknown>,
): Promise<Connection<T>> {
  let after: string | null = null;
  if (args.after) {
    const [tag, ...key] = decodeCursor(args.after, keys.length + 1);
    if (tag !== sort) throw badInput('This cursor belongs to another sort order.', { fields: { after: 'Start again from the first page after changing the sort.' } });
    keys.forEach((k, i) => {
      if (k.date && typeof key[i] !== 'number') {
        throw badInput('Invalid cursor.', { fields: { after: 'Invalid cursor.' } });
      }
    });
    after = encodeCursor(key);
  }
  const conn = await page({ first: args.first, after }, keys, fetch, keyOf);
  const end = conn.pageInfo.endCursor;
  return { nodes: conn.nodes, pageInfo: { ...conn.pageInfo, endCursor: end === null ? null : encodeCursor([sort, ...decodeCursor(end, keys.length)]) } };
}
