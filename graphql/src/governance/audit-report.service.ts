import { appendAuditEvent, canonicalJson, verifyChain, type Prisma } from '@fep/db';
import { krippendorffAlpha, meanCI } from '@fep/stats';
import type { ApiContext, Caller } from '../context.ts';
import { getModelForTeam } from '../models/models.service.ts';
import { sessionDecisions } from '../reviews/reviews.service.ts';
import { sha256Hex } from './governance.service.ts';
import { buildManifest, renderPdf, renderReportHtml, type AuditReportData, type BundleManifest } from './report-render.ts';

const METRIC_KEYS = ['insertionAuc', 'deletionAuc', 'temporalConsistency', 'spatialSmoothness', 'sparsity'] as const;

function meanSd(values: number[]) {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Gathers everything an auditor asks about one model version in one team. Read-only. */
export async function collectAuditReportData(ctx: ApiContext, teamId: string, modelId: string): Promise<AuditReportData> {
  const model = await getModelForTeam(ctx, modelId, teamId);
  const team = await ctx.db.team.findUniqueOrThrow({ where: { id: teamId } });
  const explanations = await ctx.db.explanation.findMany({
    where: { teamId, modelId },
    include: { video: { select: { sha256: true } }, ratings: true, requestedBy: { select: { name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  const ids = explanations.map((e) => e.id);
  const completion = await ctx.db.auditEvent.findMany({
    where: { chain: teamId, action: 'explanation.completed', subjectId: { in: ids } },
  });
  const recorded = new Map(completion.map((ev) => [ev.subjectId, (ev.payload as { provenanceSha256?: string }).provenanceSha256]));

  const provenance = explanations.map((e) => {
    const p = (e.provenance ?? {}) as Record<string, unknown>;
    const actual = e.provenance ? sha256Hex(canonicalJson(e.provenance)) : null;
    return {
      id: e.id,
      method: e.method,
      status: e.status,
      requestedBy: e.requestedBy.name,
      target: e.target,
      videoSha256: e.video.sha256,
      seed: p.seed ?? null,
      backend: p.backend ?? null,
      device: p.device ?? null,
      engineVersion: p.engineVersion ?? null,
      iterations: p.iterations ?? null,
      finalEnergy: p.finalEnergy ?? null,
      params: p.params ?? e.params,
      frameTimestamps: p.frameTimestamps ?? null,
      startedAt: e.startedAt?.toISOString() ?? null,
      finishedAt: e.finishedAt?.toISOString() ?? null,
      provenanceSha256: e.provenanceSha256,
      reproducesId: e.reproducesId,
      comparison: e.comparison,
      provenanceVerified: actual ? actual === e.provenanceSha256 && recorded.get(e.id) === actual : null,
    };
  });

  const done = explanations.filter((e) => e.status === 'DONE' && e.metrics);
  const methods = [...new Set(explanations.map((e) => e.method))].sort();
  const metricsByMethod = methods.map((method) => {
    const rows = done.filter((e) => e.method === method).map((e) => e.metrics as Record<string, unknown>);
    const metrics: Record<string, { mean: number; sd: number; n: number }> = {};
    for (const key of METRIC_KEYS) {
      const values = rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length) metrics[key] = meanSd(values);
    }
    return { method, n: rows.length, metrics };
  });

  const byMethod = methods
    .map((method) => {
      const values = explanations.filter((e) => e.method === method).flatMap((e) => e.ratings.map((r) => r.plausibility));
      if (values.length === 0) return null;
      const ci = meanCI(values, { seed: 1 });
      return { method, n: values.length, mean: ci.estimate, lower: ci.lower, upper: ci.upper, level: ci.level, B: ci.B };
    })
    .filter((r): r is NonNullable<typeof r> => r !== null);
  const raters = [...new Set(explanations.flatMap((e) => e.ratings.map((r) => r.raterId)))].sort();
  const rated = explanations.filter((e) => e.ratings.length > 0);
  const matrix = raters.map((rater) => rated.map((e) => e.ratings.find((r) => r.raterId === rater)?.plausibility ?? null));
  let alpha: number | null = null;
  let note = 'Units are explanations, coders are raters; missing ratings are allowed.';
  if (raters.length >= 2 && rated.some((e) => e.ratings.length >= 2)) {
    const a = krippendorffAlpha(matrix, 'interval');
    alpha = Number.isFinite(a.alpha) ? a.alpha : null;
  } else {
    note = 'Agreement needs at least two raters on one explanation.';
  }

  const studies = await ctx.db.study.findMany({
    where: { teamId },
    include: { items: { select: { explanationIds: true } }, _count: { select: { judgements: true } } },
    orderBy: { createdAt: 'asc' },
  });
  const relevantStudies = studies
    .filter((s) => s.items.some((i) => i.explanationIds.some((id) => ids.includes(id))))
    .map((s) => ({
      id: s.id,
      name: s.name,
      design: s.design,
      status: s.status,
      items: s.items.length,
      judgements: s._count.judgements,
      openedAt: s.openedAt?.toISOString() ?? null,
      closedAt: s.closedAt?.toISOString() ?? null,
    }));
  const sessions = await ctx.db.reviewSession.findMany({ where: { teamId }, include: { host: { select: { name: true } } }, orderBy: { startedAt: 'asc' } });
  const relevantSessions = sessions.filter((r) => r.explanationIds.some((id) => ids.includes(id)));
  // The decisions that count, read like the `reviewSession { decisions }` query reads them: from the
  // ReviewDecision table while a session is live, from its saved summary once it has ended (the
  // summary was built from the table under the session's row lock, so the two agree).
  const reviewSessions = await Promise.all(
    relevantSessions.map(async (r) => ({
      id: r.id,
      title: r.title,
      host: r.host.name,
      startedAt: r.startedAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      decisions: await sessionDecisions(ctx, r),
    })),
  );

  const subjects = [modelId, ...ids, ...relevantStudies.map((s) => s.id), ...reviewSessions.map((r) => r.id)];
  const events = await ctx.db.auditEvent.findMany({
    where: { chain: teamId, subjectId: { in: subjects } },
    orderBy: { seq: 'asc' },
    take: 1000,
  });
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => id !== null))];
  const actors = new Map((await ctx.db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  const chainVerification = await verifyChain(ctx.db, teamId);
  const revision = await ctx.db.modelCardRevision.findFirst({ where: { modelId, teamId }, orderBy: { revision: 'desc' } });
  const generatedAt = new Date().toISOString();
  return {
    schema: 'fep-audit-report/1',
    title: `Audit report — ${model.name} ${model.version}`,
    generatedAt,
    team: { id: team.id, name: team.name },
    model: {
      id: model.id,
      name: model.name,
      version: model.version,
      weightsSha256: model.weightsSha256,
      builtin: model.builtin,
      labels: Array.isArray(model.labels) ? (model.labels as string[]) : [],
    },
    modelCard: revision
      ? { source: 'team revision', revision: revision.revision, card: revision.card as Record<string, unknown> }
      : { source: 'shipped with the model', revision: null, card: (model.modelCard as Record<string, unknown> | null) ?? null },
    provenance,
    metricsByMethod,
    ratings: { byMethod, agreement: { alpha, level: 'interval', raters: raters.length, units: rated.length, note } },
    studies: relevantStudies,
    reviewSessions,
    reproductions: explanations
      .filter((e) => e.reproducesId)
      .map((e) => ({
        id: e.id,
        originalId: e.reproducesId!,
        status: e.status,
        requestedBy: e.requestedBy.name,
        comparison: (e.comparison as Record<string, unknown> | null) ?? null,
      })),
    auditLog: {
      chainVerification,
      events: events.map((e) => ({
        seq: e.seq,
        createdAt: e.createdAt.toISOString(),
        action: e.action,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        actorId: e.actorId,
        actorName: e.actorId ? (actors.get(e.actorId) ?? null) : null,
        hash: e.hash,
      })),
    },
  };
}

/** The bundle's files: report.json, report.html, report.pdf (when Chromium is available), manifest.json. */
export async function buildAuditBundle(data: AuditReportData): Promise<{ files: Record<string, Buffer>; manifest: BundleManifest }> {
  const html = renderReportHtml(data);
  const files: Record<string, Buffer> = {
    'report.json': Buffer.from(JSON.stringify(data, null, 2) + '\n'),
    'report.html': Buffer.from(html),
  };
  const pdf = await renderPdf(html);
  if (pdf) files['report.pdf'] = pdf;
  const manifest = buildManifest(data.title, data.generatedAt, files);
  files['manifest.json'] = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  return { files, manifest };
}

/** Generates, stores (content-addressed) and records an audit report. */
export async function generateAuditReport(ctx: ApiContext, caller: Caller, teamId: string, modelId: string) {
  const data = await collectAuditReportData(ctx, teamId, modelId);
  const { files, manifest } = await buildAuditBundle(data);
  const stored: Record<string, { sha256: string; bytes: number }> = {};
  for (const [name, buf] of Object.entries(files)) {
    const obj = await ctx.storage.putBuffer(buf);
    stored[name] = { sha256: obj.sha256, bytes: obj.size };
  }
  return ctx.db.$transaction(async (tx) => {
    const report = await tx.auditReport.create({
      data: {
        teamId,
        modelId,
        createdById: caller.userId,
        title: data.title,
        manifest: { ...manifest, stored } as unknown as Prisma.InputJsonValue,
        manifestSha256: stored['manifest.json']!.sha256,
      },
    });
    await appendAuditEvent(tx, {
      teamId,
      actorId: caller.userId,
      action: 'audit_report.generated',
      subjectType: 'AuditReport',
      subjectId: report.id,
      payload: { modelId, manifestSha256: report.manifestSha256, chainOk: data.auditLog.chainVerification.ok },
    });
    return report;
  });
}
