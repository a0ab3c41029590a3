import path from 'node:path';
import { z } from 'zod';
import { cancel as cancelInLifecycle, lifecycleTransaction, type Db, type Prisma } from '@fep/db';
import { badInput, cancelKey, conflict, notFound, progressChannel, statusEvent } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { sortedPage, type PageArgs } from '../common/pagination.ts';
import { checkCommonFilter, checkEnum, checkSort, compact, contains, dateRange, sortKeys, type CommonFilter } from '../common/list-query.ts';
import { zodFields } from '../common/errors.ts';
import { pageExplanations, type ExplanationFilter } from '../explanations/explanations.service.ts';

const VIDEO_STATUSES = ['PROCESSING', 'READY', 'FAILED'] as const;

export async function getVideoTeam(ctx: ApiContext, id: string) {
  return (await ctx.db.video.findUnique({ where: { id }, select: { teamId: true } }))?.teamId ?? null;
}

/** What the video list may be narrowed by (VideoFilter in the SDL). */
export interface VideoFilter extends CommonFilter {
  status?: string | null;
}

/** The Prisma `where` of a VideoFilter, checked first (BAD_USER_INPUT on `filter.<field>`). */
export function videoWhere(filter: VideoFilter | null | undefined): Prisma.VideoWhereInput {
  const common = checkCommonFilter(filter);
  const status = checkEnum('status', filter?.status, VIDEO_STATUSES);
  return compact({
    status: status ?? undefined,
    uploadedById: common.authorId ?? undefined,
    createdAt: dateRange(common),
    OR: common.search ? [{ title: contains(common.search) }, { filename: contains(common.search) }] : undefined,
  });
}

export function listVideos(
  ctx: ApiContext,
  teamId: string,
  includeDeleted: boolean,
  args: PageArgs & { filter?: VideoFilter | null; sort?: string | null },
) {
  const where = videoWhere(args.filter);
  const sort = checkSort(args.sort);
  const scope = { teamId, ...(includeDeleted ? {} : { deletedAt: null }) };
  return sortedPage(args, sort, sortKeys(sort, { name: 'title' }), (p) =>
    ctx.db.video.findMany({ where: { AND: [scope, where, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** A video's explanations (also those of a deleted video: they belong to it), newest first by default. */
export function listVideoExplanations(
  ctx: ApiContext,
  videoId: string,
  args: PageArgs & { filter?: ExplanationFilter | null; sort?: string | null },
) {
  return pageExplanations(ctx, { videoId }, { ...args.filter, videoId: null }, args.sort, args);
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

export const renameVideoSchema = z.object({
  id: z.string().min(1),
  title: z
    .string()
    .trim()
    .min(1, 'Give the video a title.')
    .max(200, 'Use at most 200 characters.')
    .refine((t) => !/[\u0000-\u001f\u007f]/.test(t), 'Use letters, digits and punctuation only (no control characters).'),
});

/** Renames a video; the old and new title go into the audit event. Deleted videos keep their name. */
export async function renameVideo(ctx: ApiContext, caller: Caller, raw: { id: string; title: string }) {
  const parsed = renameVideoSchema.safeParse(raw);
  if (!parsed.success) throw badInput(parsed.error.issues[0]?.message ?? 'Invalid title.', { fields: zodFields(parsed.error) });
  const { id, title } = parsed.data;
  const video = await getVideo(ctx, id);
  if (video.deletedAt) throw conflict('This video is deleted; it can no longer be renamed.');
  if (video.title === title) return video;
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.video.update({ where: { id }, data: { title } });
    await appendAuditEvent(tx, {
      teamId: video.teamId,
      actorId: caller.userId,
      action: 'video.renamed',
      subjectType: 'Video',
      subjectId: id,
      payload: { from: video.title, to: title },
    });
    return updated;
  });
}

/**
 * Where a video's explanations are used as evidence: studies (an item shows the video or one of
 * its explanations), live review sessions, and audit reports (a report covers every explanation of
 * its model that existed when it was generated). Empty when the video may be deleted.
 */
export async function videoEvidenceUses(db: Db | Prisma.TransactionClient, video: { id: string; teamId: string }) {
  const explanations = await db.explanation.findMany({ where: { videoId: video.id }, select: { id: true, modelId: true, createdAt: true } });
  const ids = explanations.map((e) => e.id);
  const studies = await db.study.findMany({
    where: { teamId: video.teamId, items: { some: { OR: [{ videoId: video.id }, ...(ids.length ? [{ explanationIds: { hasSome: ids } }] : [])] } } },
    select: { id: true, name: true },
    orderBy: { createdAt: 'asc' },
  });
  const reviews = ids.length
    ? await db.reviewSession.findMany({ where: { teamId: video.teamId, explanationIds: { hasSome: ids } }, select: { id: true, title: true }, orderBy: { startedAt: 'asc' } })
    : [];
  const reports = explanations.length
    ? await db.auditReport.findMany({
        where: { teamId: video.teamId, OR: explanations.map((e) => ({ modelId: e.modelId, createdAt: { gte: e.createdAt } })) },
        select: { id: true, title: true },
        orderBy: { createdAt: 'asc' },
      })
    : [];
  return { studies, reviews, reports };
}

const quoteList = (names: string[]) => {
  const shown = names.slice(0, 3).map((n) => `“${n}”`).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
};

/** The CONFLICT message naming what holds a video's explanations, or null when nothing does. */
export function evidenceConflictMessage(uses: Awaited<ReturnType<typeof videoEvidenceUses>>): string | null {
  const parts = [
    uses.studies.length ? `${uses.studies.length === 1 ? 'study' : 'studies'} ${quoteList(uses.studies.map((s) => s.name))}` : null,
    uses.reviews.length ? `review ${uses.reviews.length === 1 ? 'session' : 'sessions'} ${quoteList(uses.reviews.map((r) => r.title))}` : null,
    uses.reports.length ? `audit ${uses.reports.length === 1 ? 'report' : 'reports'} ${quoteList(uses.reports.map((r) => r.title))}` : null,
  ].filter((p): p is string => p !== null);
  if (!parts.length) return null;
  return `This video cannot be deleted: its explanations are evidence in ${parts.join('; ')}. Delete or finish those first, or keep the video.`;
}

/**
 * Deletes a video and its explanations from the team's lists, in one transaction: queued or
 * running explanations are cancelled through the lifecycle module (which writes their status and
 * audit events), then the explanations and the video get `deletedAt`, and `video.deleted` is
 * audited with what went. Soft delete: rows, hashes and the audit trail stay; the files are left
 * to retention, which keeps a content-addressed blob while another row still uses it.
 * Refused with CONFLICT while a study, a review session or an audit report uses the explanations.
 */
export async function deleteVideo(ctx: ApiContext, caller: Caller, id: string) {
  const video = await getVideo(ctx, id);
  if (video.deletedAt) throw conflict('This video is already deleted.');
  const result = await lifecycleTransaction(ctx.db, async (tx) => {
    // Lock the video: of two deletes at once, the second sees the first's deletedAt.
    const [locked] = await tx.$queryRaw<{ deletedAt: Date | null }[]>`SELECT "deletedAt" FROM "Video" WHERE id = ${id} FOR UPDATE`;
    if (locked?.deletedAt) return { refused: 'This video is already deleted.', video: null, cancelled: [] as string[] };
    const message = evidenceConflictMessage(await videoEvidenceUses(tx, video));
    if (message) return { refused: message, video: null, cancelled: [] as string[] };
    const explanations = await tx.explanation.findMany({ where: { videoId: id, deletedAt: null }, select: { id: true, status: true } });
    const cancelled: string[] = [];
    for (const e of explanations) {
      if (e.status !== 'QUEUED' && e.status !== 'RUNNING') continue;
      const r = await cancelInLifecycle(tx, e.id, caller.userId);
      if (r.changed) cancelled.push(e.id);
    }
    const now = new Date();
    await tx.explanation.updateMany({ where: { videoId: id, deletedAt: null }, data: { deletedAt: now } });
    const updated = await tx.video.update({ where: { id }, data: { deletedAt: now } });
    await appendAuditEvent(tx, {
      teamId: video.teamId,
      actorId: caller.userId,
      action: 'video.deleted',
      subjectType: 'Video',
      subjectId: id,
      payload: { sha256: video.sha256, title: video.title, explanations: explanations.map((e) => e.id), cancelled },
    });
    return { refused: null, video: updated, cancelled };
  });
  if (result.refused !== null || !result.video) throw conflict(result.refused ?? 'This video is already deleted.');
  // After the commit, like cancelExplanation: a running engine sees the flag and stops; a waiting job is removed.
  for (const explanationId of result.cancelled) {
    await ctx.redis.set(cancelKey(explanationId), '1', 'EX', 24 * 3600).catch(() => {});
    const job = await ctx.queue.getJob(explanationId).catch(() => undefined);
    if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState().catch(() => 'unknown'))) await job.remove().catch(() => {});
    await ctx.redis.publish(progressChannel(explanationId), JSON.stringify(statusEvent(explanationId, 'CANCELLED', 0))).catch(() => {});
  }
  return result.video;
}
