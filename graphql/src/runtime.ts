import { RedisPubSub } from 'graphql-redis-subscriptions';
import { openDatabase, resolveQueuePrefix, type DatabaseHandle } from '@fep/db';
import { createExplainQueue, createRedis, createStorage, loadConfig, type Config } from '@fep/shared';
import { RateLimits } from './auth/rate-limit.ts';
import type { ApiDeps } from './context.ts';

export interface ApiRuntime extends ApiDeps {
  database: DatabaseHandle;
  /** The queue prefix in use: QUEUE_PREFIX, else derived from the database's identity (instance-identity.ts). */
  queuePrefix: string;
  close(): Promise<void>;
}

/**
 * Everything one API process holds for its lifetime: database, Redis (commands, pub/sub
 * publisher and subscriber — pub/sub needs dedicated connections), blob storage and the queue.
 */
export async function createApiRuntime(
  config: Config = loadConfig(),
  opts: { queuePrefix?: string; redisKeyPrefix?: string } = {},
): Promise<ApiRuntime> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  // Request-serving connections fail fast while Redis is down (UNAVAILABLE within ~2 s); the
  // subscriber keeps retrying so subscriptions resume when Redis is back.
  const redis = createRedis(config.redisUrl, { failFast: true });
  const publisher = createRedis(config.redisUrl, { failFast: true });
  const subscriber = createRedis(config.redisUrl);
  // graphql-redis-subscriptions bundles its own ioredis typings; the clients are compatible at runtime.
  const pubsub = new RedisPubSub({ publisher: publisher as never, subscriber: subscriber as never });
  const storage = createStorage(config.storageDir);
  // Jobs only reach workers reading the same database: two deployments on one Redis never mix.
  const queuePrefix = opts.queuePrefix ?? (await resolveQueuePrefix(database.prisma, config.queuePrefix));
  const queue = createExplainQueue(config.redisUrl, queuePrefix, { failFast: true });
  const runtime: ApiRuntime = {
    database,
    queuePrefix,
    db: database.prisma,
    redis,
    storage,
    queue,
    pubsub,
    config,
    // Counters are per deployment: a test run or a second instance sharing Redis has its own.
    rateLimits: new RateLimits(redis, config.rateLimits, `${opts.redisKeyPrefix ?? `fep:${queuePrefix}`}:limit`),
    probes: {
      database: async () => (await database.sql.query<{ ok: number }>('SELECT 1 AS ok'))[0]?.ok === 1,
      queue: async () => (await redis.ping()) === 'PONG',
      storage: () => storage.healthy(),
    },
    close: async () => {
      await queue.close().catch(() => {});
      await pubsub.close().catch(() => {});
      redis.disconnect();
      publisher.disconnect();
      subscriber.disconnect();
      await database.close();
    },
  };
  return runtime;
}
