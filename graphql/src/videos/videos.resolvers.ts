import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeObject, authorizeTeam } from '../auth/permissions.ts';
import * as videos from './videos.service.ts';

export const videoResolvers: Resolvers = {
  Query: {
    videos: async (_p, { teamId, includeDeleted, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'video.read');
      return videos.listVideos(ctx, teamId, includeDeleted ?? false, args);
    },
    video: async (_p, { id }, ctx) => {
      await authorizeObject(ctx, 'Video', await videos.getVideoTeam(ctx, id), 'video.read');
      return videos.getVideo(ctx, id);
    },
  },
  Mutation: {
    renameVideo: async (_p, { id, title }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Video', await videos.getVideoTeam(ctx, id), 'video.write');
      return videos.renameVideo(ctx, caller, { id, title });
    },
    deleteVideo: async (_p, { id }, ctx) => {
      const { caller } = await authorizeObject(ctx, 'Video', await videos.getVideoTeam(ctx, id), 'video.write');
      return videos.deleteVideo(ctx, caller, id);
    },
  },
  Video: {
    sizeBytes: (v) => Number(v.sizeBytes),
    url: (v) => `/api/media/videos/${v.id}`,
    uploadedBy: (v, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: v.uploadedById } }),
    explanations: (v, args, ctx) => videos.listVideoExplanations(ctx, v.id, args),
  },
};
