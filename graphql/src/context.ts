import type { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Db, Role, TokenScope } from '@fep/db';
import type { BlobStorage, Config, ExplainJobData } from '@fep/shared';
import type { RateLimits } from './auth/rate-limit.ts';

/** Long-lived dependencies, created once per process (see runtime.ts). */
export interface ApiDeps {
  db: Db;
  redis: Redis;
  storage: BlobStorage;
  queue: Queue<ExplainJobData>;
  pubsub: RedisPubSub;
  config: Config;
  /** Login, sign-up, invitation, upload and explanation-request limits (auth/rate-limit.ts). */
  rateLimits: RateLimits;
  /** Liveness probes for the health query. */
  probes: { database(): Promise<boolean>; queue(): Promise<boolean>; storage(): Promise<boolean> };
}

/** Who is calling: a browser session or a personal API token, always acting as a user. */
export interface Caller {
  userId: string;
  sessionId?: string;
  tokenId?: string;
  /** Set when the API token is restricted to one team. */
  tokenTeamId?: string | null;
  /** The API token's scope (auth/permissions.ts); absent for a session, which holds every scope. */
  tokenScope?: TokenScope;
}

/** Session cookie control; absent over WebSocket, where cookies cannot be set. */
export interface CookieJar {
  setSession(token: string, expiresAt: Date): void;
  clearSession(): void;
  sessionToken: string | undefined;
}

export interface ApiContext extends ApiDeps {
  caller: Caller | null;
  /** teamId → role (or null when not a member), memoised for one request. */
  roleCache: Map<string, Role | null>;
  request: { ip: string; userAgent: string | undefined };
  cookies: CookieJar | null;
}
