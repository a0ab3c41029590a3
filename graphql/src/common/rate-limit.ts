import type { Redis } from 'ioredis';
import { rateLimited } from '@fep/shared';

/**
 * Fixed-window counters in Redis, atomic across every web process: one Lua script increments the
 * key and starts its window on the first hit (INCR + PEXPIRE together), so parallel callers can
 * never all pass a read-then-write check.
 */
const CONSUME = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { n, ttl }
`;

export interface LimitResult {
  allowed: boolean;
  count: number;
  retryAfterMs: number;
}

/** Counts one use of `key`; allowed while the window's count is ≤ `limit`. */
export async function consumeLimit(redis: Redis, key: string, limit: number, windowMs: number): Promise<LimitResult> {
  const [count, ttl] = (await redis.eval(CONSUME, 1, key, String(windowMs))) as [number, number];
  return { allowed: count <= limit, count, retryAfterMs: ttl };
}

/** Per-team limits of expensive operations (uses per minute). */
export const EXPENSIVE_LIMITS = {
  /** Each report renders a PDF in headless Chromium. */
  generateAuditReport: { limit: 5, windowMs: 60_000 },
  /** Each check reads and hashes the team's whole audit chain. */
  verifyAuditChain: { limit: 10, windowMs: 60_000 },
} as const;

/** Throws RATE_LIMITED (extensions.retryAfterSec) once the team has used `operation` up for this window. */
export async function assertTeamLimit(redis: Redis, operation: keyof typeof EXPENSIVE_LIMITS, teamId: string): Promise<void> {
  const { limit, windowMs } = EXPENSIVE_LIMITS[operation];
  const res = await consumeLimit(redis, `fep:limit:${operation}:${teamId}`, limit, windowMs);
  if (!res.allowed) {
    const retryAfterSec = Math.max(1, Math.ceil(res.retryAfterMs / 1000));
    throw rateLimited(`Too many ${operation} requests for this team; try again in ${retryAfterSec} s.`, { retryAfterSec });
  }
}
