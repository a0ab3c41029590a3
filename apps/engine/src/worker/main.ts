/**
 * Standalone engine worker process (`npm run worker -w @fep/engine`): connects to PostgreSQL
 * (DATABASE_URL), Redis and storage, consumes explanation jobs on the compute thread and runs the
 * reconciler (engine-service.ts) until SIGTERM/SIGINT, then finishes the running job and exits.
 * With embedded PGlite the web process hosts the same service instead (PGlite allows one process).
 */
import { openDatabase, resolveQueuePrefix } from '@fep/db';
import { createRedis, createStorage, loadConfig } from '@fep/shared';
import { kernelThreadsInUse } from '../core/smooth-max-simd.ts';
import { startEngineService } from './engine-service.ts';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error('fep worker: set DATABASE_URL to a PostgreSQL database (embedded PGlite runs the worker inside the web process).');
  process.exit(2);
}
const log = (m: string) => console.log(`[engine] ${m}`);
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const prefix = await resolveQueuePrefix(database.prisma, config.queuePrefix);
const redis = createRedis(config.redisUrl);
const concurrency = Number(process.env.ENGINE_CONCURRENCY ?? 1);
const engine = await startEngineService({ db: database.prisma, storage: createStorage(config.storageDir), redis, config, prefix, concurrency, log });
console.log(
  `[engine] worker ready (backend ${engine.backend.backend}, queue prefix ${prefix}, concurrency ${concurrency}, kernel threads ${kernelThreadsInUse()})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`[engine] ${signal}: finishing the current job…`);
    await engine.stop();
    redis.disconnect();
    await database.close();
    process.exit(0);
  });
}
