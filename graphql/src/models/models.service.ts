import { notFound } from '@fep/shared';
import { byCreatedAt, connection, decodeCursor, encodeCursor, keysetPage, pageSize, type PageArgs } from '../common/pagination.ts';
import type { ApiContext } from '../context.ts';

/** Built-in models (teamId null) are visible to every team; others only to their own. */
/**
 * Built-in models first, then the team's own, each newest first. Prisma cannot compare booleans,
 * so the cursor carries which segment it is in ([builtin 1|0, createdAt, id]) and each segment is
 * a keyset page over (createdAt, id).
 */
export async function listModels(ctx: ApiContext, teamId: string, args: PageArgs) {
  const size = pageSize(args.first);
  const keys = byCreatedAt('desc');
  const [segment, ms, id] = args.after ? decodeCursor(args.after, 3) : [1, null, null];
  const after = ms === null ? null : encodeCursor([ms, id!]);
  const fetch = async (builtin: boolean, cursor: string | null, take: number) => {
    const p = keysetPage({ first: size, after: cursor }, keys);
    const filter = builtin ? { builtin: true } : { teamId, builtin: false };
    return ctx.db.model.findMany({ where: { AND: [filter, p.where] }, orderBy: p.orderBy, take });
  };
  let rows = segment === 1 ? await fetch(true, after, size + 1) : [];
  if (rows.length <= size) rows = [...rows, ...(await fetch(false, segment === 1 ? null : after, size + 1 - rows.length))];
  const conn = connection(rows, size, keys);
  const last = conn.nodes[conn.nodes.length - 1];
  return {
    nodes: conn.nodes,
    pageInfo: { ...conn.pageInfo, endCursor: last ? encodeCursor([last.builtin ? 1 : 0, last.createdAt.getTime(), last.id]) : null },
  };
}

export async function getModelForTeam(ctx: ApiContext, id: string, teamId: string) {
  const model = await ctx.db.model.findUnique({ where: { id } });
  if (!model || !(model.builtin || model.teamId === teamId)) throw notFound('Model');
  return model;
}
