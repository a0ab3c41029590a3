import { z } from 'zod';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeTeam } from '../auth/permissions.ts';
import { verifyChain } from './audit.service.ts';

const pageSchema = z.object({
  afterSeq: z.number().int().min(0).nullish(),
  limit: z.number().int().min(1).max(500).nullish(),
  action: z.string().max(100).nullish(),
});

export const auditResolvers: Resolvers = {
  Query: {
    auditEvents: async (_p, { teamId, ...rest }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      const args = pageSchema.parse(rest);
      const limit = args.limit ?? 50;
      const events = await ctx.db.auditEvent.findMany({
        where: { chain: teamId, seq: { gt: args.afterSeq ?? 0 }, ...(args.action ? { action: args.action } : {}) },
        orderBy: { seq: 'asc' },
        take: limit + 1,
      });
      const page = events.slice(0, limit);
      return { events: page, nextSeq: events.length > limit ? page[page.length - 1]!.seq : null };
    },
    verifyAuditChain: async (_p, { teamId }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      return verifyChain(ctx.db, teamId);
    },
  },
};
