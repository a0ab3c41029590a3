import { z } from 'zod';
import { canonicalJson, type Prisma, type Study, type StudyItem } from '@fep/db';
import { badInput, conflict, notFound } from '@fep/shared';
import { hashSeed, mulberry32, randInt } from '@fep/stats';
import { createHash, randomInt } from 'node:crypto';
import { appendAuditEvent } from '../audit/audit.service.ts';
import { notify, pingRecipients } from '../notifications/notifications.service.ts';
import { can } from '../auth/permissions.ts';
import type { ApiContext, Caller } from '../context.ts';
import { METHOD_NAMES } from '@fep/shared/methods';
import { requestExplanation } from '../explanations/explanations.service.ts';
import { autoAssign, buildPlans, type PlanItem } from './studies.plan.ts';
import { byCreatedAt, mapNodes, page, sortedPage, type PageArgs, type SortKey } from '../common/pagination.ts';
import { checkCommonFilter, checkEnum, checkSort, compact, contains, dateRange, sortKeys, type CommonFilter } from '../common/list-query.ts';

/** Likert scales offered: 5 and 7 points (Likert 1932 used 5; 7-point scales are the common alternative). */
const LIKERT_POINTS = [5, 7] as const;
/** Default anchors: end points labelled, as in most plausibility studies; one label per point is allowed. */
export function defaultAnchors(points: number): string[] {
  return Array.from({ length: points }, (_, i) =>
    i === 0 ? 'Not at all plausible' : i === points - 1 ? 'Completely plausible' : String(i + 1),
  );
}

/** Study.config: design settings plus who rates and how items were chosen (frozen at opening). */
export interface StudyConfig {
  likertPoints?: number;
  anchors?: string[];
  allowTie: boolean;
  rankK?: number;
  raterIds: string[];
  attentionChecks: number;
  assignmentMode: 'AUTO' | 'MANUAL';
  manual?: Record<string, string[]>;
  source: { videoIds: string[]; methods: string[]; modelId: string; target: string } | { explanationIds: string[] };
}

/** StudyItem.expected for attention checks: the prompt and the answer that passes. */
export interface AttentionExpectation {
  prompt: string;
  rating?: number;
  /** Display slot (0 = left / first) that must be chosen or ranked first. */
  slot?: number;
}

export function studyConfig(study: Pick<Study, 'config'>): StudyConfig {
  return study.config as unknown as StudyConfig;
}

const id = z.string().min(1).max(100);
export const createStudySchema = z
  .object({
    teamId: id,
    name: z.string().trim().min(1, 'Name the study.').max(120),
    instructions: z.string().max(20_000).default(''),
    design: z.enum(['LIKERT', 'PAIRWISE', 'RANKING']),
    likertPoints: z.number().int().nullish(),
    anchors: z.array(z.string().trim().min(1).max(200)).nullish(),
    allowTie: z.boolean().nullish(),
    rankK: z.number().int().min(2).max(8).nullish(),
    blinded: z.boolean().default(true),
    seed: z.number().int().min(0).max(2 ** 31 - 1).nullish(),
    overlap: z.number().int().min(1).max(50).default(3),
    raterIds: z.array(id).min(1, 'Choose at least one rater.').max(500),
    attentionChecks: z.number().int().min(0).max(50).default(0),
    videoIds: z.array(id).max(500).nullish(),
    methods: z.array(z.enum(METHOD_NAMES)).max(METHOD_NAMES.length).nullish(),
    modelId: id.nullish(),
    target: z.string().trim().min(1).max(100).default('top1'),
    explanationIds: z.array(id).max(2000).nullish(),
  })
  .superRefine((v, c) => {
    const explicit = !!v.explanationIds?.length;
    const grid = !!v.videoIds?.length || !!v.methods?.length;
    if (explicit === grid) c.addIssue({ code: 'custom', path: ['videoIds'], message: 'Give either videos × methods or explanation ids.' });
    if (grid && (!v.videoIds?.length || !v.methods?.length || !v.modelId))
      c.addIssue({ code: 'custom', path: ['methods'], message: 'Videos × methods needs videos, methods and a model.' });
    if (v.design === 'LIKERT') {
      const points = v.likertPoints ?? 5;
      if (!(LIKERT_POINTS as readonly number[]).includes(points))
        c.addIssue({ code: 'custom', path: ['likertPoints'], message: 'Use a 5- or 7-point scale.' });
      if (v.anchors && v.anchors.length !== points)
        c.addIssue({ code: 'custom', path: ['anchors'], message: `Give one anchor per scale point (${points}).` });
    }
    if (new Set(v.raterIds).size !== v.raterIds.length) c.addIssue({ code: 'custom', path: ['raterIds'], message: 'Raters repeat.' });
    // Each item needs `overlap` distinct raters: refuse now rather than at openStudy.
    if (v.overlap > new Set(v.raterIds).size)
      c.addIssue({ code: 'custom', path: ['overlap'], message: `Overlap (${v.overlap}) exceeds the number of raters (${new Set(v.raterIds).size}).` });
    if (new Set(v.methods ?? []).size !== (v.methods ?? []).length) c.addIssue({ code: 'custom', path: ['methods'], message: 'Methods repeat.' });
  });

export const updateStudySchema = z.object({
  name: z.string().trim().min(1).max(120).nullish(),
  instructions: z.string().max(20_000).nullish(),
  blinded: z.boolean().nullish(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).nullish(),
  overlap: z.number().int().min(1).max(50).nullish(),
  raterIds: z.array(id).min(1).max(500).nullish(),
  anchors: z.array(z.string().trim().min(1).max(200)).nullish(),
});

export const assignmentSchema = z.array(z.object({ raterId: id, itemIds: z.array(id).max(5000) })).max(500);

export async function getStudyTeam(ctx: ApiContext, studyId: string) {
  return (await ctx.db.study.findUnique({ where: { id: studyId }, select: { teamId: true } }))?.teamId ?? null;
}

export async function getStudy(ctx: ApiContext, studyId: string) {
  const s = await ctx.db.study.findUnique({ where: { id: studyId } });
  if (!s) throw notFound('Study');
  return s;
}

/** What the study list may be narrowed by (StudyFilter in the SDL). */
export interface StudyFilter extends CommonFilter {
  status?: string | null;
  design?: string | null;
}

export function listStudies(ctx: ApiContext, teamId: string, args: PageArgs & { filter?: StudyFilter | null; sort?: string | null }) {
  const common = checkCommonFilter(args.filter);
  const status = checkEnum('status', args.filter?.status, ['DRAFT', 'OPEN', 'CLOSED'] as const);
  const design = checkEnum('design', args.filter?.design, ['LIKERT', 'PAIRWISE', 'RANKING'] as const);
  const sort = checkSort(args.sort);
  const where: Prisma.StudyWhereInput = compact({
    teamId,
    status: status ?? undefined,
    design: design ?? undefined,
    createdById: common.authorId ?? undefined,
    createdAt: dateRange(common),
    name: common.search ? contains(common.search) : undefined,
  });
  return sortedPage(args, sort, sortKeys(sort, { name: 'name' }), (p) =>
    ctx.db.study.findMany({ where: { AND: [where, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** One page of a study's items in position order (listItems reads them all, for the services). */
export function pageItems(ctx: ApiContext, studyId: string, args: PageArgs) {
  const keys: SortKey[] = [{ field: 'position', direction: 'asc' }, { field: 'id', direction: 'asc' }];
  return page(args, keys, (p) => ctx.db.studyItem.findMany({ where: { AND: [{ studyId }, p.where] }, orderBy: p.orderBy, take: p.take }));
}

export function listItems(ctx: ApiContext, studyId: string) {
  return ctx.db.studyItem.findMany({ where: { studyId }, orderBy: { position: 'asc' } });
}

interface Group {
  videoId: string;
  explanationIds: string[];
}

function combinations<T>(xs: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (xs.length < k) return [];
  const [head, ...rest] = xs;
  return [...combinations(rest, k - 1).map((c) => [head!, ...c]), ...combinations(rest, k)];
}

/** Items of a design from per-video explanation groups (Likert: one each; pairwise: pairs; ranking: k-subsets). */
export function itemsFromGroups(design: Study['design'], groups: readonly Group[], rankK?: number | null) {
  const items: { videoId: string; explanationIds: string[] }[] = [];
  for (const g of groups) {
    if (design === 'LIKERT') for (const e of g.explanationIds) items.push({ videoId: g.videoId, explanationIds: [e] });
    else {
      const k = design === 'PAIRWISE' ? 2 : (rankK ?? g.explanationIds.length);
      if (g.explanationIds.length < k) throw badInput(`Each video needs at least ${k} explanations for this design.`);
      for (const c of combinations(g.explanationIds, k)) items.push({ videoId: g.videoId, explanationIds: c });
    }
  }
  return items;
}

/**
 * Creates a DRAFT study: resolves its explanations (reusing existing, non-failed ones for the same
 * video, model, method and target; requesting missing ones from the engine), lays out the items
 * and attention checks, and audits the creation.
 */
export async function createStudy(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = createStudySchema.parse(raw);
  let groups: Group[];
  let source: StudyConfig['source'];
  if (input.explanationIds?.length) {
    const unique = [...new Set(input.explanationIds)];
    const rows = await ctx.db.explanation.findMany({ where: { id: { in: unique }, teamId: input.teamId } });
    if (rows.length !== unique.length) throw notFound('Explanation');
    const byVideo = new Map<string, string[]>();
    for (const eid of unique) {
      const e = rows.find((r) => r.id === eid)!;
      (byVideo.get(e.videoId) ?? byVideo.set(e.videoId, []).get(e.videoId)!).push(e.id);
    }
    groups = [...byVideo].map(([videoId, explanationIds]) => ({ videoId, explanationIds }));
    await assertVideosReady(ctx, input.teamId, groups.map((g) => g.videoId), 'explanationIds', unique.map((e) => rows.find((r) => r.id === e)!.videoId));
    source = { explanationIds: unique };
  } else {
    const videoIds = [...new Set(input.videoIds!)];
    await assertVideosReady(ctx, input.teamId, videoIds, 'videoIds', input.videoIds!);
    const methods = input.methods!;
    groups = [];
    for (const videoId of videoIds) {
      const ids: string[] = [];
      for (const method of methods) {
        const existing = await ctx.db.explanation.findFirst({
          where: {
            teamId: input.teamId,
            videoId,
            modelId: input.modelId!,
            method,
            target: input.target,
            status: { in: ['DONE', 'QUEUED', 'RUNNING'] },
          },
          orderBy: [{ status: 'desc' }, { createdAt: 'desc' }], // DONE before RUNNING before QUEUED (enum order)
        });
        const e =
          existing ??
          (await requestExplanation(ctx, caller, {
            teamId: input.teamId,
            videoId,
            modelId: input.modelId!,
            method,
            target: input.target,
          }));
        ids.push(e.id);
      }
      groups.push({ videoId, explanationIds: ids });
    }
    source = { videoIds, methods, modelId: input.modelId!, target: input.target };
  }
  const laid = itemsFromGroups(input.design, groups, input.rankK);
  if (!laid.length) throw badInput('The study has no items.');
  const seed = input.seed ?? randomInt(0, 2 ** 31 - 1);
  const slots = laid[0]!.explanationIds.length;
  const points = input.likertPoints ?? 5;
  const config: StudyConfig = {
    ...(input.design === 'LIKERT' ? { likertPoints: points, anchors: input.anchors ?? defaultAnchors(points) } : {}),
    allowTie: input.design === 'PAIRWISE' ? (input.allowTie ?? false) : false,
    ...(input.design === 'RANKING' ? { rankK: slots } : {}),
    raterIds: input.raterIds,
    attentionChecks: input.attentionChecks,
    assignmentMode: 'AUTO',
    source,
  };
  // Attention checks look like regular items (a seeded copy of one) with an explicit instruction.
  const rng = mulberry32(hashSeed(seed, 'attention'));
  const checks = Array.from({ length: input.attentionChecks }, () => {
    const copy = laid[randInt(rng, laid.length)]!;
    const expected: AttentionExpectation =
      input.design === 'LIKERT'
        ? (() => {
            const rating = 1 + randInt(rng, points);
            return { rating, prompt: `Attention check: please answer ${rating} for this item.` };
          })()
        : input.design === 'PAIRWISE'
          ? { slot: 0, prompt: 'Attention check: please choose the explanation on the left.' }
          : { slot: 0, prompt: 'Attention check: please rank the first (left-most) explanation as most plausible.' };
    return { ...copy, expected };
  });
  return ctx.db.$transaction(async (tx) => {
    const study = await tx.study.create({
      data: {
        teamId: input.teamId,
        createdById: caller.userId,
        name: input.name,
        instructions: input.instructions,
        design: input.design,
        config: config as unknown as Prisma.InputJsonValue,
        blinded: input.blinded,
        seed,
        overlap: input.overlap,
      },
    });
    await tx.studyItem.createMany({
      data: [
        ...laid.map((it, position) => ({ studyId: study.id, position, videoId: it.videoId, explanationIds: it.explanationIds })),
        ...checks.map((it, i) => ({
          studyId: study.id,
          position: laid.length + i,
          videoId: it.videoId,
          explanationIds: it.explanationIds,
          isAttentionCheck: true,
          expected: it.expected as unknown as Prisma.InputJsonValue,
        })),
      ],
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId,
      actorId: caller.userId,
      action: 'study.created',
      subjectType: 'Study',
      subjectId: study.id,
      payload: { name: study.name, design: study.design, items: laid.length, attentionChecks: checks.length, seed },
    });
    return study;
  });
}

/**
 * Refuses videos that are not READY (FAILED, or still processing): a FAILED video can never be
 * explained, so a study over it could never open. The field path names the offending entry,
 * e.g. `videoIds.2` (or `explanationIds.0` for an explanation of such a video).
 */
async function assertVideosReady(ctx: ApiContext, teamId: string, videoIds: string[], field: 'videoIds' | 'explanationIds', perEntry: string[]) {
  const rows = await ctx.db.video.findMany({ where: { id: { in: videoIds }, teamId }, select: { id: true, title: true, status: true, deletedAt: true } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const fields: Record<string, string> = {};
  perEntry.forEach((vid, i) => {
    const v = byId.get(vid);
    if (!v) fields[`${field}.${i}`] = 'No such video in this team.';
    else if (v.deletedAt) fields[`${field}.${i}`] = `Video “${v.title}” is deleted; deleted videos cannot be studied.`;
    else if (v.status !== 'READY') fields[`${field}.${i}`] = `Video “${v.title}” is ${v.status.toLowerCase()}, not ready; only READY videos can be studied.`;
  });
  const bad = Object.keys(fields);
  if (bad.length) throw badInput(`${bad.length} of the chosen ${field === 'videoIds' ? 'videos' : 'explanations'} ${bad.length === 1 ? 'is' : 'are'} on a video that is not ready.`, { fields });
}

function assertDraft(study: Study) {
  if (study.status !== 'DRAFT') throw conflict('The protocol is frozen once the study is open.');
}

export async function updateStudy(ctx: ApiContext, caller: Caller, studyId: string, raw: unknown) {
  const input = updateStudySchema.parse(raw);
  const study = await getStudy(ctx, studyId);
  assertDraft(study);
  const config = studyConfig(study);
  if (input.anchors) {
    if (study.design !== 'LIKERT' || input.anchors.length !== config.likertPoints)
      throw badInput(`Give one anchor per scale point (${config.likertPoints ?? 'Likert only'}).`);
    config.anchors = input.anchors;
  }
  if (input.raterIds) {
    if (new Set(input.raterIds).size !== input.raterIds.length) throw badInput('Raters repeat.');
    config.raterIds = input.raterIds;
    if (config.manual) config.manual = Object.fromEntries(Object.entries(config.manual).filter(([r]) => input.raterIds!.includes(r)));
  }
  const overlap = input.overlap ?? study.overlap;
  if (overlap > config.raterIds.length) {
    const message = `Overlap (${overlap}) exceeds the number of raters (${config.raterIds.length}).`;
    throw badInput(message, { fields: { [input.overlap != null ? 'overlap' : 'raterIds']: message } });
  }
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.study.update({
      where: { id: studyId },
      data: {
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.instructions != null ? { instructions: input.instructions } : {}),
        ...(input.blinded != null ? { blinded: input.blinded } : {}),
        ...(input.seed != null ? { seed: input.seed } : {}),
        ...(input.overlap != null ? { overlap: input.overlap } : {}),
        config: config as unknown as Prisma.InputJsonValue,
      },
    });
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.updated',
      subjectType: 'Study',
      subjectId: studyId,
      payload: JSON.parse(JSON.stringify(input)),
    });
    return updated;
  });
}

/** Manual assignment: which items each rater judges (attention checks always go to everyone). */
export async function setStudyAssignment(ctx: ApiContext, caller: Caller, studyId: string, raw: unknown) {
  const assignments = assignmentSchema.parse(raw);
  const study = await getStudy(ctx, studyId);
  assertDraft(study);
  const config = studyConfig(study);
  const items = await listItems(ctx, studyId);
  const regular = new Set(items.filter((i) => !i.isAttentionCheck).map((i) => i.id));
  const manual: Record<string, string[]> = {};
  for (const a of assignments) {
    if (!config.raterIds.includes(a.raterId)) throw badInput('Assign items only to the study’s raters.', { fields: { raterId: a.raterId } });
    for (const itemId of a.itemIds) if (!regular.has(itemId)) throw notFound('Study item');
    manual[a.raterId] = [...new Set(a.itemIds)];
  }
  const useManual = assignments.length > 0;
  const next: StudyConfig = { ...config, assignmentMode: useManual ? 'MANUAL' : 'AUTO', ...(useManual ? { manual } : {}) };
  if (!useManual) delete next.manual;
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.study.update({ where: { id: studyId }, data: { config: next as unknown as Prisma.InputJsonValue } });
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.assignment_set',
      subjectType: 'Study',
      subjectId: studyId,
      payload: { mode: next.assignmentMode, items: Object.fromEntries(Object.entries(manual).map(([r, ids]) => [r, ids.length])) },
    });
    return updated;
  });
}

export async function readiness(ctx: ApiContext, studyId: string) {
  const items = await listItems(ctx, studyId);
  const ids = [...new Set(items.flatMap((i) => i.explanationIds))];
  const rows = await ctx.db.explanation.findMany({ where: { id: { in: ids } }, select: { status: true } });
  const done = rows.filter((r) => r.status === 'DONE').length;
  const failed = rows.filter((r) => r.status === 'FAILED' || r.status === 'CANCELLED').length + (ids.length - rows.length);
  return { ready: ids.length > 0 && done === ids.length, explanations: ids.length, done, failed, pending: ids.length - done - failed };
}

function pseudonym(i: number): string {
  return `R${String(i + 1).padStart(2, '0')}`;
}

function planItems(items: readonly StudyItem[]): PlanItem[] {
  return items.map((i) => ({ id: i.id, position: i.position, slots: i.explanationIds.length, isAttentionCheck: i.isAttentionCheck }));
}

/**
 * Opens a DRAFT study: every explanation must be DONE and every rater a team member allowed to
 * participate. Assigns items (balanced auto or manual), builds each rater's seeded plan, and
 * freezes the protocol — all in one transaction with the audit event, which records the
 * protocol's SHA-256.
 */
export async function openStudy(ctx: ApiContext, caller: Caller, studyId: string) {
  const study = await getStudy(ctx, studyId);
  assertDraft(study);
  const ready = await readiness(ctx, studyId);
  if (!ready.ready) {
    throw conflict(
      `The study can open once all ${ready.explanations} explanations are done (${ready.done} done, ${ready.pending} pending, ${ready.failed} failed).`,
    );
  }
  const config = studyConfig(study);
  const members = await ctx.db.membership.findMany({ where: { teamId: study.teamId, userId: { in: config.raterIds } } });
  for (const raterId of config.raterIds) {
    const m = members.find((x) => x.userId === raterId);
    if (!m || !can(m.role, 'study.participate')) throw badInput('Every rater must be a team member who may take part in studies.', { fields: { raterIds: raterId } });
  }
  const items = await listItems(ctx, studyId);
  const pitems = planItems(items);
  let assignment: Map<string, string[]>;
  if (config.assignmentMode === 'MANUAL') {
    const checks = items.filter((i) => i.isAttentionCheck).map((i) => i.id);
    // Raters given no items by the manual assignment take no part (no assignment row).
    const assigned = config.raterIds.filter((r) => config.manual?.[r]?.length);
    if (!assigned.length) throw badInput('The manual assignment gives no rater any item.');
    assignment = new Map(assigned.map((r) => [r, [...config.manual![r]!, ...checks]]));
  } else {
    if (study.overlap > config.raterIds.length) throw badInput(`Overlap (${study.overlap}) exceeds the number of raters (${config.raterIds.length}).`);
    assignment = autoAssign(study.seed, config.raterIds, pitems, study.overlap);
  }
  const plans = buildPlans(study.seed, pitems, assignment);
  const raterOrder = [...assignment.keys()];
  const explanations = await ctx.db.explanation.findMany({
    where: { id: { in: [...new Set(items.flatMap((i) => i.explanationIds))] } },
    select: { id: true, method: true, videoId: true, modelId: true, target: true, params: true, provenance: true },
  });
  const openedAt = new Date();
  const protocol = {
    format: 'fep-study-protocol/1',
    studyId,
    name: study.name,
    instructions: study.instructions,
    design: study.design,
    config,
    blinded: study.blinded,
    seed: study.seed,
    overlap: study.overlap,
    randomisation:
      'Item order: Fisher–Yates shuffle seeded by (seed, rater id); placements: cyclic rotation of a seeded permutation over an item’s raters (balanced ±1); PRNG mulberry32 with FNV-1a seeds (@fep/stats).',
    raters: raterOrder.map((raterId, i) => ({ pseudonym: pseudonym(i), raterId, items: assignment.get(raterId)!.length })),
    items: items.map((i) => ({
      id: i.id,
      position: i.position,
      videoId: i.videoId,
      explanationIds: i.explanationIds,
      methods: i.explanationIds.map((e) => explanations.find((x) => x.id === e)?.method ?? null),
      isAttentionCheck: i.isAttentionCheck,
      expected: i.expected,
    })),
    explanations,
    plans: Object.fromEntries(
      raterOrder.map((r, i) => [pseudonym(i), plans.get(r)!.entries.map((e) => ({ itemId: e.itemId, placement: e.placement }))]),
    ),
    analysis: {
      bootstrap: { B: 2000, level: 0.95, method: 'percentile, resampling items' },
      alpha: ['nominal', 'ordinal', 'interval'],
      pairedTest: 'Wilcoxon signed-rank over videos',
      correction: 'Holm–Bonferroni',
    },
    openedAt: openedAt.toISOString(),
  };
  const protocolSha256 = createHash('sha256').update(canonicalJson(protocol)).digest('hex');
  const { opened, notified } = await ctx.db.$transaction(async (tx) => {
    const claimed = await tx.study.updateMany({
      where: { id: studyId, status: 'DRAFT' },
      data: { status: 'OPEN', openedAt, protocol: protocol as unknown as Prisma.InputJsonValue },
    });
    if (claimed.count !== 1) throw conflict('The study was opened by someone else.');
    await tx.studyAssignment.createMany({
      data: raterOrder.map((raterId, i) => ({
        studyId,
        raterId,
        pseudonym: pseudonym(i),
        plan: plans.get(raterId)! as unknown as Prisma.InputJsonValue,
      })),
    });
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.opened',
      subjectType: 'Study',
      subjectId: studyId,
      payload: { protocolSha256, raters: raterOrder.length, items: items.length },
    });
    const notified = await notify(tx, raterOrder, {
      teamId: study.teamId,
      actorId: caller.userId,
      kind: 'STUDY_ASSIGNED',
      subjectType: 'Study',
      subjectId: studyId,
      data: { studyId },
    });
    return { opened: await tx.study.findUniqueOrThrow({ where: { id: studyId } }), notified };
  });
  pingRecipients(ctx, notified);
  return opened;
}

export async function closeStudy(ctx: ApiContext, caller: Caller, studyId: string) {
  const study = await getStudy(ctx, studyId);
  if (study.status !== 'OPEN') throw conflict('Only an open study can be closed.');
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.study.update({ where: { id: studyId }, data: { status: 'CLOSED', closedAt: new Date() } });
    const judgements = await tx.judgement.count({ where: { studyId } });
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.closed',
      subjectType: 'Study',
      subjectId: studyId,
      payload: { judgements },
    });
    return updated;
  });
}

/**
 * Deletes a DRAFT study with its items (cascade), auditing `study.deleted` in the same transaction.
 * An open or closed study holds judgements and a frozen protocol: it is closed, never deleted.
 */
export async function deleteStudy(ctx: ApiContext, caller: Caller, studyId: string) {
  const study = await getStudy(ctx, studyId);
  if (study.status !== 'DRAFT') throw conflict('Only a draft study can be deleted; close an open study instead.');
  return ctx.db.$transaction(async (tx) => {
    const gone = await tx.study.deleteMany({ where: { id: studyId, status: 'DRAFT' } });
    if (gone.count !== 1) throw conflict('The study was opened or deleted by someone else.');
    await appendAuditEvent(tx, {
      teamId: study.teamId,
      actorId: caller.userId,
      action: 'study.deleted',
      subjectType: 'Study',
      subjectId: studyId,
      payload: { name: study.name, design: study.design },
    });
    return studyId;
  });
}

/** Distinct methods of a study's regular items, in order of first appearance. */
export async function studyMethods(ctx: ApiContext, studyId: string) {
  const items = await listItems(ctx, studyId);
  const ids = [...new Set(items.filter((i) => !i.isAttentionCheck).flatMap((i) => i.explanationIds))];
  const rows = await ctx.db.explanation.findMany({ where: { id: { in: ids } }, select: { id: true, method: true } });
  const byId = new Map(rows.map((r) => [r.id, r.method]));
  return [...new Set(ids.map((i) => byId.get(i)).filter((m): m is string => !!m))];
}

export async function assignmentSummaries(ctx: ApiContext, studyId: string, args: PageArgs) {
  const keys: SortKey[] = [{ field: 'pseudonym', direction: 'asc' }, { field: 'id', direction: 'asc' }];
  const rows = await page(args, keys, (p) =>
    ctx.db.studyAssignment.findMany({
      where: { AND: [{ studyId }, p.where] },
      include: { rater: true, _count: { select: { judgements: true } } },
      orderBy: p.orderBy,
      take: p.take,
    }),
  );
  return mapNodes(rows, (a) => ({
    pseudonym: a.pseudonym,
    rater: a.rater,
    items: (a.plan as unknown as { entries: unknown[] }).entries.length,
    judged: a._count.judgements,
    completedAt: a.completedAt,
  }));
}
