import type { Prisma } from '@fep/db';
import { badInput, notFound } from '@fep/shared';
import { connection, decodeCursor, encodeCursor, keysetPage, pageSize, type PageArgs } from '../common/pagination.ts';
import { checkCommonFilter, checkSort, compact, contains, dateRange, sortKeys, type CommonFilter } from '../common/list-query.ts';
import type { ApiContext } from '../context.ts';

/** What the model list may be narrowed by (ModelFilter in the SDL). */
export interface ModelFilter extends CommonFilter {
  format?: string | null;
}

/** The Prisma `where` of a ModelFilter, checked first (BAD_USER_INPUT on `filter.<field>`). */
export function modelWhere(filter: ModelFilter | null | undefined): Prisma.ModelWhereInput {
  const common = checkCommonFilter(filter);
  const format = typeof filter?.format === 'string' && filter.format.trim() ? filter.format.trim() : null;
  if (format && format.length > 40) throw badInput('Unknown model format.', { fields: { 'filter.format': 'Use layers-model, graph-model or onnx.' } });
  return compact({
    format: format ?? undefined,
    createdById: common.authorId ?? undefined,
    createdAt: dateRange(common),
    OR: common.search ? [{ name: contains(common.search) }, { version: contains(common.search) }] : undefined,
  });
}

/**
 * Built-in models (teamId null) are visible to every team; others only to their own. Built-in
 * models first, then the team's own, each group in `sort` order. Prisma cannot compare booleans,
 * so the cursor carries the sort and the group it is in ([sort, builtin 1|0, …key]) and each group
 * is a keyset page over the sort's key.
 */
export async function listModels(ctx: ApiContext, teamId: string, args: PageArgs & { filter?: ModelFilter | null; sort?: string | null }) {
  const size = pageSize(args.first);
  const where = modelWhere(args.filter);
  const sort = checkSort(args.sort);
  const keys = sortKeys(sort, { name: 'name' });
  let segment: string | number = 1;
  let after: string | null = null;
  if (args.after) {
    const [tag, seg, ...key] = decodeCursor(args.after, keys.length + 2);
    if (tag !== sort) throw badInput('This cursor belongs to another sort order.', { fields: { after: 'Start again from the first page after changing the sort.' } });
    if (seg !== 0 && seg !== 1) throw badInput('Invalid cursor.', { fields: { after: 'Invalid cursor.' } });
    segment = seg;
    after = encodeCursor(key);
  }
  const fetch = async (builtin: boolean, cursor: string | null, take: number) => {
    const p = keysetPage({ first: size, after: cursor }, keys);
    const scope = builtin ? { builtin: true } : { teamId, builtin: false };
    return ctx.db.model.findMany({ where: { AND: [scope, where, p.where] }, orderBy: p.orderBy, take });
  };
  let rows = segment === 1 ? await fetch(true, after, size + 1) : [];
  if (rows.length <= size) rows = [...rows, ...(await fetch(false, segment === 1 ? null : after, size + 1 - rows.length))];
  const conn = connection(rows, size, keys);
  const last = conn.nodes[conn.nodes.length - 1];
  return {
    nodes: conn.nodes,
    pageInfo: { ...conn.pageInfo, endCursor: last ? encodeCursor([sort, last.builtin ? 1 : 0, ...decodeCursor(conn.pageInfo.endCursor!, keys.length)]) : null },
  };
}

export async function getModelForTeam(ctx: ApiContext, id: string, teamId: string) {
  const model = await ctx.db.model.findUnique({ where: { id } });
  if (!model || !(model.builtin || model.teamId === teamId)) throw notFound('Model');
  return model;
}
