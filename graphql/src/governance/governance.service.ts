import { createHash } from 'node:crypto';
import { z } from 'zod';
import { appendAuditEvent, canonicalJson, createExplanation, verifyChain, type Prisma } from '@fep/db';
import { badInput, conflict, notFound } from '@fep/shared';
import type { ApiContext, Caller } from '../context.ts';
import { getModelForTeam } from '../models/models.service.ts';
import { isMethodName, knownParams, validateExplanationRequest } from '@fep/shared/methods';
import { enqueueExplanation, pingRedis } from '../explanations/explanations.service.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Checks an explanation's provenance three ways: against its stored hash, against the hash the
 * engine wrote into the (hash-chained) completion event, and the chain itself. An edit of the
 * provenance made behind the database's back fails the first or second check.
 */
export async function verifyProvenance(ctx: ApiContext, explanationId: string) {
  const e = await ctx.db.explanation.findUnique({ where: { id: explanationId } });
  if (!e) throw notFound('Explanation');
  if (!e.provenance || !e.provenanceSha256) {
    return { ok: false, matchesRow: false, matchesAuditEvent: false, auditChainOk: true, detail: 'This explanation has no provenance yet (not finished).' };
  }
  const actual = sha256Hex(canonicalJson(e.provenance));
  const event = await ctx.db.auditEvent.findFirst({
    where: { chain: e.teamId, subjectType: 'Explanation', subjectId: e.id, action: 'explanation.completed' },
    orderBy: { seq: 'asc' },
  });
  const recorded = (event?.payload as { provenanceSha256?: string } | null)?.provenanceSha256;
  const chain = await verifyChain(ctx.db, e.teamId);
  const matchesRow = actual === e.provenanceSha256;
  const matchesAuditEvent = recorded === actual;
  const ok = matchesRow && matchesAuditEvent && chain.ok;
  const problems = [
    !matchesRow && 'the provenance does not match its stored hash',
    !matchesAuditEvent && (recorded ? 'the provenance differs from what the engine recorded in the audit log' : 'no completion event records this provenance'),
    !chain.ok && `the audit chain is broken at event ${chain.firstBrokenEventId}`,
  ].filter(Boolean);
  return {
    ok,
    matchesRow,
    matchesAuditEvent,
    auditChainOk: chain.ok,
    detail: ok ? `Provenance verified (sha256 ${actual.slice(0, 16)}…).` : `Tampering detected: ${problems.join('; ')}.`,
  };
}

/**
 * Queues a re-run of a finished explanation with exactly its recorded settings (resolved
 * parameters, seed, window, target). The worker compares the result with the original.
 */
export async function reproduceExplanation(ctx: ApiContext, caller: Caller, id: string) {
  const original = await ctx.db.explanation.findUnique({ where: { id }, include: { video: true } });
  if (!original) throw notFound('Explanation');
  if (original.status !== 'DONE' || !original.provenance) throw conflict('Only a finished explanation can be reproduced.');
  if (original.video.blobDeletedAt) throw badInput('The input video has been removed by retention; it cannot be re-run.');
  const prov = original.provenance as { params?: Record<string, unknown>; windowStartSec?: number; seed?: number | null };
  if (!isMethodName(original.method)) throw badInput(`The method "${original.method}" is no longer offered; it cannot be re-run.`);
  // The same catalogue check as a new request (limits may have changed since); derived values
  // that provenance records (SmoothGrad's sigma) are recomputed, so only known keys go in.
  const { params, windowStartSec } = validateExplanationRequest(
    {
      method: original.method,
      target: original.target,
      windowStartSec: prov.windowStartSec ?? original.windowStartSec,
      params: knownParams(original.method, { ...(prov.params ?? {}), ...(prov.seed != null ? { seed: prov.seed } : {}) }),
    },
    ctx.config.limits,
  );
  await pingRedis(ctx);
  const repro = await createExplanation(
    ctx.db,
    {
      teamId: original.teamId,
      videoId: original.videoId,
      modelId: original.modelId,
      requestedById: caller.userId,
      method: original.method,
      target: original.target,
      params: params as Prisma.InputJsonValue,
      windowStartSec,
      reproducesId: original.id,
    },
    {
      actorId: caller.userId,
      action: 'explanation.reproduce_requested',
      payload: { reproducesId: original.id, provenanceSha256: original.provenanceSha256 },
    },
  );
  await enqueueExplanation(ctx, repro.id);
  return repro;
}

const text = (label: string) => z.string().trim().min(1, `Describe the ${label}.`).max(20_000);
export const modelCardSchema = z.object({
  intendedUse: text('intended use'),
  trainingData: text('training data'),
  evaluation: text('evaluation'),
  limitations: text('limitations'),
  ethicalConsiderations: text('ethical considerations'),
});

/** Appends a model card revision (history is kept; nothing is overwritten). */
export async function updateModelCard(ctx: ApiContext, caller: Caller, teamId: string, modelId: string, raw: unknown) {
  const card = modelCardSchema.parse(raw);
  await getModelForTeam(ctx, modelId, teamId);
  return ctx.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'modelcard:' + modelId + ':' + teamId}))`;
    const last = await tx.modelCardRevision.findFirst({ where: { modelId, teamId }, orderBy: { revision: 'desc' } });
    const revision = await tx.modelCardRevision.create({
      data: { modelId, teamId, authorId: caller.userId, revision: (last?.revision ?? 0) + 1, card },
    });
    await appendAuditEvent(tx, {
      teamId,
      actorId: caller.userId,
      action: 'model_card.revised',
      subjectType: 'Model',
      subjectId: modelId,
      payload: { revision: revision.revision, cardSha256: sha256Hex(canonicalJson(card)) },
    });
    return revision;
  });
}

export async function modelCardHistory(ctx: ApiContext, teamId: string, modelId: string, args: PageArgs) {
  await getModelForTeam(ctx, modelId, teamId);
  return page(args, [{ field: 'revision', direction: 'desc' }, { field: 'id', direction: 'desc' }], (p) =>
    ctx.db.modelCardRevision.findMany({ where: { AND: [{ modelId, teamId }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listAuditReports(ctx: ApiContext, teamId: string, args: PageArgs) {
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.auditReport.findMany({ where: { AND: [{ teamId }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** Explanations that reproduce this one, oldest first. */
export function listReproductions(ctx: ApiContext, explanationId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.explanation.findMany({ where: { AND: [{ reproducesId: explanationId }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** The explanation `e` reproduces, in e's own team (a reproduction is always created there). */
export function originalOf(ctx: ApiContext, e: { reproducesId: string | null; teamId: string }) {
  return e.reproducesId ? ctx.db.explanation.findFirst({ where: { id: e.reproducesId, teamId: e.teamId } }) : null;
}
