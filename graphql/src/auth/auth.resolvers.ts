import type { User } from '@fep/db';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { requireCaller } from './permissions.ts';
import * as auth from './auth.service.ts';

/** The parent of Viewer's fields (codegen.ts maps Viewer onto it). */
export interface ViewerParent {
  user: User;
}

export const authResolvers: Resolvers = {
  Query: {
    viewer: (_p, _a, ctx) => auth.viewer(ctx),
    apiTokens: (_p, args, ctx) => auth.listApiTokens(ctx, requireCaller(ctx), args),
  },
  Mutation: {
    signUp: (_p, { input }, ctx) => auth.signUp(ctx, input),
    login: (_p, { input }, ctx) => auth.login(ctx, input),
    logout: (_p, _a, ctx) => auth.logout(ctx),
    createApiToken: (_p, { input }, ctx) => auth.createApiToken(ctx, requireCaller(ctx), input),
    revokeApiToken: (_p, { id }, ctx) => auth.revokeApiToken(ctx, requireCaller(ctx), id),
  },
  Viewer: {
    memberships: (_v, args, ctx) => auth.viewerMemberships(ctx, requireCaller(ctx), args),
  },
};
