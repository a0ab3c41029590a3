import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeObject, requireCaller } from '../auth/permissions.ts';
import { getExplanationTeam } from '../explanations/explanations.service.ts';
import * as feedback from './feedback.service.ts';

/** Reads inherit the explanation's access (the parent Explanation was already authorised). */
export const feedbackResolvers: Resolvers = {
  Mutation: {
    createAnnotation: async (_p, { input }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Explanation', await getExplanationTeam(ctx, input.explanationId), 'feedback.write');
      return feedback.createAnnotation(ctx, caller, input);
    },
    deleteAnnotation: async (_p, { id }, ctx) => {
      const { caller, role } = await authorizeObject(ctx, 'Annotation', await feedback.getAnnotationTeam(ctx, id), 'feedback.write');
      return feedback.deleteAnnotation(ctx, caller, role, id);
    },
    addComment: async (_p, { input }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Explanation', await getExplanationTeam(ctx, input.explanationId), 'feedback.write');
      return feedback.addComment(ctx, caller, input);
    },
    deleteComment: async (_p, { id }, ctx) => {
      const { caller, role } = await authorizeObject(ctx, 'Comment', await feedback.getCommentTeam(ctx, id), 'feedback.write');
      return feedback.deleteComment(ctx, caller, role, id);
    },
    editComment: async (_p, { id, input }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Comment', await feedback.getCommentTeam(ctx, id), 'feedback.write');
      return feedback.editComment(ctx, caller, { id, ...input });
    },
    resolveComment: async (_p, { id, resolved }, ctx) => {
      const { caller, role } = await authorizeObject(ctx, 'Comment', await feedback.getCommentTeam(ctx, id), 'feedback.write');
      return feedback.resolveComment(ctx, caller, role, { id, resolved });
    },
    rateExplanation: async (_p, { input }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Explanation', await getExplanationTeam(ctx, input.explanationId), 'feedback.write');
      return feedback.rateExplanation(ctx, caller, input);
    },
  },
  Explanation: {
    annotations: async (e, args, ctx) => {
      await authorizeObject(ctx, 'Explanation', e.teamId, 'explanation.read');
      return feedback.listAnnotations(ctx, e.id, args);
    },
    comments: async (e, args, ctx) => {
      await authorizeObject(ctx, 'Explanation', e.teamId, 'explanation.read');
      return feedback.listTopLevelComments(ctx, e.id, args);
    },
    ratings: async (e, args, ctx) => {
      await authorizeObject(ctx, 'Explanation', e.teamId, 'explanation.read');
      return feedback.listRatings(ctx, e.id, args);
    },
    myRating: async (e, _a, ctx) => {
      await authorizeObject(ctx, 'Explanation', e.teamId, 'explanation.read');
      return feedback.getRatingBy(ctx, e.id, requireCaller(ctx).userId);
    },
  },
  Annotation: {
    author: (a, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: a.authorId } }),
  },
  Comment: {
    author: (c, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: c.authorId } }),
    mentions: (c, _a, ctx) => feedback.usersByIds(ctx, c.mentions),
    replies: (c, args, ctx) => feedback.listReplies(ctx, c.id, args),
    edited: (c) => c.editedAt != null,
    resolved: (c) => c.resolvedAt != null,
    resolvedBy: (c, _a, ctx) => (c.resolvedById ? ctx.db.user.findUnique({ where: { id: c.resolvedById } }) : null),
  },
  Rating: {
    rater: (r, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: r.raterId } }),
  },
};
