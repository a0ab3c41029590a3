import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeObject, authorizeTeam } from '../auth/permissions.ts';
import { getExplanationTeam } from '../explanations/explanations.service.ts';
import { assertTeamLimit } from '../common/rate-limit.ts';
import { generateAuditReport } from './audit-report.service.ts';
import * as governance from './governance.service.ts';

export const governanceResolvers: Resolvers = {
  Query: {
    verifyExplanationProvenance: async (_p, { id }, ctx) => {
      await authorizeObject(ctx, 'Explanation', await getExplanationTeam(ctx, id), 'explanation.read');
      return governance.verifyProvenance(ctx, id);
    },
    modelCardHistory: async (_p, { teamId, modelId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'model.read');
      return governance.modelCardHistory(ctx, teamId, modelId, args);
    },
    auditReports: async (_p, { teamId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'audit.read');
      return governance.listAuditReports(ctx, teamId, args);
    },
  },
  Mutation: {
    reproduceExplanation: async (_p, { id }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Explanation', await getExplanationTeam(ctx, id), 'explanation.request');
      return governance.reproduceExplanation(ctx, caller, id);
    },
    updateModelCard: async (_p, { teamId, modelId, input }, ctx) => {
      const { caller } = await authorizeTeam(ctx, teamId, 'model.write');
      return governance.updateModelCard(ctx, caller, teamId, modelId, input);
    },
    generateAuditReport: async (_p, { teamId, modelId }, ctx) => {
      const { caller } = await authorizeTeam(ctx, teamId, 'report.generate');
      await assertTeamLimit(ctx.redis, 'generateAuditReport', teamId);
      return generateAuditReport(ctx, caller, teamId, modelId);
    },
  },
  Explanation: {
    reproductions: (e, args, ctx) => governance.listReproductions(ctx, e.id, args),
    reproduces: (e, _a, ctx) => governance.originalOf(ctx, e),
  },
  ModelCardRevision: {
    author: (r, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: r.authorId } }),
  },
  AuditReport: {
    files: (r) => {
      const stored = ((r.manifest as { stored?: Record<string, { sha256: string; bytes: number }> }).stored ?? {}) as Record<
        string,
        { sha256: string; bytes: number }
      >;
      return Object.entries(stored).map(([name, f]) => ({ name, sha256: f.sha256, bytes: f.bytes, url: `/api/media/reports/${r.id}/${name}` }));
    },
  },
};
