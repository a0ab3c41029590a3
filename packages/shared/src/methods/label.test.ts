import { describe, expect, it } from 'vitest';
import { EP_DEFAULTS } from './catalogue.ts';
import { explanationLabel, explanationLabels, paramSummary } from './label.ts';

const base = {
  id: 'cmexplanation000001',
  method: 'fep',
  model: { name: 'synth-r2plus1d', version: '1.0.0' },
  requestedBy: { name: 'Ada' },
  createdAt: '2026-12-04T18:40:12.000Z',
};

describe('explanation labels', () => {
  it('names method, non-default parameters, model, date and author', () => {
    expect(explanationLabel({ ...base, params: { area: 0.05, iterations: 100 } }, { timeZone: 'UTC' })).toBe(
      'F-EP · area 0.05 · iterations 100 · synth-r2plus1d 1.0.0 · 4 Dec 2026, 18:40:12 · by Ada',
    );
  });

  it('leaves out parameters equal to the catalogue default', () => {
    expect(paramSummary('fep', { area: EP_DEFAULTS.area, iterations: 50, seed: 0 })).toEqual(['iterations 50']);
    expect(paramSummary('gradient', {})).toEqual([]);
    expect(paramSummary('ep', { area: 0.2, areas: [0.2] })).toEqual(['area 0.2']);
    expect(paramSummary('occlusion', { window: [2, 16, 16] })).toEqual(['window 2/16/16']);
    expect(paramSummary('fep', { area: 0.2, iterations: 10, seed: 3, coldness: 5, sigma: 3 })).toEqual(['area 0.2', 'iterations 10', 'seed 3', 'coldness 5', '+1 more']);
  });

  it('two runs of one method on one clip read differently', () => {
    const a = explanationLabel({ ...base, params: { area: 0.05 } }, { timeZone: 'UTC' });
    const b = explanationLabel({ ...base, id: 'cmexplanation000002', params: { area: 0.2 } }, { timeZone: 'UTC' });
    expect(a).not.toBe(b);
    const twins = explanationLabels([{ ...base, params: {} }, { ...base, id: 'cmexplanation000002', params: {} }], { timeZone: 'UTC' });
    expect(new Set(twins.values()).size).toBe(2);
    expect(twins.get('cmexplanation000002')).toMatch(/#000002$/);
  });

  it('marks a reproduction', () => {
    expect(explanationLabel({ id: 'x', method: 'ep', reproducesId: 'y' })).toBe('EP · reproduction');
  });
});
