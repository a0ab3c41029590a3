import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { AppError } from '@fep/shared';

/**
 * Failed-login throttling shared by every web process (counters live in Redis).
 * Defaults after OWASP's authentication cheat sheet: a few failures per account per window,
 * a looser limit per client address.
 */
export class LoginRateLimiter {
  private byEmail: RateLimiterRedis;
  private byIp: RateLimiterRedis;

  constructor(redis: Redis, opts: { perEmail?: number; perIp?: number; windowSec?: number; keyPrefix?: string } = {}) {
    const windowSec = opts.windowSec ?? 15 * 60;
    const prefix = opts.keyPrefix ?? 'fep:login';
    this.byEmail = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:email`,
      points: opts.perEmail ?? 5,
      duration: windowSec,
    });
    this.byIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:ip`,
      points: opts.perIp ?? 50,
      duration: windowSec,
    });
  }

  /** Throws RATE_LIMITED when either counter is exhausted, before the password is checked. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const checks: [RateLimiterRedis, string][] = [
      [this.byEmail, email],
      [this.byIp, ip],
    ];
    for (const [limiter, key] of checks) {
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= limiter.points) throw rateLimited(res.msBeforeNext);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.byEmail.penalty(email, 1),
      this.byIp.penalty(ip, 1),
    ]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }

}

function rateLimited(msBeforeNext: number): AppError {
  const minutes = Math.max(1, Math.ceil(msBeforeNext / 60000));
  return new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${minutes} minute(s).`, {
    retryAfterSec: Math.ceil(msBeforeNext / 1000),
  });
}
