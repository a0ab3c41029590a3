import { notFound } from '@fep/shared';
import type { ApiContext } from '../context.ts';

/** Built-in models (teamId null) are visible to every team; others only to their own. */
export function listModels(ctx: ApiContext, teamId: string) {
  return ctx.db.model.findMany({
    where: { OR: [{ teamId }, { builtin: true }] },
    orderBy: [{ builtin: 'desc' }, { createdAt: 'desc' }],
  });
}

export async function getModelForTeam(ctx: ApiContext, id: string, teamId: string) {
  const model = await ctx.db.model.findUnique({ where: { id } });
  if (!model || !(model.builtin || model.teamId === teamId)) throw notFound('Model');
  return model;
}
