import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import {
  DEFAULT_LIMITS,
  knownParams,
  LIMIT_ENV,
  limitsFromEnv,
  METHOD_CATALOGUE,
  METHOD_NAMES,
  methodLabel,
  validateExplanationRequest,
  type ExplanationRequestFields,
} from './index.ts';

function fieldsOf(raw: ExplanationRequestFields, limits = DEFAULT_LIMITS): Record<string, string> {
  try {
    validateExplanationRequest(raw, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return (err as AppError).details!.fields as Record<string, string>;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('method catalogue', () => {
  it('lists every method once, F-EP first', () => {
    expect(Object.keys(METHOD_CATALOGUE)).toEqual([...METHOD_NAMES]);
    expect(METHOD_NAMES[0]).toBe('fep');
    expect(methodLabel('fep')).toBe('F-EP');
    expect(methodLabel('unknown')).toBe('unknown');
  });

  for (const name of METHOD_NAMES) {
    const entry = METHOD_CATALOGUE[name];
    it(`${name}: its defaults pass its own schema, each default has a source, unknown keys are refused`, () => {
      expect(entry.schema().safeParse(entry.defaults).success).toBe(true);
      expect(Object.keys(entry.sources).sort()).toEqual(Object.keys(entry.defaults).sort());
      for (const source of Object.values(entry.sources)) expect(source.length).toBeGreaterThan(3);
      expect(entry.citation.length).toBeGreaterThan(10);
      expect(entry.schema().safeParse({ surelyNotAParameter: 1 }).success).toBe(false);
      expect(Object.isFrozen(entry.defaults)).toBe(true);
    });
  }

  it('F-EP keeps every EP default and adds the frequency weighting', () => {
    const { weighting, temporalCutoff, spatialCutoff, ...rest } = METHOD_CATALOGUE.fep.defaults as Record<string, unknown>;
    expect(rest).toEqual(METHOD_CATALOGUE.ep.defaults);
    expect({ weighting, temporalCutoff, spatialCutoff }).toEqual({ weighting: 'ideal', temporalCutoff: 0.125, spatialCutoff: 0.5 });
  });

  it('loads in the browser: imports nothing but zod and its own folder/errors', () => {
    const dir = new URL('./', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports) expect(['zod', '../errors.ts'].includes(spec) || spec.startsWith('./'), `${file}: ${spec}`).toBe(true);
    }
    expect(readFileSync(new URL('../errors.ts', import.meta.url), 'utf8')).not.toMatch(/^import /m);
  });
});

describe('request validation', () => {
  const ok = { method: 'fep' };

  it("refuses hostile values (1e8 iterations, areas [2], a 1e308 window) with field paths", () => {
    expect(fieldsOf({ ...ok, params: { iterations: 100_000_000 } })).toHaveProperty(['params.iterations']);
    expect(fieldsOf({ ...ok, params: { areas: [2] } })).toHaveProperty(['params.areas.0']);
    expect(fieldsOf({ ...ok, windowStartSec: 1e308 })).toHaveProperty(['windowStartSec']);
    expect(fieldsOf({ ...ok, windowStartSec: Number.NaN })).toHaveProperty(['windowStartSec']);
    expect(fieldsOf({ ...ok, windowStartSec: -1 })).toHaveProperty(['windowStartSec']);
    expect(fieldsOf({ ...ok, iterations: 2001 })).toEqual({ iterations: 'At most 2000 iterations.' });
    expect(fieldsOf({ ...ok, area: 1 })).toHaveProperty(['area']);
    expect(fieldsOf({ ...ok, seed: 2 ** 31 })).toHaveProperty(['seed']);
    expect(fieldsOf({ ...ok, target: ' ' })).toHaveProperty(['target']);
    expect(fieldsOf({ ...ok, params: [1] })).toHaveProperty(['params']);
  });

  it('counts `area` among the areas it joins', () => {
    const four = { params: { areas: [0.05, 0.1, 0.2, 0.3] } };
    expect(validateExplanationRequest({ ...ok, ...four, area: 0.1 }).params.areas).toEqual([0.05, 0.1, 0.2, 0.3]);
    expect(fieldsOf({ ...ok, ...four, area: 0.4 })).toEqual({ 'params.areas': 'At most 4 areas, counting area.' });
  });

  it('merges the job-level fields into params; seed is dropped for methods without one', () => {
    expect(validateExplanationRequest({ method: 'ep', area: 0.2, iterations: 50, seed: 4, params: { sigma: 5 } })).toEqual({
      method: 'ep',
      target: 'top1',
      params: { sigma: 5, area: 0.2, iterations: 50, seed: 4 },
      windowStartSec: null,
    });
    expect(validateExplanationRequest({ method: 'gradient', seed: 4 }).params).toEqual({});
    expect(fieldsOf({ method: 'gradient', area: 0.2 })).toEqual({ area: 'The gradient method has no area parameter.' });
    expect(validateExplanationRequest({}).method).toBe('fep');
  });

  it('follows the configured limits', () => {
    const limits = { ...DEFAULT_LIMITS, maxIterations: 10, maxAreas: 1 };
    expect(fieldsOf({ ...ok, iterations: 11 }, limits)).toHaveProperty(['iterations']);
    expect(fieldsOf({ ...ok, params: { areas: [0.1, 0.2] } }, limits)).toHaveProperty(['params.areas']);
    expect(validateExplanationRequest({ ...ok, iterations: 10 }, limits).params).toEqual({ iterations: 10 });
  });

  it('knownParams drops what provenance derived (SmoothGrad sigma)', () => {
    expect(knownParams('smoothgrad', { samples: 5, sigma: 0.1 })).toEqual({ samples: 5 });
  });
});

describe('limits from the environment', () => {
  it('defaults, overrides and refusals', () => {
    expect(limitsFromEnv({})).toEqual(DEFAULT_LIMITS);
    expect(loadConfig({} as NodeJS.ProcessEnv).limits).toEqual(DEFAULT_LIMITS);
    expect(limitsFromEnv({ LIMIT_MAX_ITERATIONS: '500', LIMIT_MAX_VIDEO_FPS: '59.94' })).toMatchObject({ maxIterations: 500, maxVideoFps: 59.94 });
    expect(() => limitsFromEnv({ LIMIT_MAX_AREAS: '0' })).toThrow(/LIMIT_MAX_AREAS must be a positive integer/);
    expect(() => limitsFromEnv({ LIMIT_MAX_QUEUED_PER_TEAM: '2.5' })).toThrow(RangeError);
    expect(() => limitsFromEnv({ LIMIT_MAX_VIDEO_DURATION_SEC: 'long' })).toThrow(RangeError);
  });

  it('every limit is in the README configuration table', () => {
    const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
    for (const name of Object.values(LIMIT_ENV)) expect(readme, name).toContain(`\`${name}\``);
  });
});

describe('citations', () => {
  it('F-EP cites the paper under its real title (Lin, Bao, Wright & Kong, BMVC 2021, arXiv 2111.01215)', () => {
    const fep = METHOD_CATALOGUE.fep;
    expect(fep.citation).toContain('Gradient Frequency Modulation for Visually Explaining Video Understanding Models');
    expect(fep.citation).toContain('arXiv 2111.01215');
    expect(fep.citation).not.toMatch(/Frequency-based Extremal Perturbation/i);
  });
});
