/**
 * The request form's view of the method catalogue (packages/shared/src/methods): names, labels,
 * descriptions, defaults and limits come from there, so the form offers exactly what the engine
 * runs and the API accepts. The API's limits may be configured lower or higher (LIMIT_*); its
 * answer (field errors) is the final word.
 */
import { DEFAULT_LIMITS, EP_DEFAULTS, MAX_SEED, METHOD_CATALOGUE, METHOD_NAMES, methodTakes, type MethodName } from '@fep/shared/methods';

export { methodLabel, type MethodName } from '@fep/shared/methods';

export const METHODS = METHOD_NAMES.map((name) => {
  const { label, description } = METHOD_CATALOGUE[name];
  return { name, label, description };
});

/** Defaults of the form's fields (EP's, which F-EP shares). */
export const METHOD_DEFAULTS = {
  area: EP_DEFAULTS.area,
  iterations: EP_DEFAULTS.iterations,
  seed: EP_DEFAULTS.seed,
} as const;

/** Limits the form checks before sending. */
export const FORM_LIMITS = { maxIterations: DEFAULT_LIMITS.maxIterations, maxSeed: MAX_SEED, maxWindowStartSec: DEFAULT_LIMITS.maxVideoDurationSec } as const;

/** Whether the method takes the form field (`area`, `iterations`, `seed`); fields it does not take are hidden and not sent. */
export function methodHasField(method: string, field: 'area' | 'iterations' | 'seed'): boolean {
  return (METHOD_NAMES as readonly string[]).includes(method) && methodTakes(method as MethodName, field);
}
