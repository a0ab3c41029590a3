import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MetricSummary, MetricsPanel } from './MetricsPanel.tsx';

/** The rendered labels (plain createElement: the app's tsconfig leaves JSX to Next) of the viewer's metrics panel and compare mode's caption. */
const metrics = { insertionAuc: 0.8, deletionAuc: 0.1, temporalConsistency: 0.02, spatialSmoothness: 0.05, sparsity: 0.6, targetProbability: 0.9 };

describe('metric labels', () => {
  it('viewer: change metrics say lower is better, visibly, with help in a disclosure', () => {
    const html = renderToStaticMarkup(createElement(MetricsPanel, { metrics }));
    expect(html).not.toMatch(/higher means less flicker|higher means fewer speckles/i);
    expect(html).not.toContain('title=');
    // Each row: label, visible direction badge, value.
    const row = (label: string) => html.slice(html.indexOf(label), html.indexOf('</dd>', html.indexOf(label)));
    expect(row('Temporal change')).toMatch(/↓<\/span><span class="ml-0.5">lower better/);
    expect(row('Spatial change')).toMatch(/↓<\/span><span class="ml-0.5">lower better/);
    expect(row('Insertion AUC')).toMatch(/↑<\/span><span class="ml-0.5">higher better/);
    expect(row('Temporal change')).toContain('Lower means less flicker');
    expect(html.match(/<details/g)).toHaveLength(6);
    expect(html.match(/<summary/g)).toHaveLength(6);
  });

  it('compare caption: label, arrow and its spoken meaning', () => {
    const html = renderToStaticMarkup(createElement(MetricSummary, { metrics, keys: ['deletionAuc', 'temporalConsistency'] }));
    expect(html).toContain('Temporal change <span aria-hidden="true" title="lower is better">↓</span><span class="sr-only"> (lower is better)</span> 0.020');
    expect(html).toContain('Deletion AUC <span aria-hidden="true"');
  });
});
