/**
 * Is this error a dependency being unreachable (PostgreSQL, Redis, storage), rather than
 * something wrong with the request or the job? Such errors are worth waiting out: the engine
 * retries with capped backoff and never spends a job's attempt on them, and the API answers
 * UNAVAILABLE. The shapes below were read off real failures (see infrastructure-errors.test.ts).
 */

/** Socket and DNS error codes of an unreachable peer (Node's `err.code`). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  // A network file system (shared storage) gone away.
  'ESTALE',
]);

/** Prisma: can't reach server, timed out, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Driver-adapter error kinds (@prisma/driver-adapter-utils) that mean "no usable connection". */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash
 * shutdown, cannot connect now: starting up or shutting down), 53300 (too many connections).
 */
function isUnavailableSqlState(code: unknown): boolean {
  return typeof code === 'string' && (/^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code));
}

const MESSAGES = [
  /Connection terminated/i, // pg: server went away, or connectionTimeoutMillis hit
  /timeout exceeded when trying to connect/i, // pg-pool
  /Can't reach database server/i, // Prisma P1001 text
  /Connection is closed/i, // ioredis after disconnect
  /Command timed out/i, // ioredis commandTimeout
  /Stream isn't writeable/i, // ioredis without offline queue
  /Reached the max retries per request limit/i, // ioredis MaxRetriesPerRequestError
];

const BUSY_TRANSACTION = /Unable to start a transaction in the given time|expired transaction|timeout for this transaction/i;

export function isInfrastructureError(err: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0) {
    const e = stack.pop();
    if (e === null || typeof e !== 'object' || seen.has(e) || seen.size > 32) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    const code = o.code;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || PRISMA_CODES.has(code) || isUnavailableSqlState(code)) return true;
      // P2028 (transaction API) when the database is too busy: no connection for the transaction
      // in time, or it outlived its timeout. Other P2028s (a closed transaction reused) are bugs.
      if (code === 'P2028' && typeof o.message === 'string' && BUSY_TRANSACTION.test(o.message)) return true;
    }
    if (o.name === 'MaxRetriesPerRequestError') return true;
    if (typeof o.kind === 'string') {
      if (ADAPTER_KINDS.has(o.kind)) return true;
      if (o.kind === 'postgres' && isUnavailableSqlState(o.code)) return true;
    }
    if (typeof o.message === 'string' && MESSAGES.some((re) => re.test(o.message as string))) return true;
    // Where the underlying error hides: `cause`, AggregateError's `errors`, Prisma's adapter meta.
    stack.push(o.cause);
    if (Array.isArray(o.errors)) stack.push(...o.errors);
    const meta = o.meta as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') stack.push(meta.driverAdapterError);
  }
  return false;
}
