import { z } from 'zod';
import type { StudyAssignment } from '@fep/db';
import { badInput, conflict, notFound } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import type { RaterPlan, PlanEntry } from './studies.plan.ts';
import { getStudy, studyConfig, type AttentionExpectation } from './studies.service.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';
import { saliencyOverlay } from '../explanations/overlay.ts';

/**
 * The rater's side of a study. Everything a rater receives is keyed by per-assignment aliases
 * (item refs and option aliases minted at opening); method names, explanation ids and video ids
 * never leave this module, and media is served by study-scoped routes (studies.routes.ts).
 */
export const TIE = 'TIE';
/** Longest time on one item we accept: 24 h (anything longer is a clock error). */
const MAX_TIME_ON_ITEM_MS = 24 * 3600 * 1000;

export const judgementSchema = z.object({
  studyId: z.string().min(1),
  ref: z.string().min(1).max(64),
  rating: z.number().int().nullish(),
  choice: z.string().min(1).max(64).nullish(),
  ranking: z.array(z.string().min(1).max(64)).max(16).nullish(),
  timeOnItemMs: z.number().int().min(0).max(MAX_TIME_ON_ITEM_MS),
});

export function plan(a: Pick<StudyAssignment, 'plan'>): RaterPlan {
  return a.plan as unknown as RaterPlan;
}

/** The caller's assignment in a study; NOT_FOUND when they are not one of its raters. */
export async function myAssignment(ctx: ApiContext, caller: Caller, studyId: string) {
  const a = await ctx.db.studyAssignment.findUnique({ where: { studyId_raterId: { studyId, raterId: caller.userId } } });
  if (!a) throw notFound('Study');
  return a;
}

async function progressOf(ctx: ApiContext, a: StudyAssignment) {
  const judged = await ctx.db.judgement.count({ where: { assignmentId: a.id } });
  const total = plan(a).entries.length;
  return { judged, total, completed: judged >= total };
}

function raterStudyView(study: Awaited<ReturnType<typeof getStudy>>) {
  const c = studyConfig(study);
  return {
    id: study.id,
    name: study.name,
    instructions: study.instructions,
    design: study.design,
    likertPoints: c.likertPoints ?? null,
    anchors: c.anchors ?? null,
    allowTie: c.allowTie,
    rankK: c.rankK ?? null,
    status: study.status,
  };
}

export async function raterStudy(ctx: ApiContext, caller: Caller, studyId: string) {
  const a = await myAssignment(ctx, caller, studyId);
  const study = await getStudy(ctx, studyId);
  return { ...raterStudyView(study), progress: await progressOf(ctx, a) };
}

export async function myStudies(ctx: ApiContext, caller: Caller, teamId: string, args: PageArgs) {
  const rows = await page(args, byCreatedAt('desc'), (p) =>
    ctx.db.studyAssignment.findMany({
      where: { AND: [{ raterId: caller.userId, study: { teamId, status: 'OPEN' } }, p.where] },
      include: { study: true },
      orderBy: p.orderBy,
      take: p.take,
    }),
  );
  const nodes = await Promise.all(rows.nodes.map(async (a) => ({ ...raterStudyView(a.study), progress: await progressOf(ctx, a) })));
  return { nodes, pageInfo: rows.pageInfo };
}

export function studyMediaBase(studyId: string, ref: string) {
  return `/api/media/studies/${studyId}/items/${ref}`;
}

/** The first item of the rater's seeded order not yet judged, or null when done or closed. */
export async function nextStudyItem(ctx: ApiContext, caller: Caller, studyId: string) {
  const a = await myAssignment(ctx, caller, studyId);
  const study = await getStudy(ctx, studyId);
  if (study.status !== 'OPEN') return null;
  const judged = new Set((await ctx.db.judgement.findMany({ where: { assignmentId: a.id }, select: { itemId: true } })).map((j) => j.itemId));
  const entries = plan(a).entries;
  const index = entries.findIndex((e) => !judged.has(e.itemId));
  if (index < 0) return null;
  const entry = entries[index]!;
  const item = await ctx.db.studyItem.findUniqueOrThrow({ where: { id: entry.itemId }, include: { video: true } });
  // Only what an option needs: the full rows carry metric curves and timings a rater never sees.
  const explanations = await ctx.db.explanation.findMany({
    where: { id: { in: item.explanationIds } },
    select: { id: true, method: true, saliencyShape: true, windowStartSec: true, provenance: true },
  });
  const base = studyMediaBase(studyId, entry.ref);
  return {
    ref: entry.ref,
    index: index + 1,
    total: entries.length,
    design: study.design,
    prompt: item.isAttentionCheck ? ((item.expected as unknown as AttentionExpectation | null)?.prompt ?? null) : null,
    videoUrl: `${base}/video`,
    fps: item.video?.fps ?? null,
    frameCount: item.video?.frameCount ?? null,
    options: entry.placement.map((explIndex, slot) => {
      const e = explanations.find((x) => x.id === item.explanationIds[explIndex])!;
      return {
        alias: entry.aliases[slot]!,
        saliencyUrl: `${base}/options/${entry.aliases[slot]}/saliency.npy`,
        saliencyShape: Array.isArray(e.saliencyShape) ? (e.saliencyShape as number[]) : null,
        windowStartSec: e.windowStartSec,
        // Timestamps and crop only: nothing in it names the method or the explanation.
        overlay: saliencyOverlay(e, item.video),
        label: study.blinded ? null : e.method,
      };
    }),
  };
}

/** Resolves a rater's (ref, alias) to what it stands for; used by the media routes. */
export async function resolveRaterMedia(ctx: ApiContext, caller: Caller, studyId: string, ref: string, alias?: string) {
  const a = await myAssignment(ctx, caller, studyId);
  const entry = plan(a).entries.find((e) => e.ref === ref);
  if (!entry) throw notFound('Study item');
  const item = await ctx.db.studyItem.findUniqueOrThrow({ where: { id: entry.itemId }, include: { video: true } });
  if (alias === undefined) return { video: item.video, explanation: null };
  const slot = entry.aliases.indexOf(alias);
  if (slot < 0) throw notFound('Study item');
  const explanation = await ctx.db.explanation.findUnique({ where: { id: item.explanationIds[entry.placement[slot]!]! } });
  return { video: item.video, explanation };
}

/** Turns the rater's answer (in aliases) into the stored, unblinded value. */
function storedValue(
  design: 'LIKERT' | 'PAIRWISE' | 'RANKING',
  config: { likertPoints?: number; allowTie: boolean },
  input: z.infer<typeof judgementSchema>,
  entry: PlanEntry,
  explanationIds: string[],
) {
  const shown = entry.placement.map((i) => explanationIds[i]!);
  const slotOf = (alias: string) => {
    const s = entry.aliases.indexOf(alias);
    if (s < 0) throw badInput('That option is not part of this item.', { fields: { choice: 'Unknown option.' } });
    return s;
  };
  if (design === 'LIKERT') {
    const points = config.likertPoints ?? 5;
    if (input.rating == null || input.rating < 1 || input.rating > points)
      throw badInput(`Rate from 1 to ${points}.`, { fields: { rating: `1–${points}` } });
    return { value: { rating: input.rating }, slot: null as number | null };
  }
  if (design === 'PAIRWISE') {
    if (!input.choice) throw badInput('Choose one of the two explanations.', { fields: { choice: 'Required.' } });
    if (input.choice === TIE) {
      if (!config.allowTie) throw badInput('This study has no “can’t tell” option.', { fields: { choice: 'Choose one.' } });
      return { value: { choice: 'TIE', winner: null, shown }, slot: null };
    }
    const slot = slotOf(input.choice);
    return { value: { choice: slot === 0 ? 'LEFT' : 'RIGHT', winner: shown[slot]!, shown }, slot };
  }
  const ranking = input.ranking ?? [];
  if (ranking.length !== entry.aliases.length || new Set(ranking).size !== ranking.length)
    throw badInput(`Rank all ${entry.aliases.length} explanations, each once.`, { fields: { ranking: 'Incomplete.' } });
  const slots = ranking.map(slotOf);
  return { value: { ranking: slots.map((s) => shown[s]!), shown }, slot: slots[0]! };
}

export async function submitJudgement(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = judgementSchema.parse(raw);
  const a = await myAssignment(ctx, caller, input.studyId);
  const study = await getStudy(ctx, input.studyId);
  if (study.status !== 'OPEN') throw conflict('This study is not open.');
  const entry = plan(a).entries.find((e) => e.ref === input.ref);
  if (!entry) throw notFound('Study item');
  const item = await ctx.db.studyItem.findUniqueOrThrow({ where: { id: entry.itemId } });
  const { value, slot } = storedValue(study.design, studyConfig(study), input, entry, item.explanationIds);
  let stored: Record<string, unknown> = value;
  if (item.isAttentionCheck) {
    const exp = item.expected as unknown as AttentionExpectation;
    const passed = exp.rating != null ? (value as { rating?: number }).rating === exp.rating : slot === exp.slot;
    stored = { ...value, attentionCheck: { passed } };
  }
  const total = plan(a).entries.length;
  // Two concurrent submissions of one item: the unique (assignment, item) index lets one win.
  const duplicate = (err: unknown) => {
    if ((err as { code?: string }).code === 'P2002') throw conflict('You have already judged this item.');
    throw err;
  };
  return ctx.db.$transaction(async (tx) => {
    const existing = await tx.judgement.findUnique({ where: { assignmentId_itemId: { assignmentId: a.id, itemId: item.id } } });
    if (existing) throw conflict('You have already judged this item.');
    const j = await tx.judgement.create({
      data: {
        studyId: study.id,
        itemId: item.id,
        assignmentId: a.id,
        raterId: caller.userId,
        value: stored as never,
        timeOnItemMs: input.timeOnItemMs,
      },
    });
    const judged = await tx.judgement.count({ where: { assignmentId: a.id } });
    if (judged >= total && !a.completedAt) await tx.studyAssignment.update({ where: { id: a.id }, data: { completedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.judgement_submitted',
      subjectType: 'Judgement',
      subjectId: j.id,
      payload: { studyId: study.id, itemId: item.id, pseudonym: a.pseudonym },
    });
    return { judged, total, completed: judged >= total };
  }).catch(duplicate);
}
