import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeTeam } from '../auth/permissions.ts';
import { assertTeamLimit } from '../common/rate-limit.ts';
import { listAuditEvents, verifyChain } from './audit.service.ts';

export const auditResolvers: Resolvers = {
  Query: {
    auditEvents: async (_p, { teamId, first, after, ...filter }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      return listAuditEvents(ctx, teamId, filter, { first, after });
    },
    verifyAuditChain: async (_p, { teamId }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      await assertTeamLimit(ctx.redis, 'verifyAuditChain', teamId);
      return verifyChain(ctx.db, teamId);
    },
  },
  AuditEvent: {
    actor: (e, _a, ctx) => (e.actorId ? ctx.db.user.findUnique({ where: { id: e.actorId } }) : null),
  },
};
