import { z } from 'zod';
import type { Prisma, Role } from '@fep/db';
import { appendAuditEvent } from '@fep/db';
import { badInput, forbidden, notFound } from '@fep/shared';
import { can } from '@fep/shared/permissions';
import type { ApiContext, Caller } from '../context.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';
import { excerptOf, notify, pingRecipients, teamMentions } from '../notifications/notifications.service.ts';

/**
 * Feedback on explanations: annotations (regions on a frame range), time-range comments with
 * threads and @mentions, and plausibility ratings. The 1–7 Likert scale and 1–5 confidence
 * follow the human-evaluation protocols of saliency studies (e.g. Hase & Bansal, ACL 2020;
 * Likert, 1932); both live in prisma/schema.prisma's Rating model comments.
 */

const unit = z.number().min(0, 'Use coordinates between 0 and 1.').max(1, 'Use coordinates between 0 and 1.');
const id = z.string().min(1);
const frame = z.number().int().min(0, 'Frames start at 0.').max(100_000);

export const createAnnotationSchema = z
  .object({
    explanationId: id,
    shape: z.enum(['RECTANGLE', 'POLYGON']),
    rect: z.object({ x: unit, y: unit, w: unit, h: unit }).nullish(),
    points: z.array(z.tuple([unit, unit])).min(3, 'A polygon needs at least 3 points.').max(200).nullish(),
    frameStart: frame,
    frameEnd: frame,
    label: z.string().trim().max(200, 'Use at most 200 characters.').nullish(),
  })
  .superRefine((v, issue) => {
    if (v.frameEnd < v.frameStart) issue.addIssue({ code: 'custom', path: ['frameEnd'], message: 'The range ends before it starts.' });
    if (v.shape === 'RECTANGLE') {
      if (!v.rect) issue.addIssue({ code: 'custom', path: ['rect'], message: 'A rectangle needs x, y, w and h.' });
      else {
        if (v.rect.w <= 0 || v.rect.h <= 0) issue.addIssue({ code: 'custom', path: ['rect'], message: 'The rectangle is empty.' });
        if (v.rect.x + v.rect.w > 1 + 1e-9 || v.rect.y + v.rect.h > 1 + 1e-9)
          issue.addIssue({ code: 'custom', path: ['rect'], message: 'The rectangle leaves the frame.' });
      }
    }
    if (v.shape === 'POLYGON' && !v.points) issue.addIssue({ code: 'custom', path: ['points'], message: 'A polygon needs at least 3 points.' });
  });

export const addCommentSchema = z
  .object({
    explanationId: id,
    body: z.string().trim().min(1, 'Write something first.').max(5000, 'Use at most 5000 characters.'),
    parentId: id.nullish(),
    timeStartSec: z.number().min(0).nullish(),
    timeEndSec: z.number().min(0).nullish(),
    mentions: z.array(id).max(50).nullish(),
  })
  .superRefine((v, issue) => {
    if (v.timeEndSec != null && v.timeStartSec == null)
      issue.addIssue({ code: 'custom', path: ['timeStartSec'], message: 'Give the start of the time range too.' });
    if (v.timeEndSec != null && v.timeStartSec != null && v.timeEndSec < v.timeStartSec)
      issue.addIssue({ code: 'custom', path: ['timeEndSec'], message: 'The range ends before it starts.' });
  });

export const editCommentSchema = z.object({
  id,
  body: z.string().trim().min(1, 'Write something first.').max(5000, 'Use at most 5000 characters.'),
  mentions: z.array(id).max(50).nullish(),
});

export const resolveCommentSchema = z.object({ id, resolved: z.boolean() });

export const rateExplanationSchema = z.object({
  explanationId: id,
  plausibility: z.number().int().min(1, 'Pick 1 to 7.').max(7, 'Pick 1 to 7.'),
  confidence: z.number().int().min(1, 'Pick 1 to 5.').max(5, 'Pick 1 to 5.').nullish(),
  comment: z.string().trim().max(5000, 'Use at most 5000 characters.').nullish(),
});

/** Roles that may remove other people's feedback (authors may always remove their own). */
const MODERATORS: Role[] = ['OWNER', 'ADMIN'];

export async function getAnnotationTeam(ctx: ApiContext, annotationId: string) {
  return (await ctx.db.annotation.findUnique({ where: { id: annotationId }, select: { teamId: true } }))?.teamId ?? null;
}

export async function getCommentTeam(ctx: ApiContext, commentId: string) {
  return (await ctx.db.comment.findUnique({ where: { id: commentId }, select: { teamId: true } }))?.teamId ?? null;
}

export function listAnnotations(ctx: ApiContext, explanationId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.annotation.findMany({ where: { AND: [{ explanationId, deletedAt: null }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listTopLevelComments(ctx: ApiContext, explanationId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.comment.findMany({ where: { AND: [{ explanationId, parentId: null, deletedAt: null }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listReplies(ctx: ApiContext, commentId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.comment.findMany({ where: { AND: [{ parentId: commentId, deletedAt: null }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listRatings(ctx: ApiContext, explanationId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.rating.findMany({ where: { AND: [{ explanationId }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function getRatingBy(ctx: ApiContext, explanationId: string, raterId: string) {
  return ctx.db.rating.findUnique({ where: { explanationId_raterId: { explanationId, raterId } } });
}

/** Users for ids, in the order given (unknown ids dropped). */
export async function usersByIds(ctx: ApiContext, ids: string[]) {
  if (!ids.length) return [];
  const users = await ctx.db.user.findMany({ where: { id: { in: ids } } });
  const byId = new Map(users.map((u) => [u.id, u]));
  return ids.flatMap((i) => byId.get(i) ?? []);
}

async function explanationFor(ctx: ApiContext, explanationId: string) {
  const e = await ctx.db.explanation.findUnique({ where: { id: explanationId }, select: { id: true, teamId: true, saliencyShape: true } });
  if (!e) throw notFound('Explanation');
  return e;
}

export async function createAnnotation(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = createAnnotationSchema.parse(raw);
  const e = await explanationFor(ctx, input.explanationId);
  const frames = Array.isArray(e.saliencyShape) ? Number(e.saliencyShape[0]) : null;
  if (frames != null && input.frameEnd >= frames) {
    throw badInput(`This explanation has ${frames} frames (0–${frames - 1}).`, { fields: { frameEnd: 'Past the last frame.' } });
  }
  const geometry = input.shape === 'RECTANGLE' ? { ...input.rect! } : { points: input.points! };
  return ctx.db.$transaction(async (tx) => {
    const annotation = await tx.annotation.create({
      data: {
        teamId: e.teamId,
        explanationId: e.id,
        authorId: caller.userId,
        shape: input.shape,
        geometry: geometry as Prisma.InputJsonValue,
        frameStart: input.frameStart,
        frameEnd: input.frameEnd,
        label: input.label || null,
      },
    });
    await appendAuditEvent(tx, {
      teamId: e.teamId,
      actorId: caller.userId,
      action: 'annotation.created',
      subjectType: 'Annotation',
      subjectId: annotation.id,
      payload: { explanationId: e.id, shape: input.shape, geometry, frameStart: input.frameStart, frameEnd: input.frameEnd, label: annotation.label },
    });
    return annotation;
  });
}

export async function deleteAnnotation(ctx: ApiContext, caller: Caller, role: Role, annotationId: string) {
  const a = await ctx.db.annotation.findUnique({ where: { id: annotationId } });
  if (!a || a.deletedAt) throw notFound('Annotation');
  if (a.authorId !== caller.userId && !MODERATORS.includes(role)) throw forbidden('Only the author or a team admin can remove this annotation.');
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.annotation.update({ where: { id: a.id }, data: { deletedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: a.teamId,
      actorId: caller.userId,
      action: 'annotation.deleted',
      subjectType: 'Annotation',
      subjectId: a.id,
      payload: { explanationId: a.explanationId },
    });
    return updated;
  });
}

export async function addComment(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = addCommentSchema.parse(raw);
  const e = await explanationFor(ctx, input.explanationId);
  if (input.parentId) {
    const parent = await ctx.db.comment.findUnique({ where: { id: input.parentId }, select: { explanationId: true, deletedAt: true } });
    if (!parent || parent.explanationId !== e.id || parent.deletedAt) {
      throw badInput('The comment you are replying to is not on this explanation.', { fields: { parentId: 'Unknown comment.' } });
    }
  }
  const mentions = await teamMentions(ctx, e.teamId, input.mentions, 'explanation.read');
  const parentAuthor = input.parentId
    ? (await ctx.db.comment.findUniqueOrThrow({ where: { id: input.parentId }, select: { authorId: true } })).authorId
    : null;
  const { comment, notified } = await ctx.db.$transaction(async (tx) => {
    const comment = await tx.comment.create({
      data: {
        teamId: e.teamId,
        explanationId: e.id,
        authorId: caller.userId,
        parentId: input.parentId ?? null,
        body: input.body,
        timeStartSec: input.timeStartSec ?? null,
        timeEndSec: input.timeEndSec ?? input.timeStartSec ?? null,
        mentions,
      },
    });
    await appendAuditEvent(tx, {
      teamId: e.teamId,
      actorId: caller.userId,
      action: 'comment.added',
      subjectType: 'Comment',
      subjectId: comment.id,
      payload: {
        explanationId: e.id,
        parentId: comment.parentId,
        timeStartSec: comment.timeStartSec,
        timeEndSec: comment.timeEndSec,
        mentions,
        body: comment.body,
      },
    });
    const subject = { teamId: e.teamId, actorId: caller.userId, subjectType: 'Comment', subjectId: comment.id } as const;
    const data = { explanationId: e.id, commentId: comment.id, excerpt: excerptOf(comment.body) };
    const notified = [
      ...(await notify(tx, mentions, { ...subject, kind: 'MENTION', data })),
      // A mentioned parent author gets the mention, not a second notification for the reply.
      ...(parentAuthor && !mentions.includes(parentAuthor) ? await notify(tx, [parentAuthor], { ...subject, kind: 'REPLY', data }) : []),
    ];
    return { comment, notified };
  });
  pingRecipients(ctx, notified);
  return comment;
}

/** The author changes their own comment; people newly mentioned are notified. */
export async function editComment(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = editCommentSchema.parse(raw);
  const c = await ctx.db.comment.findUnique({ where: { id: input.id } });
  if (!c || c.deletedAt) throw notFound('Comment');
  if (c.authorId !== caller.userId) throw forbidden('Only the author can edit this comment.');
  const mentions = await teamMentions(ctx, c.teamId, input.mentions, 'explanation.read');
  const added = mentions.filter((m) => !c.mentions.includes(m));
  const { updated, notified } = await ctx.db.$transaction(async (tx) => {
    const updated = await tx.comment.update({ where: { id: c.id }, data: { body: input.body, mentions, editedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: c.teamId,
      actorId: caller.userId,
      action: 'comment.edited',
      subjectType: 'Comment',
      subjectId: c.id,
      payload: { explanationId: c.explanationId, body: updated.body, previousBody: c.body, mentions },
    });
    const notified = await notify(tx, added, {
      teamId: c.teamId,
      actorId: caller.userId,
      kind: 'MENTION',
      subjectType: 'Comment',
      subjectId: c.id,
      data: { explanationId: c.explanationId, commentId: c.id, excerpt: excerptOf(updated.body) },
    });
    return { updated, notified };
  });
  pingRecipients(ctx, notified);
  return updated;
}

/** Resolve or reopen a thread (its first comment): the author, or a role holding `comment.resolve`. */
export async function resolveComment(ctx: ApiContext, caller: Caller, role: Role, raw: unknown) {
  const input = resolveCommentSchema.parse(raw);
  const c = await ctx.db.comment.findUnique({ where: { id: input.id } });
  if (!c || c.deletedAt) throw notFound('Comment');
  if (c.authorId !== caller.userId && !can(role, 'comment.resolve')) throw forbidden('Only the author or a reviewer can resolve this thread.');
  if (c.parentId) throw badInput('Resolve the thread from its first comment.', { fields: { id: 'This is a reply.' } });
  if ((c.resolvedAt != null) === input.resolved) return c;
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.comment.update({
      where: { id: c.id },
      data: input.resolved ? { resolvedAt: new Date(), resolvedById: caller.userId } : { resolvedAt: null, resolvedById: null },
    });
    await appendAuditEvent(tx, {
      teamId: c.teamId,
      actorId: caller.userId,
      action: input.resolved ? 'comment.resolved' : 'comment.reopened',
      subjectType: 'Comment',
      subjectId: c.id,
      payload: { explanationId: c.explanationId },
    });
    return updated;
  });
}

export async function deleteComment(ctx: ApiContext, caller: Caller, role: Role, commentId: string) {
  const c = await ctx.db.comment.findUnique({ where: { id: commentId } });
  if (!c || c.deletedAt) throw notFound('Comment');
  if (c.authorId !== caller.userId && !MODERATORS.includes(role)) throw forbidden('Only the author or a team admin can remove this comment.');
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.comment.update({ where: { id: c.id }, data: { deletedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: c.teamId,
      actorId: caller.userId,
      action: 'comment.deleted',
      subjectType: 'Comment',
      subjectId: c.id,
      payload: { explanationId: c.explanationId },
    });
    return updated;
  });
}

/** One rating per rater per explanation: a second call replaces the first (audited as such). */
export async function rateExplanation(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = rateExplanationSchema.parse(raw);
  const e = await explanationFor(ctx, input.explanationId);
  const data = { plausibility: input.plausibility, confidence: input.confidence ?? null, comment: input.comment || null };
  return ctx.db.$transaction(async (tx) => {
    const previous = await tx.rating.findUnique({
      where: { explanationId_raterId: { explanationId: e.id, raterId: caller.userId } },
    });
    const rating = await tx.rating.upsert({
      where: { explanationId_raterId: { explanationId: e.id, raterId: caller.userId } },
      create: { teamId: e.teamId, explanationId: e.id, raterId: caller.userId, ...data },
      update: data,
    });
    await appendAuditEvent(tx, {
      teamId: e.teamId,
      actorId: caller.userId,
      action: previous ? 'rating.updated' : 'rating.created',
      subjectType: 'Rating',
      subjectId: rating.id,
      payload: {
        explanationId: e.id,
        ...data,
        ...(previous ? { previous: { plausibility: previous.plausibility, confidence: previous.confidence, comment: previous.comment } } : {}),
      },
    });
    return rating;
  });
}
