import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationDirName } from './new-migration.ts';
import { parsePgTextArray, pgConfigFromUrl, scriptFeedback, urlKind } from './schema-engine.mjs';

const shim = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schema-engine.mjs');
const prismaCli = path.join(path.dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');
/** The local PostgreSQL server the tests use (TEST_DATABASE_URL's server; README "Two commands"). */
const PG_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

const toySchema = (extraUserField = '') => `datasource db {
  provider = "postgresql"
}

model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  kind  Kind${extraUserField}
  posts Post[]
}

enum Kind {
  A
  B
}

model Post {
  id       Int    @id
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}
`;

interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs the real Prisma CLI with the shim as its schema engine (no network, no prisma.config.ts). */
function prisma(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: shim, CHECKPOINT_DISABLE: '1', ...env };
    if (!('DATABASE_URL' in env)) delete childEnv.DATABASE_URL;
    const child = spawn(process.execPath, [prismaCli, ...args], { cwd, env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function shadowDatabases(): Promise<string[]> {
  const client = new pg.Client(pgConfigFromUrl(PG_URL).config);
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma\\_shadow\\_%'`);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

let dir: string;
let initSql: string | undefined;

/** Commits the toy schema's full SQL (from `--from-empty`) as the first migration. */
async function writeInitMigration(): Promise<void> {
  if (initSql === undefined) {
    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema());
    const res = await prisma(dir, ['migrate', 'diff', '--from-empty', '--to-schema', 'schema.prisma', '--script']);
    expect(res.code).toBe(0);
    initSql = res.stdout;
  }
  fs.mkdirSync(path.join(dir, 'migrations', '20250101000000_init'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'migrations', '20250101000000_init', 'migration.sql'), initSql);
  fs.writeFileSync(path.join(dir, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
}

/**
 * A hand-written migration with ";" inside a comment and a $$-quoted body: applying it must send
 * the script whole (@prisma/adapter-pg's executeScript alone splits it at every ";").
 */
function writeTriggerMigration(): void {
  fs.mkdirSync(path.join(dir, 'migrations', '20250102000000_trigger'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'migrations', '20250102000000_trigger', 'migration.sql'),
    `-- Posts are append-only; nobody edits them.
CREATE FUNCTION "post_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'Post is append-only; % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "post_no_update" BEFORE UPDATE ON "Post" FOR EACH ROW EXECUTE FUNCTION "post_append_only"();
`,
  );
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fep-schema-engine-'));
  fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema());
  // Prisma 7 reads the datasource URL from the config file only.
  fs.writeFileSync(
    path.join(dir, 'prisma.config.mjs'),
    `export default { schema: 'schema.prisma', migrations: { path: 'migrations' }, datasource: { url: process.env.DATABASE_URL } };\n`,
  );
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('schema-engine shim helpers', () => {
  it('parses PostgreSQL text arrays, including quoted items and NULL', () => {
    expect(parsePgTextArray('{}')).toEqual([]);
    expect(parsePgTextArray('{a,b}')).toEqual(['a', 'b']);
    expect(parsePgTextArray('{"x,y","q\\"t",NULL,"NULL"}')).toEqual(['x,y', 'q"t', null, 'NULL']);
  });

  it('splits postgres URLs into fields so a shadow database name cannot be overridden', () => {
    const { config, schema } = pgConfigFromUrl('postgresql://u%40x:p%3Aw@db.local:6543/main?schema=app');
    expect(config).toEqual({ host: 'db.local', port: 6543, user: 'u@x', password: 'p:w', database: 'main' });
    expect(config).not.toHaveProperty('connectionString');
    expect(schema).toBe('app');
    expect(pgConfigFromUrl('postgres://postgres@127.0.0.1/fep').config.port).toBe(5432);
  });

  it('routes URLs to the right adapter and rejects other providers', () => {
    expect(urlKind(undefined)).toBe('pglite');
    expect(urlKind('file:./data/pglite')).toBe('pglite');
    expect(urlKind('postgres://x@h/d')).toBe('postgres');
    expect(() => urlKind('mysql://x@h/d')).toThrow(/postgresql/);
  });

  it('reads data-loss warnings and step counts off a rendered migration script', () => {
    const feedback = scriptFeedback(`-- AlterTable
ALTER TABLE "User" DROP COLUMN "age",
ADD COLUMN     "nick" TEXT,
ADD COLUMN     "score" INTEGER NOT NULL,
ADD COLUMN     "n" INTEGER NOT NULL DEFAULT 0;

-- DropTable
DROP TABLE "Post";
`);
    expect(feedback.migrationSteps).toBe(2);
    expect(feedback.warnings.map((w) => w.message)).toEqual([
      'You are about to drop the column `age` on the `User` table. All the data in the column will be lost.',
      'Added the required column `score` to the `User` table without a default value. This is not possible if the table is not empty.',
      'You are about to drop the `Post` table. If the table is not empty, all the data it contains will be lost.',
    ]);
    expect(scriptFeedback('-- AlterTable\nALTER TABLE "User" ADD COLUMN     "age" INTEGER;\n').warnings).toEqual([]);
  });

  it('names migrations like prisma migrate dev (UTC timestamp + snake_case)', () => {
    expect(migrationDirName('Add ratings!', new Date('2025-03-04T05:06:07Z'))).toBe('20250304050607_add_ratings');
    expect(() => migrationDirName('  ')).toThrow(/name/);
  });
});

/** Talks JSON-RPC to the shim the way the CLI does (answers `print` requests), for `migrate dev`'s
 * methods, which the CLI only calls from an interactive terminal. */
async function rpc(cwd: string, datasource: object, method: string, params: object): Promise<any> {
  const child = spawn(process.execPath, [shim, '--datamodels', 'schema.prisma', '--datasource', JSON.stringify(datasource)], { cwd });
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (msg.method === 'print') {
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: {} })}\n`);
        } else if (msg.id === 1) {
          child.stdin.end();
          if (msg.error) reject(new Error(`${msg.error.data?.message ?? msg.error.message}\n${stderr}`));
          else resolve(msg.result);
        }
      }
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })}\n`);
  });
}

function migrationsList(): object {
  const base = path.join(dir, 'migrations');
  return {
    baseDir: base,
    lockfile: { path: 'migration_lock.toml', content: null },
    shadowDbInitScript: '',
    migrationDirectories: fs
      .readdirSync(base)
      .filter((n) => n !== 'migration_lock.toml')
      .sort()
      .map((n) => ({
        path: n,
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: fs.readFileSync(path.join(base, n, 'migration.sql'), 'utf8') } },
      })),
  };
}

describe('Prisma CLI with the offline schema engine', () => {
  it('reports the shim as its schema engine', async () => {
    const res = await prisma(dir, ['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Schema Engine\s+: schema-engine-cli [0-9a-f]{40} .*resolved by PRISMA_SCHEMA_ENGINE_BINARY/);
  });

  it('migrate diff --from-empty prints the full SQL', async () => {
    const res = await prisma(dir, ['migrate', 'diff', '--from-empty', '--to-schema', 'schema.prisma', '--script']);
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`CREATE TYPE "Kind" AS ENUM ('A', 'B');`);
    expect(res.stdout).toMatch(/CREATE TABLE "User" \(\s+"id" SERIAL NOT NULL,\s+"email" TEXT NOT NULL,\s+"kind" "Kind" NOT NULL,/);
    expect(res.stdout).toMatch(/CREATE TABLE "Post" \(\s+"id" INTEGER NOT NULL,\s+"title" TEXT NOT NULL,\s+"authorId" INTEGER NOT NULL,/);
    expect(res.stdout).toContain('CREATE UNIQUE INDEX "User_email_key" ON "User"("email");');
    expect(res.stdout).toContain('FOREIGN KEY ("authorId") REFERENCES "User"("id")');
    initSql = res.stdout;
  });

  it('migrate diff --from-migrations (PGlite shadow) prints only the delta', async () => {
    await writeInitMigration();
    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema('\n  age   Int?'));
    const res = await prisma(dir, ['migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'schema.prisma', '--script', '--exit-code']);
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.code).toBe(2); // --exit-code: 2 = non-empty diff
    expect(res.stdout).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"age" INTEGER;/);
    expect(res.stdout).not.toContain('CREATE TABLE');
  });

  it('migrate diff --from-migrations (PostgreSQL throw-away shadow) replays hand-written SQL and is empty when nothing changed', async () => {
    await writeInitMigration();
    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema());
    writeTriggerMigration();
    const before = await shadowDatabases();
    const res = await prisma(
      dir,
      ['migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'schema.prisma', '--script', '--exit-code'],
      { DATABASE_URL: PG_URL },
    );
    expect(res.stderr).not.toMatch(/Error/);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('-- This is an empty migration.');
    // The shadow database was created on the server and dropped again.
    const left = (await shadowDatabases()).filter((name) => !before.includes(name));
    expect(left).toEqual([]);
  });

  it("migrate dev's createMigration and evaluateDataLoss work on PostgreSQL (the Wasm engine alone refuses them)", async () => {
    await writeInitMigration();
    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema().replace('  kind  Kind\n', ''));
    const files = [{ path: 'schema.prisma', content: fs.readFileSync(path.join(dir, 'schema.prisma'), 'utf8') }];
    const filters = { externalTables: [], externalEnums: [] };
    const datasource = { url: PG_URL };

    const loss = await rpc(dir, datasource, 'evaluateDataLoss', { migrationsList: migrationsList(), schema: { files }, filters });
    expect(loss.migrationSteps).toBe(1);
    expect(loss.warnings.map((w: { message: string }) => w.message)).toEqual([
      'You are about to drop the column `kind` on the `User` table. All the data in the column will be lost.',
    ]);

    const created = await rpc(dir, datasource, 'createMigration', {
      draft: false, migrationName: 'drop_kind', migrationsList: migrationsList(), schema: { files }, filters,
    });
    expect(created.generatedMigrationName).toMatch(/^\d{14}_drop_kind$/);
    expect(created.migrationScript).toMatch(/ALTER TABLE "User" DROP COLUMN "kind";/);
    expect(created.migrationScript).not.toContain('CREATE TABLE');

    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema());
    const none = await rpc(dir, datasource, 'createMigration', {
      draft: false, migrationName: 'nothing', migrationsList: migrationsList(), schema: { files: [{ path: 'schema.prisma', content: toySchema() }] }, filters,
    });
    expect(none.migrationScript).toBeNull();
  });

  it('migrate deploy creates a missing PostgreSQL database, applies every migration whole, and status agrees', async () => {
    await writeInitMigration();
    writeTriggerMigration();
    fs.writeFileSync(path.join(dir, 'schema.prisma'), toySchema());
    const database = `fep_shim_test_${process.pid}_${Date.now()}`;
    const url = `postgresql://postgres@127.0.0.1:5432/${database}`;
    const admin = new pg.Client(pgConfigFromUrl(PG_URL).config);
    await admin.connect();
    try {
      const deploy = await prisma(dir, ['migrate', 'deploy'], { DATABASE_URL: url });
      expect(deploy.stderr).not.toMatch(/Error/);
      expect(deploy.code).toBe(0);
      expect(deploy.stdout).toContain(`PostgreSQL database ${database} created`);
      expect(deploy.stdout).toContain('All migrations have been successfully applied.');

      const status = await prisma(dir, ['migrate', 'status'], { DATABASE_URL: url });
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('Database schema is up to date!');

      const db = new pg.Client({ ...pgConfigFromUrl(url).config });
      await db.connect();
      try {
        const { rows } = await db.query<{ migration_name: string }>(
          `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`,
        );
        expect(rows.map((r) => r.migration_name)).toEqual(fs.readdirSync(path.join(dir, 'migrations')).filter((n) => n !== 'migration_lock.toml').sort());
        await db.query(`INSERT INTO "User" (email, kind) VALUES ('a@b.c', 'A')`);
        await db.query(`INSERT INTO "Post" (id, title, "authorId") VALUES (1, 't', 1)`);
        // The trigger from the hand-written migration exists only if its $$ body reached the server whole.
        await expect(db.query(`UPDATE "Post" SET title = 'u'`)).rejects.toThrow(/append-only/);
      } finally {
        await db.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
