import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgConfigFromUrl } from '@fep/db';

/**
 * A fresh PostgreSQL database per test file on the machine's real server, dropped afterwards.
 * TEST_DATABASE_URL names the server (and the database CI created); we create siblings of it.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fep_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ ...pgConfigFromUrl(TEST_DATABASE_URL), database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ ...pgConfigFromUrl(TEST_DATABASE_URL), database: 'postgres' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
