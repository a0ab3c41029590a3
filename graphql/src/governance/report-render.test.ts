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
