/**
 * Graceful HTTP shutdown. `trackHttpRequests(server)` counts the requests in flight from the
 * moment the server is created; `drain(graceMs)` then stops accepting connections, closes idle
 * keep-alive connections at once (and any that become idle), lets in-flight requests finish, and
 * after `graceMs` cuts whatever is still open. Responses sent while draining carry
 * `Connection: close`. WebSocket connections are not HTTP requests: close them separately
 * (attachSubscriptions' close).
 */
import type { Server, ServerResponse } from 'node:http';

export interface DrainResult {
  /** Requests still in flight when the grace ran out (their connections were cut). */
  forced: number;
  ms: number;
}

export interface HttpDrainer {
  inFlight(): number;
  drain(graceMs: number): Promise<DrainResult>;
}

export function trackHttpRequests(server: Server): HttpDrainer {
  const open = new Set<ServerResponse>();
  let draining: Promise<DrainResult> | null = null;
  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('request', (_req, res) => {
    open.add(res);
    if (draining) closeAfter(res);
    res.once('close', () => open.delete(res));
  });
  return {
    inFlight: () => open.size,
    drain(graceMs) {
      draining ??= (async () => {
        const started = Date.now();
        for (const res of open) closeAfter(res);
        // Stops listening now (new connections are refused); the callback is not awaited, since
        // upgraded (WebSocket) sockets would hold it open.
        server.close(() => {});
        const deadline = started + graceMs;
        for (;;) {
          server.closeIdleConnections();
          if (open.size === 0 || Date.now() >= deadline) break;
          await new Promise((r) => setTimeout(r, Math.min(25, Math.max(1, deadline - Date.now()))));
        }
        const forced = open.size;
        if (forced > 0) server.closeAllConnections();
        else server.closeIdleConnections();
        return { forced, ms: Date.now() - started };
      })();
      return draining;
    },
  };
}
