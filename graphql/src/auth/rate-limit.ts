import type { Redis } from 'ioredis';
import { rateLimited, type RateLimitConfig, type RateLimitRule } from '@fep/shared';
import { consumeLimit } from '../common/rate-limit.ts';

/**
 * Abuse limits shared by every web process: fixed-window counters in Redis, each use counted
 * atomically (common/rate-limit.ts: one Lua script, INCR + PEXPIRE) BEFORE the expensive or secret
 * work it guards. A read-then-penalise check lets N parallel callers all pass; INCR-first cannot:
 * 40 parallel wrong passwords for one account run at most `login.perAccount` verifications.
 *
 * What survives what (docs/security.md#rate-limits): the counters live only in Redis. A Redis
 * restart resets them; while Redis is down every limited operation fails closed (UNAVAILABLE).
 */
/** Gives one point back, never below zero and never to a window that has already ended. */
const REFUND = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return n
`;

export class RateLimits {
  constructor(
    private readonly redis: Redis,
    readonly config: RateLimitConfig,
    readonly prefix = 'fep:limit',
  ) {}

  private async consume(name: string, key: string, rule: RateLimitRule, what: string): Promise<void> {
    const res = await consumeLimit(this.redis, `${this.prefix}:${name}:${key}`, rule.points, rule.windowSec * 1000);
    if (!res.allowed) {
      const retryAfterSec = Math.max(1, Math.ceil(res.retryAfterMs / 1000));
      const wait = retryAfterSec >= 120 ? `${Math.ceil(retryAfterSec / 60)} minute(s)` : `${retryAfterSec} s`;
      throw rateLimited(`${what} Try again in ${wait}.`, { retryAfterSec });
    }
  }

  /**
   * One sign-in attempt, counted per account and per address before the password is checked.
   * Call `loginSucceeded` after a correct password: it clears the account's counter and gives
   * the address its point back, so the limits count failures (and attempts still in flight).
   */
  async loginAttempt(email: string, ip: string): Promise<void> {
    const msg = 'Too many failed sign-in attempts.';
    await this.consume('login:ip', ip, this.config.loginPerAddress, msg);
    await this.consume('login:email', email, this.config.loginPerAccount, msg);
  }

  async loginSucceeded(email: string, ip: string): Promise<void> {
    await this.redis.del(`${this.prefix}:login:email:${email}`);
    await this.redis.eval(REFUND, 1, `${this.prefix}:login:ip:${ip}`);
  }

  /** Sign-ups per client address. */
  signUp(ip: string): Promise<void> {
    return this.consume('signup:ip', ip, this.config.signUpsPerAddress, 'Too many sign-ups from this address.');
  }

  /** Invitations created per team. */
  invitation(teamId: string): Promise<void> {
    return this.consume('invite:team', teamId, this.config.invitationsPerTeam, 'This team has sent too many invitations.');
  }

  /** Uploads started per user (tus upload creations). */
  upload(userId: string): Promise<void> {
    return this.consume('upload:user', userId, this.config.uploadsPerUser, 'You have started too many uploads.');
  }

  /** One changePassword attempt, counted per account before the current password is verified. */
  passwordChange(userId: string): Promise<void> {
    return this.consume('password:user', userId, this.config.passwordChangePerUser, 'Too many password change attempts.');
  }

  /** A correct current password clears the account's change counter (failures are what it counts). */
  async passwordChangeSucceeded(userId: string): Promise<void> {
    await this.redis.del(`${this.prefix}:password:user:${userId}`);
  }

  /** Password reset links issued per team. */
  passwordResetIssue(teamId: string): Promise<void> {
    return this.consume('reset:team', teamId, this.config.passwordResetsPerTeam, 'This team has issued too many password reset links.');
  }

  /** Reset-link redemptions per client address, counted before the token is looked up. */
  passwordResetRedeem(ip: string): Promise<void> {
    return this.consume('reset:ip', ip, this.config.passwordResetRedeemPerAddress, 'Too many password reset attempts from this address.');
  }

  /** Explanation requests per team (besides the cap on queued jobs, LIMIT_MAX_QUEUED_PER_TEAM). */
  explanationRequest(teamId: string): Promise<void> {
    return this.consume('explain:team', teamId, this.config.explanationsPerTeam, 'This team has requested too many explanations.');
  }
}
