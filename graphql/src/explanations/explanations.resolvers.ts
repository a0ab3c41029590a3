import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { authorizeObject, authorizeTeam } from '../auth/permissions.ts';
import { progressChannel, type ExplanationProgressEvent, type MaskPreview } from '@fep/shared';
import * as explanations from './explanations.service.ts';
import { explanationDownloads } from './downloads.ts';
import { saliencyOverlay } from './overlay.ts';
import { explanationTrust } from './trust.ts';

/** A progress event's MaskPreview, with the explanation it belongs to (for its overlay geometry). */
export type PreviewParent = MaskPreview & { explanationId: string };

export const explanationResolvers: Resolvers = {
  Query: {
    explanations: async (_p, { teamId, videoId, ...args }, ctx) => {
      await authorizeTeam(ctx, teamId, 'explanation.read');
      return explanations.listExplanations(ctx, teamId, videoId, args);
    },
    explanation: async (_p, { id }, ctx) => {
      await authorizeObject(ctx, 'Explanation', await explanations.getExplanationTeam(ctx, id), 'explanation.read');
      return explanations.getExplanation(ctx, id);
    },
  },
  Mutation: {
    requestExplanation: async (_p, { input }, ctx) => {
      const { caller } = await authorizeTeam(ctx, input.teamId, 'explanation.request');
      return explanations.requestExplanation(ctx, caller, input);
    },
    cancelExplanation: async (_p, { id }, ctx) => {
      const teamId = await explanations.getExplanationTeam(ctx, id);
      const { caller } = await authorizeObject(ctx, 'Explanation', teamId, 'explanation.request');
      return explanations.cancelExplanation(ctx, caller, id);
    },
  },
  Subscription: {
    explanationProgress: {
      subscribe: async (_p, { id }, ctx) => {
        await authorizeObject(ctx, 'Explanation', await explanations.getExplanationTeam(ctx, id), 'explanation.read');
        return ctx.pubsub.asyncIterator(progressChannel(id));
      },
      resolve: (payload: ExplanationProgressEvent) => ({ ...payload, preview: payload.preview ? { ...payload.preview, explanationId: payload.explanationId } : null }),
    },
  },
  MaskPreview: {
    // The geometry of Explanation.overlay, from the preview's clip size and timestamps.
    overlay: async (p, _a, ctx) => {
      const row = await ctx.db.explanation.findUnique({ where: { id: p.explanationId }, select: { windowStartSec: true, video: { select: { width: true, height: true, fps: true } } } });
      if (!row) return null;
      const provenance = { frameTimestamps: p.frameTimestamps, clip: { width: p.clipWidth, height: p.clipHeight } };
      return saliencyOverlay({ provenance, saliencyShape: [p.frames, p.clipHeight, p.clipWidth], windowStartSec: row.windowStartSec }, row.video);
    },
  },
  Explanation: {
    video: (e, _a, ctx) => ctx.db.video.findUniqueOrThrow({ where: { id: e.videoId } }),
    model: (e, _a, ctx) => ctx.db.model.findUniqueOrThrow({ where: { id: e.modelId } }),
    requestedBy: (e, _a, ctx) => ctx.db.user.findUniqueOrThrow({ where: { id: e.requestedById } }),
    saliencyShape: (e) => (Array.isArray(e.saliencyShape) ? (e.saliencyShape as number[]) : null),
    saliencyUrl: (e) => (e.saliencySha256 ? `/api/media/explanations/${e.id}/saliency.npy` : null),
    trust: async (e, _a, ctx) =>
      explanationTrust(
        e,
        await ctx.db.model.findUnique({ where: { id: e.modelId }, select: { manifest: true, labels: true } }),
        await ctx.db.video.findUnique({ where: { id: e.videoId }, select: { width: true, height: true, fps: true, durationSec: true } }),
      ),
    downloads: (e) => (e.saliencySha256 ? explanationDownloads(e.id) : null),
    overlay: async (e, _a, ctx) =>
      e.saliencySha256 ? saliencyOverlay(e, await ctx.db.video.findUnique({ where: { id: e.videoId }, select: { width: true, height: true, fps: true } })) : null,
  },
};
