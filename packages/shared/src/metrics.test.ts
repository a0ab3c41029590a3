import { describe, expect, it } from 'vitest';
import { METRIC_CATALOGUE, directionArrow, metricDefinition, metricHeading } from './metrics.ts';

describe('metric catalogue', () => {
  it('the change metrics read lower-is-better (they measure change, not consistency)', () => {
    for (const key of ['temporalConsistency', 'spatialSmoothness', 'deletionAuc']) expect(metricDefinition(key).direction).toBe('lower');
    expect(metricDefinition('insertionAuc').direction).toBe('higher');
    expect(metricHeading('temporalConsistency')).toBe('Temporal change ↓');
    expect(metricHeading('spatialSmoothness')).toBe('Spatial change ↓');
    expect(metricHeading('insertionAuc')).toBe('Insertion AUC ↑');
    expect(metricHeading('sparsity')).toBe('Sparsity');
  });

  it('help text never contradicts the direction', () => {
    for (const m of METRIC_CATALOGUE) {
      if (m.direction === 'lower') expect(m.help).not.toMatch(/Higher means (less|fewer|the highlighted)/);
      if (m.direction === 'higher') expect(m.help).not.toMatch(/Lower means/);
      expect(directionArrow(m.direction)).toBe(m.direction === 'higher' ? '↑' : m.direction === 'lower' ? '↓' : '');
    }
    expect(new Set(METRIC_CATALOGUE.map((m) => m.key)).size).toBe(METRIC_CATALOGUE.length);
  });
});
