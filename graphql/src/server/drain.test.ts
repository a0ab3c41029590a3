import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHttpRequests } from './drain.ts';

let server: Server | null = null;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = null;
});

/** A server whose /slow requests answer only when `release()` is called. */
async function slowServer() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let arrived!: () => void;
  const slowArrived = new Promise<void>((r) => (arrived = r));
  const s = createServer((req, res) => {
    if (req.url === '/slow') {
      arrived();
      void released.then(() => res.end('finished'));
    } else res.end('fast');
  });
  server = s;
  const drainer = trackHttpRequests(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  return { drainer, port, release, slowArrived };
}

function get(port: number, path: string, agent?: import('node:http').Agent): Promise<{ status: number; body: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, res }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('trackHttpRequests().drain', () => {
  it('lets a request in flight finish while new connections are refused', async () => {
    const { drainer, port, release, slowArrived } = await slowServer();
    const inFlight = get(port, '/slow');
    await slowArrived;
    expect(drainer.inFlight()).toBe(1);
    const drained = drainer.drain(10_000);
    await expect(get(port, '/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toBe('finished');
    expect(res.res.headers.connection).toBe('close');
    const result = await drained;
    expect(result.forced).toBe(0);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('closes idle keep-alive connections at once instead of waiting for the grace', async () => {
    const { drainer, port } = await slowServer();
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    expect((await get(port, '/fast', agent)).body).toBe('fast');
    const result = await drainer.drain(10_000);
    expect(result).toMatchObject({ forced: 0 });
    expect(result.ms).toBeLessThan(1000);
    agent.destroy();
  });

  it('cuts a request still running when the grace runs out', async () => {
    const { drainer, port, release, slowArrived } = await slowServer();
    const stuck = get(port, '/slow');
    await slowArrived;
    const result = await drainer.drain(300);
    expect(result.forced).toBe(1);
    expect(result.ms).toBeGreaterThanOrEqual(300);
    await expect(stuck).rejects.toMatchObject({ code: 'ECONNRESET' });
    release();
  });
});
