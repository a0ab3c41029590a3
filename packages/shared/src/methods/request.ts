/**
 * Validation of one explanation request against the catalogue: the job-level fields (method,
 * target, area, iterations, seed, windowStartSec) and the method's own `params`. The API runs it
 * before anything is written; the CLI runs it on its flags. Errors are `BAD_USER_INPUT` with
 * `fields` keyed by field path (`iterations`, `params.areas.0`, `windowStartSec`).
 */
import { z } from 'zod';
import { badInput } from '../errors.ts';
import { isMethodName, MAX_SEED, METHOD_CATALOGUE, METHOD_NAMES, methodTakes, type MethodName } from './catalogue.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';

export interface ExplanationRequestFields {
  method?: string | null;
  target?: string | null;
  area?: number | null;
  iterations?: number | null;
  seed?: number | null;
  windowStartSec?: number | null;
  params?: unknown;
}

export interface ValidExplanationRequest {
  method: MethodName;
  target: string;
  /** The method's parameters as submitted (defaults are not filled in), top-level fields merged. */
  params: Record<string, unknown>;
  windowStartSec: number | null;
}

/** Top-level fields copied into `params` (they override `params` of the same name). */
const JOB_PARAMS = ['area', 'iterations', 'seed'] as const;

export function jobFieldsSchema(limits: Limits = DEFAULT_LIMITS) {
  return z.object({
    method: z.string().nullish(),
    target: z.string().trim().min(1, 'Give a target.').max(100, 'At most 100 characters.').nullish(),
    area: z.number().gt(0, 'Use a fraction between 0 and 1, e.g. 0.1.').lt(1, 'Use a fraction between 0 and 1, e.g. 0.1.').nullish(),
    iterations: z
      .number()
      .int('Use a whole number.')
      .min(1, 'Use at least 1 iteration.')
      .max(limits.maxIterations, `At most ${limits.maxIterations} iterations.`)
      .nullish(),
    seed: z.number().int('Use a whole number.').min(0, 'Use a seed ≥ 0.').max(MAX_SEED, `Use a seed ≤ ${MAX_SEED}.`).nullish(),
    // z.number() refuses NaN and ±Infinity.
    windowStartSec: z
      .number()
      .min(0, 'Use seconds ≥ 0, or leave empty.')
      .max(limits.maxVideoDurationSec, `Videos last at most ${limits.maxVideoDurationSec} s.`)
      .nullish(),
    params: z.unknown().optional(),
  });
}

function collect(fields: Record<string, string>, err: z.ZodError, prefix: (path: PropertyKey[]) => string) {
  for (const issue of err.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) fields[prefix([...issue.path, k])] ??= `Unknown parameter "${k}".`;
      continue;
    }
    fields[prefix(issue.path)] ??= issue.message;
  }
}

/**
 * Validates a request; throws `BAD_USER_INPUT` with every invalid field. `limits` are the
 * deployment's (config.limits), defaulting to DEFAULT_LIMITS.
 */
export function validateExplanationRequest(raw: ExplanationRequestFields, limits: Limits = DEFAULT_LIMITS): ValidExplanationRequest {
  const fields: Record<string, string> = {};
  const job = jobFieldsSchema(limits).safeParse(raw);
  if (!job.success) collect(fields, job.error, (p) => p.map(String).join('.') || '_');
  const method = raw.method ?? 'fep';
  if (!isMethodName(method)) {
    fields.method = `Unknown method. Available: ${METHOD_NAMES.join(', ')}.`;
  }
  const given = raw.params ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) fields.params = 'Give the parameters as an object.';
  if (Object.keys(fields).length) throw badInput('Some fields are invalid.', { fields });

  const name = method as MethodName;
  const schema = METHOD_CATALOGUE[name].schema(limits);
  const own = schema.safeParse(given);
  if (!own.success) collect(fields, own.error, (p) => ['params', ...p.map(String)].join('.'));
  const params: Record<string, unknown> = { ...(given as Record<string, unknown>) };
  const fromTop = new Set<string>();
  for (const key of JOB_PARAMS) {
    const v = raw[key];
    if (v == null) continue;
    if (!methodTakes(name, key)) {
      // A seed is harmless to deterministic methods; an area or iteration count they cannot honour is refused.
      if (key !== 'seed') fields[key] = `The ${name} method has no ${key} parameter.`;
      continue;
    }
    params[key] = v;
    fromTop.add(key);
  }
  if (!Object.keys(fields).length && fromTop.size) {
    const merged = schema.safeParse(params);
    if (!merged.success) collect(fields, merged.error, (p) => (fromTop.has(String(p[0])) ? p.map(String).join('.') : ['params', ...p.map(String)].join('.')));
  }
  if (Object.keys(fields).length) throw badInput('Some fields are invalid.', { fields });
  return {
    method: name,
    target: job.data!.target ?? 'top1',
    params,
    windowStartSec: job.data!.windowStartSec ?? null,
  };
}

/**
 * Keeps only the keys the method's schema knows: provenance records derived values too
 * (SmoothGrad's `sigma`), which a re-run recomputes.
 */
export function knownParams(method: MethodName, params: Record<string, unknown>): Record<string, unknown> {
  const defaults = METHOD_CATALOGUE[method].defaults;
  return Object.fromEntries(Object.entries(params).filter(([k]) => Object.prototype.hasOwnProperty.call(defaults, k)));
}
