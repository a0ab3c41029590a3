import path from 'node:path';
import { promises as fs } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { PrismaClient } from '../generated/client/client.ts';
import { applyMigrations, type SqlExecutor } from './migrate.ts';

export type Db = InstanceType<typeof PrismaClient>;

export interface DatabaseHandle {
  prisma: Db;
  kind: 'postgres' | 'pglite';
  /** Run raw SQL outside Prisma (migrations, health checks, tests). */
  sql: SqlExecutor;
  close(): Promise<void>;
}

/**
 * Split a postgres URL into fields. adapter-pg given `{ connectionString }` lets the URL's database
 * win over later overrides (a "shadow" database connection then silently hits the main database),
 * so we always pass explicit fields.
 */
export function pgConfigFromUrl(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: decodeURIComponent(u.hostname) || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    max: Number(u.searchParams.get('connection_limit') ?? 10),
    // pg waits forever for a connection by default; while PostgreSQL is down a request must fail
    // fast (UNAVAILABLE) instead of hanging for the whole outage.
    connectionTimeoutMillis: Number(process.env.DB_CONNECT_TIMEOUT_MS ?? 2000),
  };
}

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite under
 * `dataDir/pglite` (or in memory for `memory://`). Applies committed migrations first unless
 * `migrate: false`.
 */
export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir: string;
  migrate?: boolean;
}): Promise<DatabaseHandle> {
  const migrate = opts.migrate ?? true;
  if (opts.databaseUrl && !opts.databaseUrl.startsWith('memory://')) {
    const config = pgConfigFromUrl(opts.databaseUrl);
    const pool = new pg.Pool(config);
    // An idle connection dies when PostgreSQL restarts; without a listener pg's 'error' event
    // would crash the process. The pool drops that client and opens a new one on demand.
    pool.on('error', (err) => console.error(`[db] idle PostgreSQL connection lost: ${err.message}`));
    // pool.end() resolves before its connections have closed; close() waits for them (a database
    // dropped right after close — as the tests do — would otherwise kill connections mid-close).
    const open = new Set<pg.Client>();
    let onAllClosed: (() => void) | undefined;
    pool.on('connect', (c) => open.add(c));
    pool.on('remove', (c) => {
      open.delete(c);
      if (open.size === 0) onAllClosed?.();
    });
    const closed = () => new Promise<void>((resolve) => (open.size === 0 ? resolve() : (onAllClosed = resolve)));
    const bound = (q: pg.Pool | pg.PoolClient): Omit<SqlExecutor, 'withLock'> => ({
      exec: async (text) => {
        await q.query(text);
      },
      query: async <T>(text: string, params: unknown[] = []) => (await q.query(text, params)).rows as T[],
    });
    const sql: SqlExecutor = {
      ...bound(pool),
      withLock: async (fn) => {
        // Session-level advisory lock on one dedicated connection so N processes starting at once
        // apply migrations exactly once (the key Prisma Migrate itself uses). Work inside runs on
        // that same connection, so its BEGIN/COMMIT are one transaction.
        const client = await pool.connect();
        try {
          await client.query('SELECT pg_advisory_lock(72707369)');
          return await fn({ ...bound(client), withLock: (inner) => inner(sql) });
        } finally {
          await client.query('SELECT pg_advisory_unlock(72707369)').catch(() => {});
          client.release();
        }
      },
    };
    if (migrate) await applyMigrations(sql);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      prisma,
      kind: 'postgres',
      sql,
      close: async () => {
        await prisma.$disconnect();
        const allClosed = closed();
        await pool.end().catch(() => {});
        await allClosed;
      },
    };
  }
  let dir: string | undefined;
  if (!opts.databaseUrl) {
    dir = path.join(opts.dataDir, 'pglite');
    await fs.mkdir(dir, { recursive: true });
  }
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const sql: SqlExecutor = {
    exec: async (text) => {
      await client.exec(text);
    },
    query: async <T>(text: string, params: unknown[] = []) => (await client.query<T>(text, params)).rows,
    // PGlite is single-connection and owned by this process: nothing to lock against.
    withLock: (fn) => fn(sql),
  };
  if (migrate) await applyMigrations(sql);
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  return {
    prisma,
    kind: 'pglite',
    sql,
    close: async () => {
      await prisma.$disconnect();
      // File-backed PGlite keeps the process alive until closed, even after $disconnect().
      await client.close();
    },
  };
}
