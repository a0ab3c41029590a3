/**
 * Standalone engine worker process (`npm run worker -w @fep/engine`): connects to PostgreSQL
 * (DATABASE_URL), Redis and storage, and consumes explanation jobs until SIGTERM/SIGINT, then
 * finishes the running job and exits. With embedded PGlite the web process hosts the worker
 * instead (PGlite allows one process).
 */
import { openDatabase } from '@fep/db';
import { createRedis, createStorage, loadConfig } from '@fep/shared';
import { initBackend } from '../backend.ts';
import { kernelThreadsInUse } from '../core/smooth-max-simd.ts';
import { disposeModelCache, startExplainWorker } from './explain-worker.ts';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error('fep worker: set DATABASE_URL to a PostgreSQL database (embedded PGlite runs the worker inside the web process).');
  process.exit(2);
}
const backend = await initBackend();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const redis = createRedis(config.redisUrl);
const worker = startExplainWorker(
  {
    db: database.prisma,
    storage: createStorage(config.storageDir),
    redis,
    backend,
    // Steps of the insertion/deletion curves; default 256 (Li et al.). Lower only for quick runs.
    metricSteps: process.env.ENGINE_METRIC_STEPS ? Number(process.env.ENGINE_METRIC_STEPS) : undefined,
    log: (m) => console.log(`[engine] ${m}`),
  },
  { redisUrl: config.redisUrl, prefix: config.queuePrefix, concurrency: Number(process.env.ENGINE_CONCURRENCY ?? 1) },
);
console.log(
  `[engine] worker ready (backend ${backend.backend}, concurrency ${worker.opts.concurrency}, kernel threads ${kernelThreadsInUse()})`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`[engine] ${signal}: finishing the current job…`);
    await worker.close();
    await disposeModelCache();
    redis.disconnect();
    await database.close();
    process.exit(0);
  });
}
