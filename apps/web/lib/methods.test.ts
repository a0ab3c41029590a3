import { describe, expect, it } from 'vitest';
import { METHODS as ENGINE_METHODS } from '@fep/engine/methods/index.ts';
import { FORM_LIMITS, METHOD_DEFAULTS, METHODS, methodHasField } from './methods.ts';

describe('the request form reads the method catalogue', () => {
  it('offers every method the engine registers, F-EP first', () => {
    expect(METHODS.map((m) => m.name)).toEqual(Object.keys(ENGINE_METHODS));
    expect(METHODS[0]!.name).toBe('fep');
  });
  it('shows the defaults the engine resolves and the API limits', () => {
    const fep = ENGINE_METHODS.fep.defaults as Record<string, unknown>;
    expect(METHOD_DEFAULTS).toEqual({ area: fep.area, iterations: fep.iterations, seed: fep.seed });
    expect(FORM_LIMITS.maxIterations).toBe(2000);
  });
  it('sends a field only to methods that take it', () => {
    expect(methodHasField('fep', 'iterations')).toBe(true);
    expect(methodHasField('gradient', 'area')).toBe(false);
    expect(methodHasField('random', 'seed')).toBe(true);
    expect(methodHasField('occlusion', 'seed')).toBe(false);
  });
});
