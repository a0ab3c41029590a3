/**
 * Prisma 7 CLI configuration for @fep/db (Prisma 7 reads the datasource URL from here, not from
 * schema.prisma; https://pris.ly/d/config). Paths are relative to this file's directory.
 *
 * Offline: the Prisma CLI downloads its native schema engine unless PRISMA_SCHEMA_ENGINE_BINARY
 * names an executable. We point it at scripts/schema-engine.mjs, a JSON-RPC shim around the Wasm
 * engine (see docs/prisma-offline.md), so that plain `npx prisma …` run from this directory works
 * offline too, not only the npm scripts (which set the variable themselves).
 *
 * Environment:
 * - DATABASE_URL: postgresql://… or a PGlite location (file:<dir>); unset is fine for
 *   `generate` and `migrate diff` (the shim then uses an in-memory PGlite).
 * - SHADOW_DATABASE_URL: optional; it is emptied before use. Without it the shim creates and drops
 *   a throw-away database on the same PostgreSQL server (or an in-memory PGlite).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

const here = path.dirname(fileURLToPath(import.meta.url));

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(here, 'scripts', 'schema-engine.mjs');

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: {
    url: process.env.DATABASE_URL || undefined,
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL || undefined,
  },
});
