import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { requireCaller } from './permissions.ts';
import * as auth from './auth.service.ts';

export const authResolvers: Resolvers = {
  Query: {
    viewer: (_p, _a, ctx) => auth.viewer(ctx),
    apiTokens: (_p, _a, ctx) => auth.listApiTokens(ctx, requireCaller(ctx)),
  },
  Mutation: {
    signUp: (_p, { input }, ctx) => auth.signUp(ctx, input),
    login: (_p, { input }, ctx) => auth.login(ctx, input),
    logout: (_p, _a, ctx) => auth.logout(ctx),
    createApiToken: (_p, { input }, ctx) => auth.createApiToken(ctx, requireCaller(ctx), input),
    revokeApiToken: (_p, { id }, ctx) => auth.revokeApiToken(ctx, requireCaller(ctx), id),
  },
};
