/**
 * The hash-chained audit log lives in @fep/db (prisma/src/audit-chain.ts) because the engine
 * appends events too; the API uses it through this module, and lists a team's events here.
 */
import { z } from 'zod';
import type { ApiContext } from '../context.ts';
import { page, type PageArgs } from '../common/pagination.ts';

export { appendAuditEvent, verifyChain, eventHash, GENESIS_HASH, GLOBAL_CHAIN, type AuditEntry } from '@fep/db';

export const auditFilterSchema = z
  .object({
    action: z.string().trim().max(100).nullish(),
    actorId: z.string().max(100).nullish(),
    since: z.date().nullish(),
    until: z.date().nullish(),
  })
  .refine((f) => !f.since || !f.until || f.since <= f.until, { message: 'since must not be after until.', path: ['since'] });

export type AuditFilter = z.input<typeof auditFilterSchema>;

/**
 * One page of a team's audit events, oldest first, filtered by action (exact, or a prefix ending
 * in "."), actor and time (inclusive bounds). seq is unique within a team's chain, so it alone is
 * a stable order for the cursor.
 */
export function listAuditEvents(ctx: ApiContext, teamId: string, raw: AuditFilter, args: PageArgs) {
  const f = auditFilterSchema.parse(raw);
  const where: Record<string, unknown>[] = [{ chain: teamId }];
  if (f.action) where.push({ action: f.action.endsWith('.') ? { startsWith: f.action } : f.action });
  if (f.actorId) where.push({ actorId: f.actorId });
  if (f.since || f.until) where.push({ createdAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lte: f.until } : {}) } });
  return page(args, [{ field: 'seq', direction: 'asc' }], (p) =>
    ctx.db.auditEvent.findMany({ where: { AND: [...where, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}
