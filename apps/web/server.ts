/**
 * The web process: one HTTP server on PORT serving Next.js pages, the GraphQL API at
 * /api/graphql (HTTP + graphql-ws on the same path), authenticated media and uploads.
 *
 * With embedded PGlite (no DATABASE_URL) this process also hosts the engine worker, because
 * PGlite allows only one process; with PostgreSQL the engine runs as separate processes.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import next from 'next';
import { attachSubscriptions, buildSchema, createApiRuntime, mountApi, registerBuiltinModel } from '@fep/api';
import { retentionPolicyFromEnv, runRetention } from '@fep/api/governance/retention.service.ts';
import { trackHttpRequests } from '@fep/api/server/drain.ts';
import { securityHeaders } from '@fep/api/server/security-headers.ts';
import { loadConfig } from '@fep/shared';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const config = loadConfig();
if (config.production && !process.env.TOKEN_PEPPER) {
  console.error('[web] TOKEN_PEPPER must be set in production (npm start generates one under ./data).');
  process.exit(1);
}
const dev = process.env.NODE_ENV !== 'production';

const runtime = await createApiRuntime(config);
await registerBuiltinModel(runtime.db);
const schema = buildSchema();

const nextApp = next({ dev, dir: webDir, hostname: config.host, port: config.port });
const handle = nextApp.getRequestHandler();
await nextApp.prepare();

const app = express();
app.disable('x-powered-by');
// Frame, sniffing, referrer, permissions and HSTS headers on every response; pages get their CSP from proxy.ts.
app.use(securityHeaders({ hsts: config.secureCookies }));
const api = await mountApi(app, runtime, schema);
app.all('/{*path}', (req, res) => handle(req, res));

const server = createServer(app);
const drainer = trackHttpRequests(server);
const subscriptions = attachSubscriptions(server, runtime, schema);
const nextUpgrade = nextApp.getUpgradeHandler();
server.on('upgrade', (req, socket, head) => {
  if (!subscriptions.handleUpgrade(req, socket, head)) void nextUpgrade(req, socket, head);
});

let stopWorker: (() => Promise<void>) | null = null;
if (!config.databaseUrl || process.env.ENGINE_IN_PROCESS === '1') {
  // Embedded mode: the engine service runs here (PGlite allows one process), its TF.js work on a
  // worker thread so requests are answered while an explanation computes.
  const { startEngineService } = await import('@fep/engine/worker/engine-service.ts');
  const engine = await startEngineService({
    db: runtime.db,
    storage: runtime.storage,
    redis: runtime.redis,
    config,
    prefix: runtime.queuePrefix,
    log: (m) => console.log(`[engine] ${m}`),
  });
  console.log(`[engine] in-process worker ready (backend ${engine.backend.backend}, compute on a worker thread, queue prefix ${runtime.queuePrefix})`);
  stopWorker = () => engine.stop();
}

// Retention of old blobs (off unless RETENTION_* is set), daily; one process at a time via a Redis lock.
const retentionPolicy = retentionPolicyFromEnv();
const retentionTimer =
  retentionPolicy.videoDays !== null || retentionPolicy.saliencyDays !== null
    ? setInterval(runRetentionOnce, 24 * 3600_000)
    : null;
async function runRetentionOnce() {
  if ((await runtime.redis.set('fep:retention:lock', String(process.pid), 'EX', 3600, 'NX')) !== 'OK') return;
  try {
    const result = await runRetention(runtime.db, runtime.storage, retentionPolicy);
    console.log(`[retention] ${JSON.stringify(result)}`);
  } catch (err) {
    console.error('[retention] failed', err);
  }
}
if (retentionTimer) void runRetentionOnce();

server.listen(config.port, config.host, () => {
  console.log(`[web] F-EP Studio on http://${config.host}:${config.port} (${runtime.database.kind}${dev ? ', dev' : ''})`);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`[web] ${signal}: shutting down…`);
    // A running explanation gets up to 60 s to finish; after that the process exits anyway.
    setTimeout(() => process.exit(1), 60_000).unref();
    if (retentionTimer) clearInterval(retentionTimer);
    const steps: [string, (() => Promise<unknown>) | undefined][] = [
      // Stop accepting; in-flight requests get SHUTDOWN_GRACE_MS to finish, idle connections close now.
      ['http', async () => {
        const { forced } = await drainer.drain(config.shutdownGraceMs);
        if (forced > 0) console.log(`[web] cut ${forced} request(s) still running after ${config.shutdownGraceMs} ms`);
      }],
      ['subscriptions', () => subscriptions.close()],
      ['api', () => api.stop()],
      ['engine worker', stopWorker ?? undefined],
      ['runtime', () => runtime.close()],
    ];
    for (const [name, stop] of steps) {
      if (!stop) continue;
      const started = Date.now();
      await stop().catch((err) => console.error(`[web] stopping ${name} failed`, err));
      console.log(`[web] stopped ${name} (${Date.now() - started} ms)`);
    }
    process.exit(0);
  });
}
