import type { Resolvers } from '../__generated__/resolvers-types.ts';

/** Public by design: reports only booleans, never details. */
export const healthResolvers: Resolvers = {
  Query: {
    health: async (_p, _a, ctx) => {
      const [database, queue, storage] = await Promise.all([
        ctx.probes.database().catch(() => false),
        ctx.probes.queue().catch(() => false),
        ctx.probes.storage().catch(() => false),
      ]);
      return { ok: database && queue && storage, database, queue, storage };
    },
  },
};
