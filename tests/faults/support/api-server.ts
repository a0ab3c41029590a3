/**
 * The web process's API half, without Next.js (no build needed): GraphQL over HTTP and WebSocket,
 * tus uploads and media, from the same modules apps/web/server.ts mounts. Configured from the
 * environment (loadConfig); registers the built-in model like `npm start` does. Prints
 * `[api] listening <url>` once it serves. SIGTERM/SIGINT close it and exit 0.
 *
 *   node --import tsx tests/faults/support/api-server.ts
 */
import { buildSchema, createApiRuntime, registerBuiltinModel, startApiServer } from '@fep/api';
import { loadConfig } from '@fep/shared';

const config = loadConfig();
const runtime = await createApiRuntime(config);
await registerBuiltinModel(runtime.db);
const server = await startApiServer(runtime, buildSchema(), config.port, config.host);
console.log(`[api] listening ${server.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log(`[api] ${signal}: shutting down`);
    setTimeout(() => process.exit(1), 15_000).unref();
    await server.close().catch((err) => console.error('[api] close failed', err));
    await runtime.close().catch((err) => console.error('[api] runtime close failed', err));
    process.exit(0);
  });
}
