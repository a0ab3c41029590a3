import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '@fep/engine/methods/index.ts';
import { defaults } from '@fep/engine/methods/ep.ts';
import { METHOD_DEFAULTS, METHODS } from './methods.ts';

describe('method list and defaults mirror the engine', () => {
  it('offers exactly the engine methods, F-EP first', () => {
    expect(METHODS.map((m) => m.name).sort()).toEqual([...METHOD_NAMES].sort());
    expect(METHODS[0]!.name).toBe('fep');
  });
  it('shows the engine defaults', () => {
    expect(METHOD_DEFAULTS).toEqual({ area: defaults.area, iterations: defaults.iterations, seed: defaults.seed });
  });
});
