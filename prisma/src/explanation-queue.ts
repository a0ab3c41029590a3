/**
 * How an explanation's job enters the queue: the one place that adds it (the API after creating
 * the row, the reconciler when a job was lost), so every job gets the same priority rule.
 *
 * Fair scheduling with BullMQ priorities (1 runs first; equal priorities run oldest first):
 *
 *   priority = 1 + min(rank, RANK_CAP) + (cost === 'minutes' ? MINUTES_OFFSET : 0)
 *
 * - `rank`: how many of the same team's explanations of the same cost class are waiting or running
 *   and were requested before this one. A team's k-th pending job therefore waits behind every
 *   other team's jobs of rank < k: one team queueing fifty F-EP runs does not starve another
 *   team's single run, which waits for at most one of them besides the run in progress (teams
 *   take turns).
 * - `cost` (the method catalogue): 'seconds' methods (Grad-CAM, gradient, random, SmoothGrad,
 *   Integrated Gradients) come before every waiting 'minutes' method (F-EP, EP, EP + smoothing,
 *   occlusion), so a quick look never waits behind queued optimisations. It still waits for the
 *   one job the engine is computing, which is not interrupted.
 *
 * The rank is taken when the job is added; it is not recomputed as other jobs finish, which only
 * ever moves a job ahead of where a recomputation would put it relative to its own team.
 * Every job must carry a priority: BullMQ runs jobs without one before all prioritized jobs.
 */
import { METHOD_NAMES, methodCost, type ExplainJobData } from '@fep/shared';
import type { Db } from './client.ts';
import type { Prisma } from '../generated/client/client.ts';

type Tx = Prisma.TransactionClient;

/** Ranks above this share one priority (BullMQ allows priorities up to 2^21). */
export const RANK_CAP = 9_999;
/** Added to every 'minutes' method's priority, above any 'seconds' priority. */
export const MINUTES_OFFSET = RANK_CAP + 1;

const METHOD_NAMES_BY_COST: Record<'seconds' | 'minutes', string[]> = {
  seconds: METHOD_NAMES.filter((m) => methodCost(m) === 'seconds'),
  minutes: METHOD_NAMES.filter((m) => methodCost(m) === 'minutes'),
};

/** The part of a BullMQ queue this module uses. */
export interface ExplanationJobQueue {
  add(name: 'explain', data: ExplainJobData, opts: { jobId: string; priority: number }): Promise<unknown>;
}

export function jobPriority(cost: 'seconds' | 'minutes', rank: number): number {
  return 1 + Math.min(Math.max(0, rank), RANK_CAP) + (cost === 'minutes' ? MINUTES_OFFSET : 0);
}

/** The priority of an explanation's job under the rule above (reads the row and its team's queue). */
export async function explanationJobPriority(db: Db | Tx, explanationId: string): Promise<number> {
  const row = await db.explanation.findUniqueOrThrow({ where: { id: explanationId }, select: { teamId: true, method: true, createdAt: true } });
  const cost = methodCost(row.method);
  const sameCost = METHOD_NAMES_BY_COST[cost];
  const rank = await db.explanation.count({
    where: {
      teamId: row.teamId,
      status: { in: ['QUEUED', 'RUNNING'] },
      method: { in: sameCost },
      // Requested before this one (ties on the timestamp broken by id, so the order is total).
      OR: [{ createdAt: { lt: row.createdAt } }, { createdAt: row.createdAt, id: { lt: explanationId } }],
    },
  });
  return jobPriority(cost, rank);
}

/** Adds the explanation's job (job id = explanation id) with its fair priority. */
export async function enqueueExplanationJob(db: Db | Tx, queue: ExplanationJobQueue, explanationId: string): Promise<number> {
  const priority = await explanationJobPriority(db, explanationId);
  await queue.add('explain', { explanationId }, { jobId: explanationId, priority });
  return priority;
}
