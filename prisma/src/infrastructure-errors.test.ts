/**
 * isInfrastructureError on the errors Prisma and pg really raise when PostgreSQL is busy or gone
 * (the Redis and socket cases are in packages/shared/src/infrastructure-errors.test.ts). Such
 * errors answer UNAVAILABLE in the API and never use up an engine attempt.
 */
import net from 'node:net';
import { isInfrastructureError } from '@fep/shared';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './client.ts';

const BASE = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const withLimit = (url: string, n: number) => `${url}${url.includes('?') ? '&' : '?'}connection_limit=${n}`;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('PostgreSQL busy or unreachable', () => {
  it('a transaction that cannot get a connection in time (P2028) is infrastructure, a bad query is not', async () => {
    const h = await openDatabase({ databaseUrl: withLimit(BASE, 1), dataDir: '/nonexistent', migrate: false });
    try {
      let busy: unknown;
      await h.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        busy = await rejection(h.prisma.$transaction(async (t2) => t2.$queryRaw`SELECT 1`, { maxWait: 200 }));
      });
      expect((busy as { code?: string }).code).toBe('P2028');
      expect(isInfrastructureError(busy)).toBe(true);
      const bad = await rejection(h.prisma.$queryRawUnsafe('SELECT * FROM no_such_table'));
      expect(isInfrastructureError(bad)).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('a query while the server refuses connections is infrastructure', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const h = await openDatabase({ databaseUrl: `postgresql://postgres@127.0.0.1:${port}/none`, dataDir: '/nonexistent', migrate: false });
    try {
      const err = await rejection(h.prisma.$queryRaw`SELECT 1`);
      expect(isInfrastructureError(err)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
