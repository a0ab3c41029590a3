import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { forbidden } from '@fep/shared';
import { authorizeObject, authorizeTeam, requireCaller, roleIn } from '../auth/permissions.ts';
import * as teams from './teams.service.ts';

export const teamResolvers: Resolvers = {
  Query: {
    teams: (_p, args, ctx) => teams.listTeams(ctx, requireCaller(ctx), args),
    team: async (_p, { id }, ctx) => {
      await authorizeObject(ctx, 'Team', id, 'team.read');
      return teams.getTeam(ctx, id);
    },
    invitationPreview: (_p, { token }, ctx) => teams.invitationPreview(ctx, token),
  },
  Mutation: {
    createTeam: (_p, { input }, ctx) => teams.createTeam(ctx, requireCaller(ctx), input),
    renameTeam: async (_p, { teamId, name }, ctx) => {
      const { caller } = await authorizeTeam(ctx, teamId, 'team.rename');
      return teams.renameTeam(ctx, caller, teamId, name);
    },
    inviteMember: async (_p, { input }, ctx) => {
      const { caller, role } = await authorizeTeam(ctx, input.teamId, 'team.members.manage');
      return teams.inviteMember(ctx, caller, input, role);
    },
    revokeInvitation: async (_p, { id }, ctx) => {
      requireCaller(ctx);
      const teamId = await teams.getInvitationTeam(ctx, id);
      const { caller } = await authorizeObject(ctx, 'Invitation', teamId, 'team.members.manage');
      return teams.revokeInvitation(ctx, caller, id);
    },
    acceptInvitation: (_p, { token }, ctx) => teams.acceptInvitation(ctx, requireCaller(ctx), token),
    changeMemberRole: async (_p, { input }, ctx) => {
      const { caller, role } = await authorizeTeam(ctx, input.teamId, 'team.members.manage');
      return teams.changeMemberRole(ctx, caller, input, role);
    },
    removeMember: async (_p, { teamId, userId }, ctx) => {
      const { caller, role } = await authorizeTeam(ctx, teamId, 'team.members.manage');
      return teams.removeMember(ctx, caller, teamId, userId, role);
    },
  },
  // Field resolvers run only under a parent the caller was already authorised for.
  Team: {
    // Derived per request (memoised by roleIn), never carried on the parent.
    viewerRole: async (team, _a, ctx) => {
      const role = await roleIn(ctx, team.id);
      if (!role) throw forbidden('You are not a member of this team.');
      return role;
    },
    members: (team, args, ctx) => teams.listMembers(ctx, team.id, args),
    invitations: async (team, args, ctx) => {
      await authorizeTeam(ctx, team.id, 'team.members.manage');
      return teams.listInvitations(ctx, team.id, args);
    },
  },
  Membership: {
    user: (m, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: m.userId } }),
    team: (m, _a, ctx) => ctx.db.team.findUniqueOrThrow({ where: { id: m.teamId } }),
  },
};
