import { z } from 'zod';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeTeam } from '../auth/permissions.ts';
import { page } from '../common/pagination.ts';
import { assertTeamLimit } from '../common/rate-limit.ts';
import { verifyChain } from './audit.service.ts';

const actionSchema = z.string().max(100).nullish();

export const auditResolvers: Resolvers = {
  Query: {
    auditEvents: async (_p, { teamId, action, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      const filter = { chain: teamId, ...(actionSchema.parse(action) ? { action: action! } : {}) };
      // seq is unique within a team's chain, so it alone is a stable order.
      return page(args, [{ field: 'seq', direction: 'asc' }], (p) =>
        ctx.db.auditEvent.findMany({ where: { AND: [filter, p.where] }, orderBy: p.orderBy, take: p.take }),
      );
    },
    verifyAuditChain: async (_p, { teamId }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      await assertTeamLimit(ctx.redis, 'verifyAuditChain', teamId);
      return verifyChain(ctx.db, teamId);
    },
  },
};
