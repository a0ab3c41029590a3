import { z } from 'zod';
import type { Prisma } from '@fep/db';
import { badInput, cancelKey, conflict, notFound, progressChannel, type ExplainProgress } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { getModelForTeam } from '../models/models.service.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';

/**
 * Methods the engine offers. Kept here as data (not imported from the engine) so the API does
 * not load TensorFlow.js; the engine rejects unknown methods too.
 */
export const KNOWN_METHODS = ['fep', 'ep', 'random', 'gradient', 'smoothgrad', 'integrated-gradients', 'gradcam', 'occlusion'] as const;

export const requestExplanationSchema = z.object({
  teamId: z.string().min(1),
  videoId: z.string().min(1),
  modelId: z.string().min(1),
  method: z.enum(KNOWN_METHODS).default('fep'),
  target: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .default('top1'),
  area: z.number().gt(0).lt(1).nullish(),
  iterations: z.number().int().min(1).max(5000).nullish(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).nullish(),
  windowStartSec: z.number().min(0).nullish(),
  params: z.record(z.string(), z.unknown()).nullish(),
});

export async function getExplanationTeam(ctx: ApiContext, id: string) {
  return (await ctx.db.explanation.findUnique({ where: { id }, select: { teamId: true } }))?.teamId ?? null;
}

export async function getExplanation(ctx: ApiContext, id: string) {
  const e = await ctx.db.explanation.findUnique({ where: { id } });
  if (!e) throw notFound('Explanation');
  return e;
}

export function listExplanations(ctx: ApiContext, teamId: string, videoId: string | null | undefined, args: PageArgs) {
  const filter = { teamId, ...(videoId ? { videoId } : {}) };
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.explanation.findMany({ where: { AND: [filter, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/**
 * Creates the Explanation row (QUEUED) with its audit event, then enqueues a job carrying only
 * the id. The job id is the explanation id, so a retried enqueue never creates a second job.
 */
export async function requestExplanation(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = requestExplanationSchema.parse(raw);
  const video = await ctx.db.video.findUnique({ where: { id: input.videoId } });
  if (!video || video.teamId !== input.teamId || video.deletedAt) throw notFound('Video');
  if (video.status !== 'READY') throw badInput('This video could not be read, so it cannot be explained.');
  const model = await getModelForTeam(ctx, input.modelId, input.teamId);
  const labels = Array.isArray(model.labels) ? (model.labels as string[]) : [];
  if (input.target !== 'top1' && !labels.includes(input.target)) {
    const idx = Number(input.target);
    if (!Number.isInteger(idx) || idx < 0 || idx >= labels.length) {
      throw badInput(`Target must be top1, one of the model's labels, or an index below ${labels.length}.`, {
        fields: { target: 'Unknown label.' },
      });
    }
  }
  const params: Record<string, unknown> = { ...(input.params ?? {}) };
  if (input.area != null) params.area = input.area;
  if (input.iterations != null) params.iterations = input.iterations;
  if (input.seed != null) params.seed = input.seed;
  const explanation = await ctx.db.$transaction(async (tx) => {
    const created = await tx.explanation.create({
      data: {
        teamId: input.teamId,
        videoId: video.id,
        modelId: model.id,
        requestedById: caller.userId,
        method: input.method,
        target: input.target,
        params: params as Prisma.InputJsonValue,
        windowStartSec: input.windowStartSec ?? null,
      },
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId,
      actorId: caller.userId,
      action: 'explanation.requested',
      subjectType: 'Explanation',
      subjectId: created.id,
      payload: { videoId: video.id, modelId: model.id, method: input.method, target: input.target, params },
    });
    return created;
  });
  await ctx.queue.add('explain', { explanationId: explanation.id }, { jobId: explanation.id });
  return explanation;
}

/**
 * Cancels a queued or running explanation. A queued job is removed; a running one sees the
 * cancel flag at its next iteration and stops (the worker then marks the row CANCELLED).
 */
export async function cancelExplanation(ctx: ApiContext, caller: Caller, id: string) {
  const e = await getExplanation(ctx, id);
  if (e.status === 'DONE' || e.status === 'FAILED' || e.status === 'CANCELLED') {
    throw conflict(`This explanation has already finished (${e.status.toLowerCase()}).`);
  }
  await ctx.redis.set(cancelKey(id), '1', 'EX', 24 * 3600);
  const job = await ctx.queue.getJob(id);
  const state = job ? await job.getState() : 'unknown';
  const removable = state === 'waiting' || state === 'delayed' || state === 'prioritized';
  if (removable) await job!.remove().catch(() => {});
  const updated = await ctx.db.$transaction(async (tx) => {
    const row = await tx.explanation.update({
      where: { id },
      data: removable || e.status === 'QUEUED' ? { status: 'CANCELLED', finishedAt: new Date() } : {},
    });
    await appendAuditEvent(tx, {
      teamId: e.teamId,
      actorId: caller.userId,
      action: 'explanation.cancel_requested',
      subjectType: 'Explanation',
      subjectId: id,
      payload: { previousStatus: e.status },
    });
    return row;
  });
  if (updated.status === 'CANCELLED') {
    const event: ExplainProgress & { status: string } = {
      explanationId: id,
      status: 'CANCELLED',
      fraction: updated.progress,
      iteration: 0,
      totalIterations: 0,
      energy: null,
      etaMs: null,
      stage: 'saving',
    };
    await ctx.redis.publish(progressChannel(id), JSON.stringify(event));
  }
  return updated;
}
