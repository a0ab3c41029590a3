import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeTeam } from '../auth/permissions.ts';
import * as models from './models.service.ts';

export const modelResolvers: Resolvers = {
  Query: {
    models: async (_p, { teamId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'model.read');
      return models.listModels(ctx, teamId, args);
    },
    model: async (_p, { id, teamId }, ctx) => {
      await authorizeTeam(ctx, teamId, 'model.read');
      return models.getModelForTeam(ctx, id, teamId);
    },
  },
  Model: {
    labels: (m) => (Array.isArray(m.labels) ? (m.labels as string[]) : []),
  },
};
