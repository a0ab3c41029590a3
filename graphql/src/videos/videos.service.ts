import path from 'node:path';
import type { Prisma } from '@fep/db';
import { badInput, notFound } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';

export async function getVideoTeam(ctx: ApiContext, id: string) {
  return (await ctx.db.video.findUnique({ where: { id }, select: { teamId: true } }))?.teamId ?? null;
}

export function listVideos(ctx: ApiContext, teamId: string, includeDeleted: boolean, args: PageArgs) {
  const filter = { teamId, ...(includeDeleted ? {} : { deletedAt: null }) };
  return page(args, byCreatedAt('desc'), (p) => ctx.db.video.findMany({ where: { AND: [filter, p.where] }, orderBy: p.orderBy, take: p.take }));
}

/** A video's explanations, newest first. */
export function listVideoExplanations(ctx: ApiContext, videoId: string, args: PageArgs) {
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.explanation.findMany({ where: { AND: [{ videoId }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export async function getVideo(ctx: ApiContext, id: string) {
  const video = await ctx.db.video.findUnique({ where: { id } });
  if (!video) throw notFound('Video');
  return video;
}

/** Metadata a probe produced (the engine's probeVideo result, trimmed to what we store). */
export interface VideoProbe {
  fps: number;
  frameCount: number;
  durationSec: number;
  width: number;
  height: number;
  codec: string;
  [key: string]: unknown;
}

/**
 * Registers an uploaded file: moves it into content-addressed storage, records the probe, and
 * audits the upload. A file that fails probing is still kept (status FAILED, with the reason),
 * so nothing a user submitted is lost.
 */
export async function createVideoFromFile(
  ctx: ApiContext,
  caller: Caller,
  args: {
    teamId: string;
    filePath: string;
    filename: string;
    title?: string;
    probe: (file: string) => Promise<VideoProbe>;
  },
) {
  const filename = path.basename(args.filename).slice(0, 255) || 'video';
  let probe: VideoProbe | null = null;
  let error: string | null = null;
  try {
    probe = await args.probe(args.filePath);
  } catch (err) {
    error = (err as Error).message;
  }
  const stored = await ctx.storage.putFile(args.filePath);
  return ctx.db.$transaction(async (tx) => {
    const video = await tx.video.create({
      data: {
        teamId: args.teamId,
        uploadedById: caller.userId,
        title: (args.title ?? filename.replace(/\.[^.]+$/, '')).slice(0, 200),
        filename,
        sha256: stored.sha256,
        sizeBytes: BigInt(stored.size),
        status: probe ? 'READY' : 'FAILED',
        error,
        ...(probe
          ? {
              fps: probe.fps,
              frameCount: probe.frameCount,
              durationSec: probe.durationSec,
              width: probe.width,
              height: probe.height,
              codec: probe.codec,
              probe: probe as unknown as Prisma.InputJsonValue,
            }
          : {}),
      },
    });
    await appendAuditEvent(tx, {
      teamId: args.teamId,
      actorId: caller.userId,
      action: 'video.uploaded',
      subjectType: 'Video',
      subjectId: video.id,
      payload: { sha256: stored.sha256, size: stored.size, filename, status: video.status },
    });
    return video;
  });
}

export async function deleteVideo(ctx: ApiContext, caller: Caller, id: string) {
  const video = await getVideo(ctx, id);
  if (video.deletedAt) throw badInput('This video is already deleted.');
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.video.update({ where: { id }, data: { deletedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: video.teamId,
      actorId: caller.userId,
      action: 'video.deleted',
      subjectType: 'Video',
      subjectId: id,
      payload: { sha256: video.sha256 },
    });
    return updated;
  });
}
