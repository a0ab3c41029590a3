import type { User } from '@fep/db';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeTeam, requireCaller } from './permissions.ts';
import * as auth from './auth.service.ts';
import * as account from './account.service.ts';

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
    updateProfile: (_p, { input }, ctx) => account.updateProfile(ctx, requireCaller(ctx), input),
    changePassword: (_p, { input }, ctx) => account.changePassword(ctx, requireCaller(ctx), input),
    issuePasswordReset: async (_p, { input }, ctx) => {
      const { caller } = await authorizeTeam(ctx, input.teamId, 'team.members.manage');
      return account.issuePasswordReset(ctx, caller, input);
    },
    resetPassword: (_p, { input }, ctx) => account.resetPassword(ctx, input),
  },
  Viewer: {
    memberships: (_v, args, ctx) => auth.viewerMemberships(ctx, requireCaller(ctx), args),
  },
};
