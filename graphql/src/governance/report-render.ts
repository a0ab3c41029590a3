/**
 * Rendering of an audit report bundle: the JSON data → a printable HTML page → PDF (headless
 * Chromium), plus a manifest of the sha256 of every file. Pure functions except `renderPdf`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { metricHeading } from '@fep/shared/metrics';
import { sha256Hex } from './governance.service.ts';

/** Metric columns of the report; labels and ↑/↓ come from the shared catalogue (packages/shared/src/metrics.ts). */
const REPORT_METRICS = ['insertionAuc', 'deletionAuc', 'temporalConsistency', 'spatialSmoothness', 'sparsity'] as const;

export interface AuditReportData {
  schema: 'fep-audit-report/1';
  title: string;
  generatedAt: string;
  team: { id: string; name: string };
  model: { id: string; name: string; version: string; weightsSha256: string; builtin: boolean; labels: string[] };
  modelCard: { source: string; revision: number | null; card: Record<string, unknown> | null };
  provenance: Array<Record<string, unknown>>;
  metricsByMethod: Array<{ method: string; n: number; metrics: Record<string, { mean: number; sd: number; n: number }> }>;
  ratings: {
    byMethod: Array<{ method: string; n: number; mean: number; lower: number; upper: number; level: number; B: number }>;
    agreement: { alpha: number | null; level: 'interval'; raters: number; units: number; note: string };
  };
  studies: Array<Record<string, unknown>>;
  reviewSessions: Array<Record<string, unknown>>;
  /** Reproductions of this model's explanations and their agreement with the original (absent in older reports). */
  reproductions?: Array<{ id: string; originalId: string; status: string; requestedBy: string | null; comparison: Record<string, unknown> | null }>;
  auditLog: { chainVerification: { ok: boolean; checked: number; firstBrokenEventId: string | null }; events: Array<Record<string, unknown>> };
}

const esc = (v: unknown) =>
  String(v ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: unknown, d = 3) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');

/**
 * Model card text is Markdown written by team members: rendered with `marked` (GFM) and then
 * sanitised with `sanitize-html` (its default allow-list: no scripts, styles, event handlers,
 * iframes or javascript: URLs), so a card can format text but never run code in the report.
 */
export function renderMarkdown(source: unknown): string {
  const html = marked.parse(String(source ?? ''), { async: false, gfm: true });
  return sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'img'),
    allowedSchemes: ['http', 'https', 'mailto'],
  });
}

const VERDICTS: Record<string, string> = { ACCEPT: 'Accepted', REJECT: 'Rejected', NEEDS_WORK: 'Needs work' };

/** One review decision as a sentence: "Accepted — explanation e1 (fep) — by Ada Host, 2026-… : note". */
function decisionHtml(d: Record<string, unknown>, methodOf: Map<string, string>): string {
  const by = (d.decidedBy as { name?: string; isHost?: boolean } | undefined) ?? {};
  const method = methodOf.get(String(d.explanationId));
  return `<li><strong>${esc(VERDICTS[String(d.verdict)] ?? d.verdict)}</strong> — explanation <code>${esc(d.explanationId)}</code>${
    method ? ` (${esc(method)})` : ''
  } — by ${esc(by.name ?? 'someone')}${by.isHost ? ' (host)' : ''}, ${esc(d.decidedAt)}${d.note ? `: “${esc(d.note)}”` : ''}</li>`;
}

function decisionsHtml(decisions: unknown, methodOf: Map<string, string>): string {
  const list = Array.isArray(decisions) ? (decisions as Record<string, unknown>[]) : [];
  return list.length ? `<ul class="decisions">${list.map((d) => decisionHtml(d, methodOf)).join('')}</ul>` : '<span class="empty">No decision.</span>';
}

const yesNo = (v: unknown) => (v === true ? 'yes' : v === false ? 'no' : '—');
const backendOf = (b: unknown) => {
  const o = (b ?? {}) as { backend?: string | null; device?: string | null };
  return [o.backend, o.device].filter(Boolean).join(' on ') || '—';
};

function table(headers: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '<p class="empty">None.</p>';
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderReportHtml(d: AuditReportData): string {
  const cardFields = ['intendedUse', 'trainingData', 'evaluation', 'limitations', 'ethicalConsiderations'];
  const cardLabels: Record<string, string> = {
    intendedUse: 'Intended use',
    trainingData: 'Training data',
    evaluation: 'Evaluation',
    limitations: 'Limitations',
    ethicalConsiderations: 'Ethical considerations',
  };
  const card = d.modelCard.card;
  const cardHtml = card
    ? 'markdown' in card
      ? `<div class="card">${renderMarkdown(card.markdown)}</div>`
      : `<dl>${cardFields.map((f) => `<dt>${cardLabels[f]}</dt><dd class="card">${renderMarkdown(card[f])}</dd>`).join('')}</dl>`
    : '<p class="empty">No model card.</p>';
  const chain = d.auditLog.chainVerification;
  const methodOf = new Map(d.provenance.map((p) => [String(p.id), String(p.method)]));
  const reproductions = d.reproductions ?? [];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>
  body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
  table { border-collapse: collapse; width: 100%; font-size: 9pt; } th, td { border: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top; }
  th { background: #f2f2f2; } code, .hash { font-family: ui-monospace, monospace; font-size: 8.5pt; word-break: break-all; }
  .ok { color: #0a6b2b; font-weight: 600; } .bad { color: #a40000; font-weight: 600; } .empty { color: #555; font-style: italic; }
  .meta { color: #444; } .card { background: #fafafa; border: 1px solid #ddd; padding: .2rem .6rem; font-size: 9.5pt; }
  .card h1, .card h2, .card h3 { font-size: 1rem; border: 0; margin: .6rem 0 .2rem; } .card p { margin: .4rem 0; }
  dt { font-weight: 600; margin-top: .5rem; } dd { margin-left: 0; } ul.decisions { margin: 0; padding-left: 1.1rem; }
  @media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } }
</style></head><body>
<h1>${esc(d.title)}</h1>
<p class="meta">Team ${esc(d.team.name)} · generated ${esc(d.generatedAt)} · F-EP Studio audit report (${esc(d.schema)})</p>

<h2>1. Model version</h2>
${table(['name', 'version', 'weights sha256', 'built-in', 'classes'], [[esc(d.model.name), esc(d.model.version), `<span class="hash">${esc(d.model.weightsSha256)}</span>`, d.model.builtin ? 'yes' : 'no', esc(d.model.labels.join(', '))]])}
<h3>Model card (${esc(d.modelCard.source)}${d.modelCard.revision ? `, revision ${d.modelCard.revision}` : ''})</h3>
${cardHtml}

<h2>2. Explanations and their provenance</h2>
${table(
  ['explanation', 'method', 'status', 'requested by', 'video sha256', 'seed', 'backend', 'engine', 'iterations', 'final energy', 'finished', 'provenance'],
  d.provenance.map((p) => [
    `<code>${esc(p.id)}</code>`,
    `${esc(p.method)}${p.reproducesId ? `<br><span class="meta">reproduction of <code>${esc(p.reproducesId)}</code></span>` : ''}`,
    esc(p.status),
    esc(p.requestedBy),
    `<span class="hash">${esc(String(p.videoSha256 ?? '').slice(0, 16))}…</span>`,
    esc(p.seed),
    esc(p.backend),
    `<code>${esc(String(p.engineVersion ?? '').slice(0, 10))}</code>`,
    esc(p.iterations),
    num(p.finalEnergy),
    esc(p.finishedAt),
    p.provenanceVerified === true ? '<span class="ok">verified</span>' : p.provenanceVerified === false ? '<span class="bad">MISMATCH</span>' : '—',
  ]),
)}

<h2>3. Metrics per method</h2>
${table(
  ['method', 'n', ...REPORT_METRICS.map((k) => metricHeading(k))],
  d.metricsByMethod.map((m) => [
    esc(m.method),
    String(m.n),
    ...REPORT_METRICS.map((k) =>
      m.metrics[k] ? `${num(m.metrics[k]!.mean)} ± ${num(m.metrics[k]!.sd)}` : '—',
    ),
  ]),
)}
<p class="meta">Mean ± standard deviation over finished explanations. ↑ higher is better, ↓ lower is better. Insertion/deletion AUC: Li et al.'s causal metric (256 steps, trapezoid).</p>

<h2>4. Human ratings and agreement</h2>
${table(
  ['method', 'ratings', 'mean plausibility (1–7)', '95 % CI'],
  d.ratings.byMethod.map((r) => [esc(r.method), String(r.n), num(r.mean, 2), `${num(r.lower, 2)} – ${num(r.upper, 2)}`]),
)}
<p>Inter-rater agreement: Krippendorff's α (interval) = <strong>${num(d.ratings.agreement.alpha)}</strong> over ${d.ratings.agreement.units} explanations and ${d.ratings.agreement.raters} raters. ${esc(d.ratings.agreement.note)}</p>

<h2>5. Studies</h2>
${table(['study', 'design', 'status', 'items', 'judgements', 'opened', 'closed'], d.studies.map((s) => [esc(s.name), esc(s.design), esc(s.status), esc(s.items), esc(s.judgements), esc(s.openedAt), esc(s.closedAt)]))}

<h2>6. Review-session decisions</h2>
${table(['session', 'host', 'started', 'ended', 'decisions (the latest per explanation)'], d.reviewSessions.map((r) => [esc(r.title), esc(r.host), esc(r.startedAt), r.endedAt ? esc(r.endedAt) : 'still live', decisionsHtml(r.decisions, methodOf)]))}

<h2>7. Reproductions and their agreement with the original</h2>
${table(
  ['reproduction', 'of', 'requested by', 'status', 'identical', 'Pearson r', 'max |Δ|', 'top-area IoU', 'same backend', 'backends (original → reproduction)'],
  reproductions.map((r) => {
    const c = r.comparison ?? {};
    const error = typeof c.error === 'string' ? c.error : null;
    return [
      `<code>${esc(r.id)}</code>`,
      `<code>${esc(r.originalId)}</code>${methodOf.has(r.originalId) ? ` (${esc(methodOf.get(r.originalId))})` : ''}`,
      esc(r.requestedBy),
      esc(r.status),
      ...(error
        ? [`<span class="empty">${esc(error)}</span>`, '—', '—', '—', '—']
        : [
            c.identical === true ? '<span class="ok">yes</span>' : c.identical === false ? 'no' : '—',
            num(c.pearson, 4),
            num(c.maxAbsDiff, 4),
            typeof c.area === 'number' ? `${num(c.topAreaIoU)} (a = ${num(c.area, 2)})` : num(c.topAreaIoU),
            yesNo(c.sameBackend),
          ]),
      c.original || c.reproduction ? `${esc(backendOf(c.original))} → ${esc(backendOf(c.reproduction))}` : '—',
    ];
  }),
)}
<p class="meta">A reproduction re-runs an explanation with its recorded parameters, seed, window and target. On the same backend the volumes should be identical; across backends Pearson r, the largest voxel difference and the IoU of the top-a regions say how far they differ.</p>

<h2>8. Audit log</h2>
<p>Hash chain verification: ${chain.ok ? `<span class="ok">intact</span> (${chain.checked} events checked)` : `<span class="bad">BROKEN</span> at event <code>${esc(chain.firstBrokenEventId)}</code> after ${chain.checked} good events`}.</p>
${table(
  ['#', 'time', 'action', 'subject', 'actor', 'hash'],
  d.auditLog.events.map((e) => [esc(e.seq), esc(e.createdAt), esc(e.action), `${esc(e.subjectType)} <code>${esc(e.subjectId)}</code>`, e.actorName ? esc(e.actorName) : e.actorId ? `<code>${esc(e.actorId)}</code>` : 'system', `<span class="hash">${esc(String(e.hash).slice(0, 16))}…</span>`]),
)}
<p class="meta">Every file of this report is listed with its sha256 in <code>manifest.json</code>; verify with <code>sha256sum</code>.</p>
</body></html>
`;
}

/** Renders HTML to PDF with headless Chromium (the browser the test suite uses). Null when unavailable. */
export async function renderPdf(html: string): Promise<Buffer | null> {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fep-report-'));
  try {
    const htmlFile = path.join(dir, 'report.html');
    const pdfFile = path.join(dir, 'report.pdf');
    await writeFile(htmlFile, html);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-pdf-header-footer',
          `--user-data-dir=${path.join(dir, 'profile')}`,
          `--print-to-pdf=${pdfFile}`,
          `file://${htmlFile}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 && existsSync(pdfFile) ? resolve() : reject(new Error(`chromium exited ${code}: ${stderr.slice(-500)}`))));
    });
    return await readFile(pdfFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ManifestEntry {
  name: string;
  sha256: string;
  bytes: number;
}

export interface BundleManifest {
  schema: 'fep-audit-bundle/1';
  title: string;
  generatedAt: string;
  files: ManifestEntry[];
}

export function buildManifest(title: string, generatedAt: string, files: Record<string, Buffer>): BundleManifest {
  return {
    schema: 'fep-audit-bundle/1',
    title,
    generatedAt,
    files: Object.entries(files)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, data]) => ({ name, sha256: sha256Hex(data), bytes: data.length })),
  };
}

/** Checks every file against the manifest; any changed, missing or extra byte fails. */
export function verifyBundle(manifest: BundleManifest, files: Record<string, Buffer>) {
  const problems: string[] = [];
  for (const entry of manifest.files) {
    const data = files[entry.name];
    if (!data) problems.push(`${entry.name}: missing`);
    else if (sha256Hex(data) !== entry.sha256) problems.push(`${entry.name}: sha256 differs`);
  }
  for (const name of Object.keys(files)) {
    if (name !== 'manifest.json' && !manifest.files.some((f) => f.name === name)) problems.push(`${name}: not in manifest`);
  }
  return { ok: problems.length === 0, problems };
}
