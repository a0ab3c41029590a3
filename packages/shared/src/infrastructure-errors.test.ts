import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badInput } from './errors.ts';
import { isInfrastructureError } from './infrastructure-errors.ts';
import { FAIL_FAST_REDIS } from './queue.ts';

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

let port: number;
beforeAll(async () => {
  port = await closedPort();
});

describe('isInfrastructureError on real errors (the Prisma and pg cases are in prisma/src/infrastructure-errors.test.ts)', () => {
  const clients: Redis[] = [];
  afterAll(() => clients.forEach((c) => c.disconnect()));
  const redis = (opts: Record<string, unknown>) => {
    const c = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: false, ...opts });
    c.on('error', () => {});
    clients.push(c);
    return c;
  };

  it('a raw TCP connect to a closed port (ECONNREFUSED)', async () => {
    const err = await rejection(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)),
    );
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('ioredis with the API fail-fast options (MaxRetriesPerRequestError)', async () => {
    const err = await rejection(redis(FAIL_FAST_REDIS).get('x'));
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('ioredis without an offline queue', async () => {
    const err = await rejection(redis({ enableOfflineQueue: false, maxRetriesPerRequest: 0 }).get('x'));
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('ioredis after disconnect ("Connection is closed")', async () => {
    const c = redis({ maxRetriesPerRequest: 0, lazyConnect: true });
    c.disconnect();
    const err = await rejection(c.get('x'));
    expect(isInfrastructureError(err)).toBe(true);
  });

  it('wrapped errors are found through cause and AggregateError', async () => {
    const inner = await rejection(redis(FAIL_FAST_REDIS).get('y'));
    expect(isInfrastructureError(new Error('storing the blob failed', { cause: inner }))).toBe(true);
    expect(isInfrastructureError(new AggregateError([new Error('a'), inner]))).toBe(true);
  });

  it('is false for errors that are the request’s or the job’s fault', async () => {
    const missing = await rejection(import('node:fs/promises').then((fs) => fs.readFile('/nonexistent/fep')));
    expect(isInfrastructureError(missing)).toBe(false); // ENOENT: a missing blob is not an outage
    expect(isInfrastructureError(badInput('bad'))).toBe(false);
    expect(isInfrastructureError(new TypeError('x is not a function'))).toBe(false);
    expect(isInfrastructureError(null)).toBe(false);
    expect(isInfrastructureError('ECONNREFUSED')).toBe(false);
    const cyclic: Record<string, unknown> = { message: 'loop' };
    cyclic.cause = cyclic;
    expect(isInfrastructureError(cyclic)).toBe(false);
  });
});
