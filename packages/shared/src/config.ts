import path from 'node:path';
import { limitsFromEnv, type Limits } from './methods/limits.ts';

/**
 * Every environment variable the product reads, with its default. The README's configuration
 * table mirrors this list; keep them in step.
 */
export interface Config {
  /** PostgreSQL URL; unset → embedded PGlite under `dataDir/pglite`. */
  databaseUrl: string | undefined;
  redisUrl: string;
  /** Prefix of the queue's Redis keys (BullMQ's default "bull"): separates deployments sharing one Redis. */
  queuePrefix: string | undefined;
  dataDir: string;
  storageDir: string;
  port: number;
  host: string;
  production: boolean;
  /** Secure flag on the session cookie: on in production unless serving on loopback. */
  secureCookies: boolean;
  /** Server-side secret mixed into session/API-token/invitation hashes (a stolen DB alone can't forge them). */
  tokenPepper: string;
  /** Wall-clock limit of one ffmpeg run (decode, encode); the child is killed past it. */
  ffmpegTimeoutMs: number;
  /** Wall-clock limit of one ffprobe run. */
  ffprobeTimeoutMs: number;
  /** Time limit of one explanation job's compute; past it the job fails with "time limit". */
  engineJobTimeoutMs: number;
  /** On SIGTERM, how long in-flight HTTP requests may take to finish before their connections are cut. */
  shutdownGraceMs: number;
  /** Bounds on explanation parameters, uploaded videos and queued jobs (LIMIT_* variables; methods/limits.ts). */
  limits: Limits;
  /** Origins allowed to make cookie-authenticated changes and WebSocket connections (APP_ORIGIN, comma-separated). */
  appOrigins: string[];
  /** GraphQL introspection: on outside production; in production only with GRAPHQL_INTROSPECTION=1. */
  introspection: boolean;
  /** Hours an unfinished tus upload is kept before it and its staging files are deleted (UPLOAD_EXPIRY_HOURS). */
  uploadExpiryHours: number;
  /** How often the reconciler compares Explanation rows with the queue (and once on start). */
  reconcileIntervalMs: number;
  /** How long a RUNNING row's job may be not active before the reconciler retries the row. */
  reconcileGraceMs: number;
  /** Engine runs one explanation gets (crashes and transient errors) before it is FAILED. */
  engineMaxAttempts: number;
  /** Abuse limits counted atomically in Redis (RATE_LIMIT_* variables, `points/windowSec`). */
  rateLimits: RateLimitConfig;
}

/** At most `points` uses per fixed window of `windowSec` seconds. */
export interface RateLimitRule {
  points: number;
  windowSec: number;
}

export interface RateLimitConfig {
  loginPerAccount: RateLimitRule;
  loginPerAddress: RateLimitRule;
  signUpsPerAddress: RateLimitRule;
  invitationsPerTeam: RateLimitRule;
  uploadsPerUser: RateLimitRule;
  explanationsPerTeam: RateLimitRule;
  /** changePassword attempts per account (each verifies the current password). */
  passwordChangePerUser: RateLimitRule;
  /** Password reset links issued per team. */
  passwordResetsPerTeam: RateLimitRule;
  /** Password reset redemptions per client address (counted before the token is looked up). */
  passwordResetRedeemPerAddress: RateLimitRule;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR ?? './data');
  const production = env.NODE_ENV === 'production';
  const host = env.HOST ?? '127.0.0.1';
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379',
    queuePrefix: env.QUEUE_PREFIX || undefined,
    dataDir,
    storageDir: path.resolve(env.STORAGE_DIR ?? path.join(dataDir, 'storage')),
    port: Number(env.PORT ?? 3000),
    host,
    production,
    secureCookies: env.COOKIE_SECURE ? env.COOKIE_SECURE === '1' : production && !LOOPBACK.has(host),
    tokenPepper: env.TOKEN_PEPPER ?? 'fep-studio-dev-pepper',
    ffmpegTimeoutMs: positiveMs(env.FFMPEG_TIMEOUT_MS, 120_000, 'FFMPEG_TIMEOUT_MS'),
    ffprobeTimeoutMs: positiveMs(env.FFPROBE_TIMEOUT_MS, 30_000, 'FFPROBE_TIMEOUT_MS'),
    engineJobTimeoutMs: positiveMs(env.ENGINE_JOB_TIMEOUT_MS, 1_800_000, 'ENGINE_JOB_TIMEOUT_MS'),
    shutdownGraceMs: positiveMs(env.SHUTDOWN_GRACE_MS, 10_000, 'SHUTDOWN_GRACE_MS'),
    limits: limitsFromEnv(env),
    appOrigins: appOrigins(env.APP_ORIGIN, host, Number(env.PORT ?? 3000)),
    introspection: env.GRAPHQL_INTROSPECTION ? env.GRAPHQL_INTROSPECTION === '1' : !production,
    uploadExpiryHours: positiveNumber(env.UPLOAD_EXPIRY_HOURS, 24, 'UPLOAD_EXPIRY_HOURS'),
    reconcileIntervalMs: positiveMs(env.RECONCILE_INTERVAL_MS, 15_000, 'RECONCILE_INTERVAL_MS'),
    reconcileGraceMs: positiveMs(env.RECONCILE_GRACE_MS, 60_000, 'RECONCILE_GRACE_MS'),
    engineMaxAttempts: Math.max(1, Math.floor(positiveNumber(env.ENGINE_MAX_ATTEMPTS, 3, 'ENGINE_MAX_ATTEMPTS'))),
    rateLimits: {
      // OWASP authentication cheat sheet: a few failures per account, a looser limit per address.
      loginPerAccount: rateRule(env.RATE_LIMIT_LOGIN_ACCOUNT, '5/900', 'RATE_LIMIT_LOGIN_ACCOUNT'),
      loginPerAddress: rateRule(env.RATE_LIMIT_LOGIN_ADDRESS, '50/900', 'RATE_LIMIT_LOGIN_ADDRESS'),
      signUpsPerAddress: rateRule(env.RATE_LIMIT_SIGNUP_ADDRESS, '20/3600', 'RATE_LIMIT_SIGNUP_ADDRESS'),
      invitationsPerTeam: rateRule(env.RATE_LIMIT_INVITATION_TEAM, '50/3600', 'RATE_LIMIT_INVITATION_TEAM'),
      uploadsPerUser: rateRule(env.RATE_LIMIT_UPLOAD_USER, '60/3600', 'RATE_LIMIT_UPLOAD_USER'),
      explanationsPerTeam: rateRule(env.RATE_LIMIT_EXPLANATION_TEAM, '200/3600', 'RATE_LIMIT_EXPLANATION_TEAM'),
      passwordChangePerUser: rateRule(env.RATE_LIMIT_PASSWORD_CHANGE_USER, '5/900', 'RATE_LIMIT_PASSWORD_CHANGE_USER'),
      passwordResetsPerTeam: rateRule(env.RATE_LIMIT_PASSWORD_RESET_TEAM, '20/3600', 'RATE_LIMIT_PASSWORD_RESET_TEAM'),
      passwordResetRedeemPerAddress: rateRule(env.RATE_LIMIT_PASSWORD_RESET_ADDRESS, '20/900', 'RATE_LIMIT_PASSWORD_RESET_ADDRESS'),
    },
  };
}

/** `points/windowSec`, e.g. `5/900`: at most 5 uses per 15 minutes. */
function rateRule(raw: string | undefined, fallback: string, name: string): RateLimitRule {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw || fallback);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new RangeError(`${name} must look like points/seconds (e.g. 5/900), got "${raw}".`);
  return { points: Number(m[1]), windowSec: Number(m[2]) };
}

/** APP_ORIGIN as a list of origins; unset → http://HOST:PORT, plus localhost/127.0.0.1 when HOST is loopback. */
function appOrigins(raw: string | undefined, host: string, port: number): string[] {
  if (raw) {
    return raw
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean)
      .map((o) => {
        const url = new URL(o);
        if (url.origin === 'null') throw new RangeError(`APP_ORIGIN must list http(s) origins, got "${o}".`);
        return url.origin;
      });
  }
  const origins = [new URL(`http://${host === '::1' ? '[::1]' : host}:${port}`).origin];
  if (LOOPBACK.has(host)) origins.push(`http://localhost:${port}`, `http://127.0.0.1:${port}`);
  return [...new Set(origins)];
}

function positiveNumber(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got "${raw}".`);
  return v;
}

/** A duration in ms from the environment: unset → `fallback`; anything but a positive number throws. */
function positiveMs(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number of milliseconds, got "${raw}".`);
  return v;
}
