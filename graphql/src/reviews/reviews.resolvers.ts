import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeObject, authorizeTeam, type Permission } from '../auth/permissions.ts';
import type { ApiContext } from '../context.ts';
import * as reviews from './reviews.service.ts';
import { pageArray } from '../common/pagination.ts';

/**
 * Who may do what: members with `review.join` (auditors included) may enter a session, be present
 * and watch; comments and decisions change the team's review record, so they need
 * `review.host`-level roles (auditors stay read-only); playback and ending are the host's alone
 * (checked in the service).
 */
const access = async (ctx: ApiContext, id: string, permission: Permission) =>
  authorizeObject(ctx, 'Review session', await reviews.getReviewTeam(ctx, id), permission);

export const reviewResolvers: Resolvers = {
  Query: {
    reviewSessions: async (_p, { teamId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'review.join');
      return reviews.listReviewSessions(ctx, teamId, args);
    },
    reviewSession: async (_p, { id }, ctx) => {
      await access(ctx, id, 'review.join');
      return reviews.getReviewSession(ctx, id);
    },
  },
  Mutation: {
    startReviewSession: async (_p, { input }, ctx) => {
      const { caller } = await authorizeTeam(ctx, input.teamId, 'review.host');
      return reviews.startReviewSession(ctx, caller, input);
    },
    joinReviewSession: async (_p, { id }, ctx) => {
      const { caller } = await access(ctx, id, 'review.join');
      return reviews.joinReviewSession(ctx, caller, id);
    },
    leaveReviewSession: async (_p, { id }, ctx) => {
      const { caller } = await access(ctx, id, 'review.join');
      return reviews.leaveReviewSession(ctx, caller, id);
    },
    reviewHeartbeat: async (_p, { id }, ctx) => {
      const { caller } = await access(ctx, id, 'review.join');
      return reviews.reviewHeartbeat(ctx, caller, id);
    },
    setReviewPlayback: async (_p, { id, input }, ctx) => {
      const { caller } = await access(ctx, id, 'review.host');
      return reviews.setReviewPlayback(ctx, caller, id, input);
    },
    addReviewComment: async (_p, { id, input }, ctx) => {
      const { caller } = await access(ctx, id, 'review.host');
      return reviews.addReviewComment(ctx, caller, id, input);
    },
    decideReviewExplanation: async (_p, { id, input }, ctx) => {
      const { caller } = await access(ctx, id, 'review.host');
      return reviews.decideReviewExplanation(ctx, caller, id, input);
    },
    endReviewSession: async (_p, { id }, ctx) => {
      const { caller } = await access(ctx, id, 'review.host');
      return reviews.endReviewSession(ctx, caller, id);
    },
  },
  Subscription: {
    reviewSessionEvents: {
      subscribe: async (_p, { id }, ctx) => {
        await access(ctx, id, 'review.join');
        return ctx.pubsub.asyncIterator(reviews.reviewChannel(id));
      },
      resolve: (payload: reviews.ReviewEvent) => payload,
    },
  },
  ReviewSessionEvent: {
    __resolveType: (e) => e.__typename ?? null,
  },
  ReviewComment: {
    mentions: (c) => c.mentions ?? [],
  },
  ReviewDecision: {
    // The session was authorised (review.join, same team); explanations of the session are the team's.
    explanation: async (d, _a, ctx) => {
      const e = await ctx.db.explanation.findUnique({ where: { id: d.explanationId } });
      return e && (await authorizeObject(ctx, 'Explanation', e.teamId, 'explanation.read').then(() => true, () => false)) ? e : null;
    },
  },
  ReviewSession: {
    host: (s, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: s.hostId } }),
    isHost: (s, _a, ctx) => s.hostId === ctx.caller?.userId,
    explanations: async (s, _a, ctx) => {
      const rows = await ctx.db.explanation.findMany({ where: { id: { in: s.explanationIds }, teamId: s.teamId } });
      const byId = new Map(rows.map((r) => [r.id, r]));
      return s.explanationIds.flatMap((e) => byId.get(e) ?? []);
    },
    playback: (s) => reviews.playbackOf(s),
    present: (s, _a, ctx) => (s.status === 'LIVE' ? reviews.presentParticipants(ctx, s.id) : []),
    // In the order they were made; a live session's comments come from the table, an ended one's from its summary.
    comments: async (s, args, ctx) => pageArray(await reviews.sessionComments(ctx, s), args),
    decisions: (s, _a, ctx) => reviews.sessionDecisions(ctx, s),
    votes: async (s, args, ctx) => pageArray(await reviews.sessionVotes(ctx, s), args),
    summary: (s) => s.summary ?? null,
  },
};
