#!/usr/bin/env node
// @ts-check
/**
 * Offline drop-in for Prisma's native `schema-engine` binary.
 *
 * Prisma 7's CLI downloads a native schema engine on every command and fails without
 * network access. It skips the download when PRISMA_SCHEMA_ENGINE_BINARY names an existing
 * executable (see `PRISMA_SCHEMA_ENGINE_BINARY` in node_modules/prisma/build/cli.js, fetch-engine's
 * env resolution) and then talks to that executable exactly like to the native binary:
 *
 *   schema-engine --version                                  → prints "schema-engine-cli <commit>"
 *   schema-engine [--datamodels <file>]… [--datasource <json>] → line-delimited JSON-RPC 2.0 on
 *       stdin/stdout (CLI → engine: {id, method, params}; engine → CLI: {id, result | error},
 *       plus the engine → CLI request `print` {content} that the CLI answers with `{result: {}}`)
 *   schema-engine --datasource <json> cli can-connect-to-database | create-database
 *       → exit code 0, or 1 with JSON log lines on stderr ({level:"ERROR", fields:{error_code}}).
 *
 * Every JSON-RPC call is forwarded to the Wasm build of the same engine
 * (@prisma/schema-engine-wasm, byte-identical to the wasm inside prisma 7.10.0),
 * which reaches the database through a driver adapter instead of its own
 * network stack:
 *   - postgres:// / postgresql:// URLs → @prisma/adapter-pg, configured with separate
 *     host/port/user/password/database fields (with `{ connectionString }` the URL's database
 *     name would win over the shadow database name, so `connectToShadowDb` would silently hit
 *     the main database);
 *   - file:<dir>, a bare directory path or memory:// → PGlite (@electric-sql/pglite) through
 *     pglite-prisma-adapter;
 *   - no URL at all → an in-memory PGlite, enough for `migrate diff --from-empty --to-schema`
 *     and for `--from-migrations`, which replays migrations in a shadow database.
 *
 * Shadow database (needed by `migrate diff --from-migrations`, `migrate dev`): the URL from
 * `datasource.shadowDatabaseUrl` if given (it is emptied first, like the native engine does),
 * else a throw-away database `prisma_shadow_<uuid>` created on the same PostgreSQL server and
 * dropped afterwards, else (PGlite / no URL) a fresh in-memory PGlite.
 *
 * Method names follow the native engine's RPC (node_modules/prisma/build/cli.js, class with
 * `getRPCPayload`); `getDatabaseVersion` maps to the Wasm engine's `version`, `createDatabase`
 * is implemented here with a maintenance connection, and `diff` output is sent back through a
 * `print` request because the CLI ignores `DiffResult.stdout` (the native CLI engine prints).
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

/** Resolve a package's entry as an importable file URL (ESM import by path). */
function resolveUrl(/** @type {string} */ specifier) {
  return pathToFileURL(require.resolve(specifier)).href;
}

const WASM_PKG_DIR = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
/** The engine commit, e.g. "0edf323e…" from "7.10.0-4.0edf323e…" (prisma's engines version scheme). */
const ENGINE_COMMIT = (() => {
  const { version } = JSON.parse(fs.readFileSync(path.join(WASM_PKG_DIR, 'package.json'), 'utf8'));
  return String(version).split('.').pop();
})();

// ---------------------------------------------------------------------------------------------
// Argument parsing (same flags as the native binary, see the CLI's `internalInit`).
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {{ url?: string, shadowDatabaseUrl?: string }} Datasource
 * @typedef {{ datamodels: string[], datasource: Datasource, cliCommand?: string, version: boolean }} Args
 */

/** @returns {Args} */
function parseArgs(/** @type {string[]} */ argv) {
  /** @type {Args} */
  const args = { datamodels: [], datasource: {}, version: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--version' || a === '-V') args.version = true;
    else if (a === '--datamodels' || a === '-d') args.datamodels.push(argv[++i]);
    else if (a === '--datasource') args.datasource = JSON.parse(argv[++i] ?? '{}') ?? {};
    else if (a === '--enabled-preview-features' || a === '--extension-types') i++;
    else if (a === 'cli') args.cliCommand = argv[++i];
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// Driver adapters
// ---------------------------------------------------------------------------------------------

/** PostgreSQL OIDs the adapters cannot map to a Prisma column type (pg_type.dat). */
const OID = { CHAR: 18, TEXT: 25, CHAR_ARRAY: 1002, NAME_ARRAY: 1003 };
/** ColumnTypeEnum of @prisma/driver-adapter-utils (src/const.ts). */
const COLUMN_TYPE = { Character: 6, CharacterArray: 70, TextArray: 71 };

/** Parse a PostgreSQL text-format one-dimensional array literal, e.g. `{a,"b c",NULL}`. */
export function parsePgTextArray(/** @type {string} */ literal) {
  if (literal === '{}') return [];
  /** @type {(string | null)[]} */
  const out = [];
  let i = 1;
  while (i < literal.length - 1) {
    let value = '';
    let quoted = false;
    if (literal[i] === '"') {
      quoted = true;
      i++;
      while (literal[i] !== '"') {
        if (literal[i] === '\\') i++;
        value += literal[i++];
      }
      i++;
    } else {
      while (i < literal.length - 1 && literal[i] !== ',') value += literal[i++];
    }
    out.push(!quoted && value === 'NULL' ? null : value);
    i++; // skip ','
  }
  return out;
}

/**
 * The schema engine's introspection queries select PostgreSQL's internal `"char"` type
 * (pg_constraint.contype, pg_class.relkind, …) and arrays of `"char"`/`name`; both adapters throw
 * UnsupportedNativeDataType for those OIDs. Report them as the column types the engine's
 * describer reads them as (Character / CharacterArray / TextArray), with array literals parsed.
 * Done per call on a derived object, so concurrent queries on one pool cannot mix their columns.
 */
function fixInternalColumnTypes(/** @type {any} */ queryable) {
  const queryRaw = queryable.queryRaw;
  const performIO = queryable.performIO;
  queryable.queryRaw = async (/** @type {any} */ query) => {
    /** @type {Map<number, number>} */
    const overrides = new Map();
    const perCall = Object.create(queryable, {
      performIO: {
        value: async (/** @type {any} */ q) => {
          const result = await performIO.call(queryable, q);
          (result?.fields ?? []).forEach((/** @type {any} */ field, /** @type {number} */ col) => {
            const oid = field.dataTypeID;
            if (oid !== OID.CHAR && oid !== OID.CHAR_ARRAY && oid !== OID.NAME_ARRAY) return;
            overrides.set(col, oid === OID.CHAR ? COLUMN_TYPE.Character : oid === OID.CHAR_ARRAY ? COLUMN_TYPE.CharacterArray : COLUMN_TYPE.TextArray);
            field.dataTypeID = OID.TEXT; // something the adapter accepts; replaced below
            if (oid !== OID.CHAR) {
              for (const row of result.rows) if (typeof row[col] === 'string') row[col] = parsePgTextArray(row[col]);
            }
          });
          return result;
        },
      },
    });
    const result = await queryRaw.call(perCall, query);
    for (const [col, type] of overrides) result.columnTypes[col] = type;
    return result;
  };
  if (typeof queryable.startTransaction === 'function') {
    const startTransaction = queryable.startTransaction.bind(queryable);
    queryable.startTransaction = async (/** @type {any[]} */ ...a) => fixInternalColumnTypes(await startTransaction(...a));
  }
  return queryable;
}

/**
 * Split a postgres URL into node-postgres fields (never `connectionString`, see header).
 * Supports `?schema=` (→ adapter option), `?host=/socket/dir` and `?sslmode=`.
 */
export function pgConfigFromUrl(/** @type {string} */ url) {
  const u = new URL(url);
  const q = u.searchParams;
  /** @type {Record<string, any>} */
  const config = {
    host: q.get('host') ?? (decodeURIComponent(u.hostname) || 'localhost'),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || process.env.PGUSER || 'postgres',
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.password) config.password = decodeURIComponent(u.password);
  const sslmode = q.get('sslmode');
  if (sslmode && sslmode !== 'disable' && sslmode !== 'prefer') config.ssl = { rejectUnauthorized: sslmode === 'verify-full' };
  const schema = q.get('schema') ?? undefined;
  return { config, schema };
}

/** @returns {'postgres' | 'pglite'} */
export function urlKind(/** @type {string | undefined} */ url) {
  if (!url) return 'pglite';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(file:|memory:\/\/)/i.test(url) || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return 'pglite';
  throw Object.assign(new Error(`The offline schema engine supports postgresql:// URLs and PGlite (file:<dir>, memory://) only, got "${url.split(':')[0]}:"`), { code: 'P1013' });
}

/** PGlite data dir for a URL: undefined = in memory. Relative paths resolve against the cwd (the CLI's base dir). */
function pgliteDataDir(/** @type {string | undefined} */ url) {
  if (!url || /^memory:\/\//i.test(url)) return undefined;
  const p = url.replace(/^file:(\/\/)?/i, '');
  return path.resolve(p);
}

/** Everything opened by this process that must be closed before exit. */
/** @type {Array<() => Promise<void>>} */
const closers = [];

/** Compiled PGlite Wasm module, shared by every instance this process opens. */
/** @type {Promise<WebAssembly.Module> | undefined} */
let pgliteModule;
/** Data dir of a freshly initialised in-memory PGlite, to skip initdb for the next one. */
/** @type {Blob | undefined} */
let pristineDataDir;

async function openPglite(/** @type {string | undefined} */ dataDir, /** @type {Blob | undefined} */ loadDataDir = undefined) {
  const entry = require.resolve('@electric-sql/pglite');
  const { PGlite } = await import(pathToFileURL(entry).href);
  pgliteModule ??= WebAssembly.compile(fs.readFileSync(path.join(path.dirname(entry), 'pglite.wasm')));
  const db = new PGlite({ ...(dataDir ? { dataDir } : {}), pgliteWasmModule: await pgliteModule, ...(loadDataDir ? { loadDataDir } : {}) });
  await db.waitReady;
  closers.push(async () => { if (!db.closed) await db.close(); });
  return db;
}

/**
 * A fresh in-memory PGlite for a shadow database. initdb dominates PGlite's start-up (seconds on
 * this 2-core machine), so when the main database is an untouched in-memory PGlite its data dir
 * is dumped once and loaded into the shadow instead of running initdb again.
 */
async function openShadowPglite(/** @type {any} */ mainMemoryDb) {
  if (!pristineDataDir && mainMemoryDb) {
    const { rows } = await mainMemoryDb.query(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
    );
    if (rows[0].n === 0) pristineDataDir = await mainMemoryDb.dumpDataDir('none');
  }
  return openPglite(undefined, pristineDataDir);
}

async function pgliteAdapter(/** @type {any} */ db) {
  const { PrismaPGlite } = await import(resolveUrl('pglite-prisma-adapter'));
  const adapter = await new PrismaPGlite(db).connect();
  // pglite-prisma-adapter 0.7.2 does not await `exec` in executeScript: errors would surface as
  // unhandled rejections instead of failing the migration.
  adapter.executeScript = async (/** @type {string} */ script) => {
    try { await db.exec(script); } catch (e) { adapter.onError(e); }
  };
  return fixInternalColumnTypes(adapter);
}

/** Connect with node-postgres fields and return a PrismaPg adapter (with the fixes below). */
async function pgAdapter(/** @type {Record<string, any>} */ config, /** @type {string | undefined} */ schema) {
  const { PrismaPg } = await import(resolveUrl('@prisma/adapter-pg'));
  const adapter = await new PrismaPg(config, schema ? { schema } : undefined).connect();
  // @prisma/adapter-pg 7.10 runs scripts by splitting them on every ";", which breaks migrations
  // with a ";" inside a comment, a string or a $$-quoted function body. Send the whole script as
  // one simple-protocol query instead, as the native engine does (multi-statement, one implicit
  // transaction).
  adapter.executeScript = async (/** @type {string} */ script) => {
    try { await adapter.client.query(script); } catch (e) { adapter.onError(e); }
  };
  return fixInternalColumnTypes(adapter);
}

/** A driver adapter that creates the real one on its first query (see `connect` below). */
function lazyAdapter(/** @type {() => Promise<any>} */ open) {
  /** @type {Promise<any> | undefined} */
  let real;
  const get = () => (real ??= open());
  return {
    provider: 'postgres',
    adapterName: 'pglite-prisma-adapter',
    queryRaw: async (/** @type {any} */ q) => (await get()).queryRaw(q),
    executeRaw: async (/** @type {any} */ q) => (await get()).executeRaw(q),
    executeScript: async (/** @type {string} */ s) => (await get()).executeScript(s),
    startTransaction: async (/** @type {any} */ l) => (await get()).startTransaction(l),
    getConnectionInfo: () => ({ schemaName: undefined, supportsRelationJoins: true }),
    dispose: async () => { if (real) await (await real).dispose(); },
  };
}

/** Drop everything in a PostgreSQL database the user owns (the native engine's shadow-db reset). */
async function emptyPgDatabase(/** @type {Record<string, any>} */ config) {
  const pg = (await import(resolveUrl('pg'))).default;
  const client = new pg.Client(config);
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT nspname::text AS name FROM pg_namespace
       WHERE nspname NOT IN ('information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%'`,
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA "${name.replace(/"/g, '""')}" CASCADE`);
    await client.query('CREATE SCHEMA IF NOT EXISTS "public"');
  } finally {
    await client.end();
  }
}

/**
 * A migration-aware driver adapter factory (the shape @prisma/driver-adapter-utils'
 * bindMigrationAwareSqlAdapterFactory expects) for the datasource the CLI passed.
 */
export function createAdapterFactory(/** @type {Datasource} */ datasource) {
  const { url, shadowDatabaseUrl } = datasource;
  if (url && shadowDatabaseUrl && url === shadowDatabaseUrl) {
    throw Object.assign(new Error('The shadow database URL must differ from the main database URL (the shadow database is emptied).'), { code: 'P3005' });
  }
  const kind = urlKind(url);
  /** The main database when it is an in-memory PGlite (no URL / memory://). */
  /** @type {any} */
  let mainMemoryDb;
  return {
    provider: 'postgres',
    adapterName: kind === 'postgres' ? '@prisma/adapter-pg' : 'pglite-prisma-adapter',
    async connect() {
      if (kind === 'postgres') {
        const { config, schema } = pgConfigFromUrl(/** @type {string} */ (url));
        return pgAdapter(config, schema);
      }
      // The engine connects to the main database on start-up even for commands that never query
      // it (`migrate diff --from-empty`, `--from-migrations`). Opening PGlite costs seconds and a
      // file-backed data dir must not be opened while the app holds it, so open it on first use.
      return lazyAdapter(async () => {
        const dataDir = pgliteDataDir(url);
        const db = await openPglite(dataDir);
        if (!dataDir) mainMemoryDb = db;
        return pgliteAdapter(db);
      });
    },
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        if (urlKind(shadowDatabaseUrl) === 'postgres') {
          const { config, schema } = pgConfigFromUrl(shadowDatabaseUrl);
          await emptyPgDatabase(config);
          return pgAdapter(config, schema);
        }
        const dataDir = pgliteDataDir(shadowDatabaseUrl);
        if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
        return pgliteAdapter(await openPglite(dataDir));
      }
      if (kind === 'postgres') {
        // A throw-away database on the same server, created and dropped through a maintenance
        // connection to the main database (like @prisma/adapter-pg's connectToShadowDb, but with
        // fields so the shadow name cannot be overridden by the URL).
        const { config, schema } = pgConfigFromUrl(/** @type {string} */ (url));
        const pg = (await import(resolveUrl('pg'))).default;
        const admin = new pg.Client(config);
        await admin.connect();
        const database = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
        await admin.query(`CREATE DATABASE "${database}"`);
        const adapter = await pgAdapter({ ...config, database }, schema);
        const dispose = adapter.dispose.bind(adapter);
        let dropped = false;
        const drop = async () => {
          if (dropped) return;
          dropped = true;
          await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
          await admin.end();
        };
        adapter.dispose = async () => { await dispose(); await drop(); };
        closers.push(drop);
        return adapter;
      }
      const db = await openShadowPglite(mainMemoryDb);
      const adapter = await pgliteAdapter(db);
      adapter.dispose = async () => { await db.close(); };
      return adapter;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Wasm engine
// ---------------------------------------------------------------------------------------------

/**
 * Rust panics inside the Wasm engine are reported through this global before the Wasm traps
 * (`__wbg_set_message_*` in schema_engine_bg.js); the Prisma CLI installs the same registry.
 */
const panicRegistry = {
  message: '',
  get() { return this.message; },
  set_message(/** @type {string} */ m) { this.message = `RuntimeError: ${m}`; },
};
/** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY = panicRegistry;

/** Instantiate @prisma/schema-engine-wasm (wasm-bindgen "bundler" target) in Node. */
async function loadWasmEngineClass() {
  const runtime = await import(pathToFileURL(path.join(WASM_PKG_DIR, 'schema_engine_bg.js')).href);
  const bytes = fs.readFileSync(path.join(WASM_PKG_DIR, 'schema_engine_bg.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { './schema_engine_bg.js': runtime });
  runtime.__wbg_set_wasm(instance.exports);
  /** @type {any} */ (instance.exports).__wbindgen_start();
  return runtime.SchemaEngine;
}

/** Log lines from the engine are JSON already ({level, fields, target}); the CLI parses stderr as such. */
function logToStderr(/** @type {unknown} */ line) {
  process.stderr.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
}

async function startEngine(/** @type {Args} */ args) {
  const SchemaEngine = await loadWasmEngineClass();
  const { bindMigrationAwareSqlAdapterFactory } = await import(resolveUrl('@prisma/driver-adapter-utils'));
  const datamodels = args.datamodels.map((file) => /** @type {[string, string]} */ ([file, fs.readFileSync(file, 'utf8')]));
  const factory = bindMigrationAwareSqlAdapterFactory(createAdapterFactory(args.datasource));
  return SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, logToStderr, factory);
}

// ---------------------------------------------------------------------------------------------
// Errors in the native engine's JSON-RPC shape (the CLI reads error.data.{is_panic,message,error_code}).
// ---------------------------------------------------------------------------------------------

function toRpcError(/** @type {any} */ e) {
  const isPanic = e instanceof WebAssembly.RuntimeError || panicRegistry.message !== '';
  const message = isPanic && panicRegistry.message ? panicRegistry.message : (e?.message ?? String(e));
  return {
    code: 4466,
    message: 'An error happened. Check the data field for details.',
    data: { is_panic: isPanic, message, meta: e?.meta ?? null, error_code: typeof e?.code === 'string' && /^P\d{4}$/.test(e.code) ? e.code : null },
  };
}

/** Map a pg/PGlite connection error to a Prisma error code (P1001 unreachable, P1003 no such database). */
function connectionErrorCode(/** @type {any} */ e) {
  const code = e?.code ?? e?.cause?.code ?? e?.cause?.originalCode;
  if (code === '3D000' || e?.cause?.kind === 'DatabaseDoesNotExist') return 'P1003';
  if (code === '28P01' || code === '28000') return 'P1000';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return 'P1001';
  return typeof e?.code === 'string' && /^P\d{4}$/.test(e.code) ? e.code : 'P1001';
}

// ---------------------------------------------------------------------------------------------
// `schema-engine cli <command>` (used by `migrate dev`/`db push` to ensure the database exists)
// ---------------------------------------------------------------------------------------------

async function canConnect(/** @type {Datasource} */ datasource) {
  const factory = createAdapterFactory(datasource);
  const adapter = await factory.connect();
  try {
    await adapter.queryRaw({ sql: 'SELECT 1', args: [], argTypes: [] });
  } finally {
    await adapter.dispose();
  }
}

async function createDatabase(/** @type {Datasource} */ datasource) {
  if (urlKind(datasource.url) === 'pglite') {
    await canConnect(datasource); // PGlite creates its data directory on open
    return pgliteDataDir(datasource.url) ?? 'memory';
  }
  const { config } = pgConfigFromUrl(/** @type {string} */ (datasource.url));
  const pg = (await import(resolveUrl('pg'))).default;
  const admin = new pg.Client({ ...config, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${String(config.database).replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  return String(config.database);
}

async function runCliCommand(/** @type {Args} */ args) {
  try {
    if (args.cliCommand === 'can-connect-to-database') await canConnect(args.datasource);
    else if (args.cliCommand === 'create-database') await createDatabase(args.datasource);
    else throw new Error(`Unsupported cli command: ${args.cliCommand}`);
    process.stdout.write('{}\n');
    return 0;
  } catch (e) {
    const err = /** @type {any} */ (e);
    const line = { level: 'ERROR', target: 'schema_engine::logger', fields: { message: err?.message ?? String(err), error_code: connectionErrorCode(err) } };
    // The CLI drops the first stderr line and JSON-parses every remaining one (no trailing newline).
    process.stderr.write(`schema-engine-shim: ${args.cliCommand} failed\n${JSON.stringify(line)}`);
    return 1;
  } finally {
    await closeAll();
  }
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC server
// ---------------------------------------------------------------------------------------------

async function closeAll() {
  for (const close of closers.splice(0).reverse()) {
    try { await close(); } catch { /* already closed */ }
  }
}

function send(/** @type {unknown} */ message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** The SQL from the committed migrations (replayed in the shadow database) to the schema. */
async function diffMigrationsToSchema(/** @type {any} */ engine, /** @type {any} */ params) {
  const result = await engine.diff({
    from: { tag: 'migrations', ...params.migrationsList },
    to: { tag: 'schemaDatamodel', files: params.schema.files },
    script: true,
    exitCode: true,
    filters: params.filters ?? { externalTables: [], externalEnums: [] },
  });
  return { exitCode: Number(result.exitCode ?? 0), stdout: String(result.stdout ?? '') };
}

/** UTC yyyymmddHHMMSS, the prefix `prisma migrate dev` gives migration directories. */
function migrationTimestamp(now = new Date()) {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * evaluateDataLoss's answer from a rendered migration script: one step per "-- StepName" header,
 * and a warning for every statement that can lose data or fail on existing rows. `diff` renders
 * no warnings, so they are read off the SQL (wording after the native engine's messages). The
 * native engine additionally checks whether the affected tables hold rows and reports only
 * those; here every such change is reported, so `migrate dev` always asks before applying it.
 */
export function scriptFeedback(/** @type {string} */ script) {
  const migrationSteps = (script.match(/^-- [A-Z][A-Za-z]*$/gm) ?? []).length;
  /** @type {{ message: string, stepIndex: number }[]} */
  const warnings = [];
  const warn = (/** @type {string} */ message) => warnings.push({ message, stepIndex: 0 });
  const statements = script.replace(/^--.*$/gm, '').split(/;\s*$/m).map((st) => st.trim()).filter(Boolean);
  for (const st of statements) {
    let m;
    if ((m = /^DROP TABLE "([^"]+)"/i.exec(st))) {
      warn(`You are about to drop the \`${m[1]}\` table. If the table is not empty, all the data it contains will be lost.`);
      continue;
    }
    if ((m = /^ALTER TYPE "([^"]+)" RENAME TO "[^"]+_old"/i.exec(st))) {
      warn(`The enum \`${m[1]}\` is recreated without some of its values. If these variants are still used in the database, this will fail.`);
      continue;
    }
    if ((m = /^CREATE UNIQUE INDEX "[^"]+" ON "([^"]+)"\(([^)]*)\)/i.exec(st))) {
      warn(`A unique constraint covering the columns \`[${m[2].replace(/"/g, '')}]\` on the table \`${m[1]}\` will be added. If there are existing duplicate values, this will fail.`);
      continue;
    }
    const table = /^ALTER TABLE "([^"]+)"/i.exec(st)?.[1];
    if (!table) continue;
    for (const clause of st.replace(/^ALTER TABLE "[^"]+"\s*/i, '').split(/,\s*\n/)) {
      if ((m = /^DROP COLUMN "([^"]+)"/i.exec(clause.trim()))) {
        warn(`You are about to drop the column \`${m[1]}\` on the \`${table}\` table. All the data in the column will be lost.`);
      } else if ((m = /^ALTER COLUMN "([^"]+)" SET DATA TYPE/i.exec(clause.trim()))) {
        warn(`You are about to alter the column \`${m[1]}\` on the \`${table}\` table. The data in that column could be lost.`);
      } else if ((m = /^ALTER COLUMN "([^"]+)" SET NOT NULL/i.exec(clause.trim()))) {
        warn(`Made the column \`${m[1]}\` on table \`${table}\` required. If it holds NULL values, this will fail.`);
      } else if ((m = /^ADD COLUMN\s+"([^"]+)"(.*)$/is.exec(clause.trim())) && /NOT NULL/i.test(m[2]) && !/DEFAULT|SERIAL/i.test(m[2])) {
        warn(`Added the required column \`${m[1]}\` to the \`${table}\` table without a default value. This is not possible if the table is not empty.`);
      }
    }
  }
  return { migrationSteps: Math.max(migrationSteps, 1), unexecutableSteps: [], warnings };
}

async function serve(/** @type {Args} */ args) {
  const enginePromise = startEngine(args);
  enginePromise.catch(() => {}); // surfaced per request
  /** @type {Map<string | number, (value: unknown) => void>} */
  const pendingToCli = new Map();
  let printId = 0;
  /** Ask the CLI to print (it writes `content` + "\n" to its stdout and answers `{result:{}}`). */
  const print = (/** @type {string} */ content) => new Promise((resolve) => {
    const id = `shim-print-${++printId}`;
    pendingToCli.set(id, resolve);
    send({ jsonrpc: '2.0', id, method: 'print', params: { content } });
  });

  /** @type {Record<string, (engine: any, params: any) => Promise<unknown>>} */
  const special = {
    getDatabaseVersion: (engine, params) => engine.version(params ?? undefined),
    createDatabase: async (_engine, params) => {
      const ds = params?.datasource?.tag === 'ConnectionString' ? { url: params.datasource.url } : args.datasource;
      return { databaseName: await createDatabase(ds) };
    },
    diff: async (engine, params) => {
      const result = await engine.diff(params);
      // The native CLI-mode engine prints the diff through a `print` request and returns stdout: null.
      if (typeof result?.stdout === 'string') await print(result.stdout.replace(/\n$/, ''));
      return { ...result, stdout: null };
    },
    debugPanic: async (engine) => engine.debugPanic(),
    // The Wasm engine's createMigration and evaluateDataLoss (`migrate dev`) do not receive the
    // adapter factory, so on PostgreSQL they fail with "shadow DB must be provided through an
    // external factory" (schema-engine-wasm src/wasm/engine.rs); `diff` does receive it. Both are
    // therefore answered from a migrations → schema diff, whose script the engine renders with the
    // same renderer as createMigration's.
    createMigration: async (engine, params) => {
      const { exitCode, stdout } = await diffMigrationsToSchema(engine, params);
      const empty = exitCode === 0;
      return {
        connectorType: 'postgresql',
        generatedMigrationName: `${migrationTimestamp()}_${params.migrationName}`,
        migrationScript: empty && !params.draft ? null : stdout,
        extension: 'sql',
      };
    },
    evaluateDataLoss: async (engine, params) => {
      const { exitCode, stdout } = await diffMigrationsToSchema(engine, params);
      if (exitCode === 0) return { migrationSteps: 0, unexecutableSteps: [], warnings: [] };
      return scriptFeedback(stdout);
    },
  };

  let queue = Promise.resolve();
  /**
   * The engine refuses a migrations directory without migration_lock.toml ("Could not determine
   * the connector"). This engine only speaks PostgreSQL, so a missing lockfile can only mean that.
   */
  const withLockfile = (/** @type {any} */ list) => {
    if (list && list.lockfile && list.lockfile.content == null) {
      list.lockfile = { ...list.lockfile, content: 'provider = "postgresql"\n' };
    }
  };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    /** @type {any} */
    let msg;
    try { msg = JSON.parse(line); } catch { send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }); return; }
    if (msg.method === undefined) { // a response to one of our requests (print)
      pendingToCli.get(msg.id)?.(msg.result);
      pendingToCli.delete(msg.id);
      return;
    }
    // One call at a time, in order, like the native engine's single connection.
    queue = queue.then(async () => {
      try {
        const engine = await enginePromise;
        const p = msg.params;
        if (p) [p.migrationsList, p.from?.tag === 'migrations' ? p.from : null, p.to?.tag === 'migrations' ? p.to : null].forEach(withLockfile);
        let result;
        if (special[msg.method]) result = await special[msg.method](engine, msg.params);
        else if (typeof engine[msg.method] === 'function' && msg.method !== 'free') result = await engine[msg.method](msg.params ?? undefined);
        else throw new Error(`Method not supported by the offline Wasm schema engine: ${msg.method}`);
        if (msg.id !== undefined) send({ jsonrpc: '2.0', id: msg.id, result: result ?? {} });
      } catch (e) {
        if (msg.id !== undefined) send({ jsonrpc: '2.0', id: msg.id, error: toRpcError(e) });
      }
    });
  });
  rl.on('close', () => {
    queue.then(closeAll).then(() => process.exit(0));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${ENGINE_COMMIT}\n`);
    return;
  }
  if (args.cliCommand) {
    process.exitCode = await runCliCommand(args);
    return;
  }
  // The CLI stops the engine with SIGTERM right after closing stdin: close databases first.
  for (const sig of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
    process.on(sig, () => { closeAll().finally(() => process.exit(0)); });
  }
  // A Rust panic traps inside a Wasm callback, outside any request's promise: report it the way
  // the native engine does (an ERROR log line on stderr, exit code 101 = panic for the CLI).
  process.on('uncaughtException', (e) => {
    logToStderr({ level: 'ERROR', target: 'schema_engine::logger', fields: { message: panicRegistry.message || (e?.stack ?? String(e)), is_panic: true } });
    closeAll().finally(() => process.exit(101));
  });
  await serve(args);
}

const invokedDirectly = process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(new URL(import.meta.url));
if (invokedDirectly) {
  main().catch((e) => {
    logToStderr({ level: 'ERROR', target: 'schema_engine::logger', fields: { message: e?.stack ?? String(e) } });
    process.exit(1);
  });
}
