/**
 * The engine as one service: a BullMQ worker whose compute runs on the compute thread, and the
 * reconciler beside it. Started by the engine process (main.ts) and, in embedded mode, inside the
 * web process (apps/web/server.ts) — the same parts either way.
 */
import type { Redis } from 'ioredis';
import type { Db } from '@fep/db';
import { createExplainQueue, type BlobStorage, type Config } from '@fep/shared';
import type { BackendInfo } from '../backend.ts';
import { createComputeRunner } from './compute-thread.ts';
import { disposeModelCache, startExplainWorker } from './explain-worker.ts';
import { startReconciler, type Reconciler } from './reconciler.ts';

export interface EngineServiceOptions {
  db: Db;
  storage: BlobStorage;
  redis: Redis;
  config: Config;
  /** The resolved queue prefix (resolveQueuePrefix), the same as the API's. */
  prefix: string;
  concurrency?: number;
  log: (msg: string) => void;
}

export interface EngineService {
  backend: BackendInfo;
  reconciler: Reconciler;
  /** Stops the reconciler, lets the running job finish, then ends the compute thread. */
  stop(): Promise<void>;
}

export async function startEngineService(o: EngineServiceOptions): Promise<EngineService> {
  const compute = createComputeRunner({ log: o.log });
  const backend = await compute.start();
  const worker = startExplainWorker(
    {
      db: o.db,
      storage: o.storage,
      storageDir: o.config.storageDir,
      redis: o.redis,
      compute,
      maxAttempts: o.config.engineMaxAttempts,
      // Steps of the insertion/deletion curves; default 256 (Li et al.). Lower only for quick runs.
      metricSteps: process.env.ENGINE_METRIC_STEPS ? Number(process.env.ENGINE_METRIC_STEPS) : undefined,
      log: o.log,
    },
    { redisUrl: o.config.redisUrl, prefix: o.prefix, concurrency: o.concurrency ?? 1 },
  );
  const queue = createExplainQueue(o.config.redisUrl, o.prefix);
  const reconciler = startReconciler({
    db: o.db,
    queue,
    redis: o.redis,
    prefix: o.prefix,
    intervalMs: o.config.reconcileIntervalMs,
    graceMs: o.config.reconcileGraceMs,
    maxAttempts: o.config.engineMaxAttempts,
    log: o.log,
  });
  return {
    backend,
    reconciler,
    stop: async () => {
      await reconciler.stop();
      await worker.close();
      await compute.close();
      await disposeModelCache();
      await queue.close();
    },
  };
}
