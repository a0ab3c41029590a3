import { z } from 'zod';
import { cancel as cancelInLifecycle, createExplanation, enqueueExplanationJob, EXPLANATION_STATES, type Prisma } from '@fep/db';
import { AppError, badInput, cancelKey, conflict, notFound, progressChannel, rateLimited, statusEvent, unavailable } from '@fep/shared';
import { METHOD_NAMES, validateExplanationRequest, type ExplanationRequestFields } from '@fep/shared/methods';
import type { ApiContext, Caller } from '../context.ts';
import { getModelForTeam } from '../models/models.service.ts';
import { sortedPage, type PageArgs, type SortKey } from '../common/pagination.ts';
import { checkCommonFilter, checkEnum, checkSort, compact, contains, dateRange, sortKeys, type CommonFilter, type ListSort } from '../common/list-query.ts';

/** Who asks and for which objects; the method, target, window and parameters go through the catalogue. */
export const requestExplanationSchema = z.object({
  teamId: z.string().min(1),
  videoId: z.string().min(1),
  modelId: z.string().min(1),
  /** One submit's key (the web form sends a fresh UUID per submit and reuses it on retry). */
  idempotencyKey: z.string().trim().min(1).max(200).nullish(),
});

export async function getExplanationTeam(ctx: ApiContext, id: string) {
  return (await ctx.db.explanation.findUnique({ where: { id }, select: { teamId: true } }))?.teamId ?? null;
}

export async function getExplanation(ctx: ApiContext, id: string) {
  const e = await ctx.db.explanation.findUnique({ where: { id } });
  if (!e) throw notFound('Explanation');
  return e;
}

/** What a list of explanations may be narrowed by (ExplanationFilter in the SDL). */
export interface ExplanationFilter extends CommonFilter {
  status?: string | null;
  method?: string | null;
  modelId?: string | null;
  videoId?: string | null;
}

/**
 * The Prisma `where` of a checked ExplanationFilter; every value is checked before any query runs
 * (BAD_USER_INPUT on `filter.<field>`): status and method against their catalogues.
 */
export function explanationWhere(filter: ExplanationFilter | null | undefined): Prisma.ExplanationWhereInput {
  const common = checkCommonFilter(filter);
  const status = checkEnum('status', filter?.status, EXPLANATION_STATES);
  const method = checkEnum('method', filter?.method, METHOD_NAMES);
  const created = dateRange(common);
  return compact({
    status: status ?? undefined,
    method: method ?? undefined,
    modelId: filter?.modelId || undefined,
    videoId: filter?.videoId || undefined,
    requestedById: common.authorId ?? undefined,
    createdAt: created,
    OR: common.search
      ? [{ video: { title: contains(common.search) } }, { method: contains(common.search) }, { model: { name: contains(common.search) } }]
      : undefined,
  });
}

/** NAME sorts explanations by method, then newest first. */
export function explanationSortKeys(sort: ListSort): SortKey[] {
  if (sort !== 'NAME') return sortKeys(sort, { name: 'method' });
  return [{ field: 'method', direction: 'asc' }, { field: 'createdAt', direction: 'desc', date: true }, { field: 'id', direction: 'desc' }];
}

/**
 * One page of explanations under `scope` (a team, or a video), narrowed by `filter`, in `sort`
 * order. Team lists leave out explanations whose video was deleted (`deletedAt`).
 */
export function pageExplanations(
  ctx: ApiContext,
  scope: Prisma.ExplanationWhereInput,
  filter: ExplanationFilter | null | undefined,
  sortArg: string | null | undefined,
  args: PageArgs,
) {
  const where = explanationWhere(filter);
  const sort = checkSort(sortArg);
  const keys = explanationSortKeys(sort);
  return sortedPage(args, sort, keys, (p) =>
    ctx.db.explanation.findMany({ where: { AND: [scope, where, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listExplanations(
  ctx: ApiContext,
  teamId: string,
  videoId: string | null | undefined,
  args: PageArgs & { filter?: ExplanationFilter | null; sort?: string | null },
) {
  return pageExplanations(ctx, { teamId, deletedAt: null, ...(videoId ? { videoId } : {}) }, args.filter, args.sort, args);
}

/**
 * Creates the Explanation row (QUEUED) with its audit event, then enqueues a job carrying only
 * the id. The job id is the explanation id, so a retried enqueue never creates a second job.
 *
 * Every check runs before the transaction, so a request answered with an error writes nothing:
 * the parameters against the method catalogue (BAD_USER_INPUT with field paths), the video and
 * model, the team's queued-job limit (RATE_LIMITED) and Redis (UNAVAILABLE). Once the row is
 * committed, a failing enqueue is logged, not reported: the row stays QUEUED for the reconciler.
 * With an `idempotencyKey`, a retry (or a racing duplicate) returns the first row.
 */
export async function requestExplanation(ctx: ApiContext, caller: Caller, raw: unknown) {
  const ids = requestExplanationSchema.parse(raw);
  const key = ids.idempotencyKey ?? null;
  const byKey = key
    ? { teamId_requestedById_idempotencyKey: { teamId: ids.teamId, requestedById: caller.userId, idempotencyKey: key } }
    : null;
  if (byKey) {
    const existing = await ctx.db.explanation.findUnique({ where: byKey });
    if (existing) return existing;
  }
  await ctx.rateLimits.explanationRequest(ids.teamId);
  const req = validateExplanationRequest(raw as ExplanationRequestFields, ctx.config.limits);
  const video = await ctx.db.video.findUnique({ where: { id: ids.videoId } });
  if (!video || video.teamId !== ids.teamId || video.deletedAt) throw notFound('Video');
  if (video.status !== 'READY') throw badInput('This video could not be read, so it cannot be explained.');
  checkWindowStart(video, req.windowStartSec);
  const model = await getModelForTeam(ctx, ids.modelId, ids.teamId);
  const labels = Array.isArray(model.labels) ? (model.labels as string[]) : [];
  if (req.target !== 'top1' && !labels.includes(req.target)) {
    const idx = Number(req.target);
    if (!Number.isInteger(idx) || idx < 0 || idx >= labels.length) {
      throw badInput(`Target must be top1, one of the model's labels, or an index below ${labels.length}.`, {
        fields: { target: 'Unknown label.' },
      });
    }
  }
  await checkTeamQueue(ctx, ids.teamId);
  await pingRedis(ctx);
  const params = req.params;
  let explanation;
  try {
    explanation = await createExplanation(
      ctx.db,
      {
        teamId: ids.teamId,
        videoId: video.id,
        modelId: model.id,
        requestedById: caller.userId,
        method: req.method,
        target: req.target,
        params: params as Prisma.InputJsonValue,
        windowStartSec: req.windowStartSec,
        idempotencyKey: key,
      },
      {
        actorId: caller.userId,
        action: 'explanation.requested',
        payload: { videoId: video.id, modelId: model.id, method: req.method, target: req.target, params },
      },
    );
  } catch (err) {
    // A racing duplicate with the same key committed first: answer with its row.
    if (byKey && isUniqueViolation(err)) {
      const existing = await ctx.db.explanation.findUnique({ where: byKey });
      if (existing) return existing;
    }
    throw err;
  }
  await enqueueExplanation(ctx, explanation.id);
  return explanation;
}

/**
 * Adds the explanation's job (job id = explanation id). A failure after the row is committed is
 * logged and swallowed: the row stays QUEUED and is enqueued again later, so the client still
 * gets its explanation instead of an error that would make it retry into a duplicate.
 */
export async function enqueueExplanation(ctx: ApiContext, explanationId: string): Promise<void> {
  try {
    // Fair priority between teams, quick methods first (@fep/db explanation-queue.ts).
    await enqueueExplanationJob(ctx.db, ctx.queue, explanationId);
  } catch (err) {
    console.error(`[api] explanation ${explanationId} is QUEUED but its job could not be added; it will be enqueued again`, err);
  }
}

/** A window that starts past the video's last frame has nothing to explain. */
export function checkWindowStart(video: { durationSec: number | null; probe: unknown }, windowStartSec: number | null): void {
  if (windowStartSec == null || video.durationSec == null) return;
  const firstFrameTime = Number((video.probe as { firstFrameTime?: unknown } | null)?.firstFrameTime ?? 0) || 0;
  const end = firstFrameTime + video.durationSec;
  if (windowStartSec >= end) {
    throw badInput('The window starts after the end of the video.', {
      fields: { windowStartSec: `The video ends at ${end.toFixed(2)} s; start before that, or leave empty.` },
    });
  }
}

/** RATE_LIMITED when the team already has `limits.maxQueuedPerTeam` explanations queued or running. */
export async function checkTeamQueue(ctx: ApiContext, teamId: string): Promise<void> {
  const max = ctx.config.limits.maxQueuedPerTeam;
  const pending = await ctx.db.explanation.count({ where: { teamId, status: { in: ['QUEUED', 'RUNNING'] } } });
  if (pending >= max) {
    throw rateLimited(`Your team already has ${pending} explanations queued or running (the limit is ${max}). Wait for some to finish, or cancel some, then try again.`, {
      limit: max,
    });
  }
}

/** UNAVAILABLE before anything is written when Redis (the queue) does not answer. */
export async function pingRedis(ctx: ApiContext): Promise<void> {
  try {
    await ctx.redis.ping();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unavailable('The job queue is unreachable, so the explanation was not requested; nothing was saved. Try again shortly.');
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'P2002';
}

/**
 * Cancels a queued or running explanation — also one stuck in either state — at once: the row
 * moves to CANCELLED through the lifecycle (with its audit event, the caller as actor), a waiting
 * job is removed, and a running engine sees the Redis cancel flag within ~0.5 s and stops (its
 * late result, if any, is refused by the lifecycle's guard).
 */
export async function cancelExplanation(ctx: ApiContext, caller: Caller, id: string) {
  const e = await getExplanation(ctx, id);
  if (e.status === 'DONE' || e.status === 'FAILED' || e.status === 'CANCELLED') {
    throw conflict(`This explanation has already finished (${e.status.toLowerCase()}).`);
  }
  const r = await cancelInLifecycle(ctx.db, id, caller.userId);
  if (!r.changed || !r.row) {
    const now = await getExplanation(ctx, id);
    throw conflict(`This explanation has already finished (${now.status.toLowerCase()}).`);
  }
  // Best effort after the commit: the row is CANCELLED whatever Redis does; a job left behind
  // finds a final row and does nothing.
  await ctx.redis.set(cancelKey(id), '1', 'EX', 24 * 3600).catch(() => {});
  const job = await ctx.queue.getJob(id).catch(() => undefined);
  if (job && ['waiting', 'delayed', 'prioritized'].includes(await job.getState().catch(() => 'unknown'))) await job.remove().catch(() => {});
  await ctx.redis.publish(progressChannel(id), JSON.stringify(statusEvent(id, 'CANCELLED', r.row.progress))).catch(() => {});
  return r.row;
}
