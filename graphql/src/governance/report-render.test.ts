import { describe, expect, it } from 'vitest';
import { metricHeading } from '@fep/shared/metrics';
import { buildManifest, renderReportHtml, verifyBundle, type AuditReportData } from './report-render.ts';

const data: AuditReportData = {
  schema: 'fep-audit-report/1',
  title: 'Audit report — m 1',
  generatedAt: '2026-11-27T00:00:00.000Z',
  team: { id: 't', name: '<script>alert(1)</script>' },
  model: { id: 'm', name: 'm', version: '1', weightsSha256: 'a'.repeat(64), builtin: true, labels: ['x', 'y'] },
  modelCard: { source: 'team revision', revision: 2, card: { intendedUse: 'Research', trainingData: 'Synthetic', evaluation: '99 %', limitations: 'Toy', ethicalConsiderations: 'None known' } },
  provenance: [{ id: 'e1', method: 'fep', status: 'DONE', videoSha256: 'b'.repeat(64), seed: 1, provenanceVerified: false }],
  metricsByMethod: [{ method: 'fep', n: 1, metrics: { insertionAuc: { mean: 0.8, sd: 0, n: 1 } } }],
  ratings: { byMethod: [], agreement: { alpha: null, level: 'interval', raters: 0, units: 0, note: 'n/a' } },
  studies: [],
  reviewSessions: [],
  auditLog: { chainVerification: { ok: true, checked: 3, firstBrokenEventId: null }, events: [] },
};

/** The same report with everything the readable sections show: names, Markdown, decisions, reproductions. */
const full: AuditReportData = {
  ...data,
  modelCard: {
    source: 'shipped with the model',
    revision: null,
    card: { markdown: '# SynthActions\n\n**Intended use:** research.\n\n- toy data\n- 4 classes\n\n<script>alert(2)</script><img src=x onerror="alert(3)">\n\nSee [the paper](https://example.org/card) and [x](javascript:alert(4)).' },
  },
  provenance: [
    { id: 'e1', method: 'fep', status: 'DONE', requestedBy: 'Ada Lovelace' },
    { id: 'e2', method: 'fep', status: 'DONE', requestedBy: 'Grace Hopper', reproducesId: 'e1' },
  ],
  reviewSessions: [
    {
      id: 's1',
      title: 'Friday review',
      host: 'Ada Lovelace',
      startedAt: '2026-11-27T10:00:00.000Z',
      endedAt: null,
      decisions: [{ explanationId: 'e1', verdict: 'NEEDS_WORK', note: 'blob <b>off</b> target', decidedBy: { userId: 'u1', name: 'Ada Lovelace', isHost: true }, decidedAt: '2026-11-27T10:05:00.000Z' }],
    },
  ],
  reproductions: [
    {
      id: 'e2',
      originalId: 'e1',
      status: 'DONE',
      requestedBy: 'Grace Hopper',
      comparison: { originalId: 'e1', identical: false, pearson: 0.98765, maxAbsDiff: 0.0123, topAreaIoU: 0.9, area: 0.1, sameBackend: false, original: { backend: 'wasm', device: 'cpu' }, reproduction: { backend: 'webgpu', device: 'gpu' } },
    },
  ],
  auditLog: {
    chainVerification: { ok: true, checked: 2, firstBrokenEventId: null },
    events: [
      { seq: 1, createdAt: '2026-11-27T09:00:00.000Z', action: 'explanation.requested', subjectType: 'Explanation', subjectId: 'e1', actorId: 'user-id-123', actorName: 'Ada Lovelace', hash: 'c'.repeat(64) },
      { seq: 2, createdAt: '2026-11-27T09:01:00.000Z', action: 'explanation.completed', subjectType: 'Explanation', subjectId: 'e1', actorId: null, actorName: null, hash: 'd'.repeat(64) },
    ],
  },
};

describe('audit report: readable for people', () => {
  it('renders the model card from Markdown and strips anything that could run', () => {
    const html = renderReportHtml(full);
    expect(html).toContain('<h1>SynthActions</h1>');
    expect(html).toContain('<strong>Intended use:</strong>');
    expect(html).toMatch(/<li>toy data<\/li>\s*<li>4 classes<\/li>/);
    expect(html).not.toContain('# SynthActions');
    expect(html).not.toMatch(/<script>alert\(2\)|onerror|href="javascript:|<img/);
    expect(html).toContain('<a href="https://example.org/card">the paper</a>');
    // The card fields of a team revision are Markdown too.
    expect(renderReportHtml({ ...data, modelCard: { ...data.modelCard, card: { ...data.modelCard.card, limitations: 'Only *toy* clips' } } })).toContain('Only <em>toy</em> clips');
  });

  it('names people instead of user ids, and marks system events', () => {
    const html = renderReportHtml(full);
    expect(html).toContain('<td>Ada Lovelace</td>');
    expect(html).not.toContain('user-id-123');
    expect(html).toContain('<td>system</td>');
    expect(html).toContain('<td>Grace Hopper</td>');
  });

  it('prints review decisions as sentences, not JSON', () => {
    const html = renderReportHtml(full);
    expect(html).not.toContain('"verdict"');
    expect(html).toContain('<strong>Needs work</strong> — explanation <code>e1</code> (fep) — by Ada Lovelace (host), 2026-11-27T10:05:00.000Z: “blob &lt;b&gt;off&lt;/b&gt; target”');
    expect(html).toContain('still live');
  });

  it('includes each reproduction’s agreement with its original', () => {
    const html = renderReportHtml(full);
    expect(html).toContain('Reproductions and their agreement with the original');
    for (const cell of ['<td><code>e2</code></td>', '<td>0.9877</td>', '<td>0.0123</td>', '<td>0.900 (a = 0.10)</td>', '<td>wasm on cpu → webgpu on gpu</td>']) expect(html).toContain(cell);
    expect(html).toContain('reproduction of <code>e1</code>');
    const lost = renderReportHtml({ ...full, reproductions: [{ ...full.reproductions![0]!, comparison: { error: 'The original saliency volume is no longer stored (retention).' } }] });
    expect(lost).toContain('no longer stored (retention)');
    expect(renderReportHtml(data)).toMatch(/Reproductions and their agreement[^]*?None\./);
  });
});

describe('audit report bundle', () => {
  it('escapes every user-supplied string in the HTML', () => {
    const html = renderReportHtml(data);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('MISMATCH');
    expect(html).toContain('Ethical considerations');
  });

  it('metric columns carry the shared catalogue\'s labels and ↑/↓ (change metrics read lower-is-better)', () => {
    const html = renderReportHtml(data);
    for (const h of ['Insertion AUC ↑', 'Deletion AUC ↓', 'Temporal change ↓', 'Spatial change ↓', 'Sparsity']) expect(html).toContain(`<th>${h}</th>`);
    for (const key of ['temporalConsistency', 'spatialSmoothness']) expect(html).toContain(`<th>${metricHeading(key)}</th>`);
  });

  it('the manifest verifies, and one changed byte fails verification', () => {
    const files = { 'report.json': Buffer.from(JSON.stringify(data)), 'report.html': Buffer.from(renderReportHtml(data)) };
    const manifest = buildManifest(data.title, data.generatedAt, files);
    expect(manifest.files.map((f) => f.name)).toEqual(['report.html', 'report.json']);
    expect(verifyBundle(manifest, files)).toEqual({ ok: true, problems: [] });
    const tampered = Buffer.from(files['report.json']);
    tampered[10] = tampered[10]! ^ 1;
    expect(verifyBundle(manifest, { ...files, 'report.json': tampered })).toEqual({ ok: false, problems: ['report.json: sha256 differs'] });
    expect(verifyBundle(manifest, { 'report.html': files['report.html'] }).problems).toEqual(['report.json: missing']);
    expect(verifyBundle(manifest, { ...files, 'extra.txt': Buffer.from('x') }).problems).toEqual(['extra.txt: not in manifest']);
  });
});
