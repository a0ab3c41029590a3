/** Registry of explanation methods by name (the `method` field of an explanation job). */
import { ep } from './ep.ts';
import { epSmooth } from './ep-smooth.ts';
import { fep } from './fep.ts';
import { gradcam } from './gradcam.ts';
import { gradient } from './gradient.ts';
import { integratedGradientsMethod } from './integrated-gradients.ts';
import { occlusion } from './occlusion.ts';
import { random } from './random.ts';
import { smoothgrad } from './smoothgrad.ts';
import type { MethodName } from './names.ts';
import type { ExplanationMethod } from './types.ts';

/** One implementation per catalogue method (`Record<MethodName, …>`: the compiler checks none is missing). */
export const METHODS: Readonly<Record<MethodName, ExplanationMethod<any>>> = Object.freeze({
  fep,
  ep,
  'ep-smooth': epSmooth,
  random,
  gradient,
  smoothgrad,
  'integrated-gradients': integratedGradientsMethod,
  gradcam,
  occlusion,
});

export { METHOD_NAMES, type MethodName } from './names.ts';

export class UnknownMethodError extends Error {
  readonly code = 'BAD_USER_INPUT' as const;
  constructor(readonly method: string) {
    super(`Unknown explanation method "${method}". Available: ${Object.keys(METHODS).join(', ')}.`);
    this.name = 'UnknownMethodError';
  }
}

export function getMethod(name: string): ExplanationMethod<any> {
  const m = Object.prototype.hasOwnProperty.call(METHODS, name) ? METHODS[name as MethodName] : undefined;
  if (!m) throw new UnknownMethodError(name);
  return m;
}
