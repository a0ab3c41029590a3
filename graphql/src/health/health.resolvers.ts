import type { Resolvers } from '../__generated__/resolvers-types.ts';
import type { ApiDeps } from '../context.ts';

export interface HealthReport {
  ok: boolean;
  database: boolean;
  queue: boolean;
  storage: boolean;
}

/** How long one probe result answers every `health` field of the process. */
export const HEALTH_CACHE_MS = 1000;

const cache = new WeakMap<ApiDeps['probes'], { at: number; report: Promise<HealthReport> }>();

async function probe(probes: ApiDeps['probes']): Promise<HealthReport> {
  const [database, queue, storage] = await Promise.all([
    probes.database().catch(() => false),
    probes.queue().catch(() => false),
    probes.storage().catch(() => false),
  ]);
  return { ok: database && queue && storage, database, queue, storage };
}

/**
 * The checks (SELECT 1, a Redis PING, a storage check) run at most once per HEALTH_CACHE_MS per
 * process: concurrent callers share the check in flight, later ones reuse its result, so aliasing
 * or hammering `health` never multiplies the work.
 */
export function checkHealth(probes: ApiDeps['probes'], now = Date.now()): Promise<HealthReport> {
  const hit = cache.get(probes);
  if (hit && now - hit.at < HEALTH_CACHE_MS) return hit.report;
  const report = probe(probes);
  cache.set(probes, { at: now, report });
  return report;
}

/** Public by design: reports only booleans, never details. */
export const healthResolvers: Resolvers = {
  Query: {
    health: (_p, _a, ctx) => checkHealth(ctx.probes),
  },
};
