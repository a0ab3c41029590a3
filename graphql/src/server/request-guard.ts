/**
 * One origin check for every cookie-authenticated entry point: GraphQL over HTTP, the graphql-ws
 * upgrade, tus uploads, model upload, media and study downloads (everything under /api).
 *
 * Why: the session cookie is SameSite=Lax, which stops only *cross-site* pages. A page on another
 * port of the same host, or on a sibling subdomain, is *same-site*, so the browser attaches the
 * cookie to its requests and WebSocket connections. The guard therefore checks where a request
 * comes from whenever it carries the session cookie:
 *
 * - State-changing requests (anything but GET/HEAD/OPTIONS) and WebSocket upgrades: `Origin` must
 *   be one of the allowed origins (APP_ORIGIN). When `Origin` is absent, `Sec-Fetch-Site` must be
 *   `same-origin` or `none` (typed into the address bar). With neither header the request is
 *   allowed: browsers always send `Origin` on cross-origin state-changing requests and WebSocket
 *   handshakes, so a request without both headers does not come from a hostile page (curl, the
 *   CLI, server-to-server clients).
 * - Safe requests (GET/HEAD — media, CSV and report downloads): refused when `Sec-Fetch-Site` is
 *   `cross-site` or `same-site`, unless they are top-level navigations (a link the user followed,
 *   whose response the linking page cannot read). This stops a foreign page from embedding or
 *   fetching the victim's media with their cookie.
 *
 * Requests without the session cookie (anonymous, or `Authorization: Bearer` API tokens) are
 * exempt: a hostile page can attach a cookie the browser holds, never a bearer token it does not.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { HTTP_STATUS } from '@fep/shared';
import { sessionTokenFrom } from './request-context.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type GuardVerdict = { ok: true } | { ok: false; message: string };

const OK: GuardVerdict = { ok: true };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The decision, on plain data so it can be tested without a server. */
export function checkRequest(
  req: { method: string; headers: IncomingHttpHeaders; upgrade?: boolean },
  allowedOrigins: ReadonlySet<string>,
): GuardVerdict {
  if (sessionTokenFrom(req.headers) === undefined) return OK;
  const origin = header(req.headers, 'origin');
  const site = header(req.headers, 'sec-fetch-site');
  const method = req.method.toUpperCase();
  if (req.upgrade || !SAFE_METHODS.has(method)) {
    if (origin !== undefined) {
      return allowedOrigins.has(origin)
        ? OK
        : { ok: false, message: `Requests from ${origin} may not use this session; open the app at its own address.` };
    }
    if (site !== undefined) {
      return site === 'same-origin' || site === 'none'
        ? OK
        : { ok: false, message: 'Requests from another site may not use this session.' };
    }
    return OK;
  }
  if (method === 'OPTIONS') return OK;
  if (site === 'cross-site' || site === 'same-site') {
    const navigation = header(req.headers, 'sec-fetch-mode') === 'navigate' && header(req.headers, 'sec-fetch-dest') === 'document';
    if (!navigation) return { ok: false, message: 'Another site may not load this resource with your session.' };
  }
  return OK;
}

export interface RequestGuard {
  /** The allowed origins; a standalone API server adds its own URL once it listens. */
  readonly allowedOrigins: Set<string>;
  check(req: { method: string; headers: IncomingHttpHeaders; upgrade?: boolean }): GuardVerdict;
  /** Express middleware for /api: refuses with 403 JSON (the GraphQL error shape on /api/graphql). */
  middleware(graphqlPath: string): (req: Request, res: Response, next: NextFunction) => void;
  /**
   * For an `upgrade` event: true when the upgrade may proceed; otherwise answers 403 on the raw
   * socket (before any WebSocket handshake) and closes it.
   */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
}

export function createRequestGuard(allowedOrigins: Iterable<string>): RequestGuard {
  const allowed = new Set(allowedOrigins);
  const check: RequestGuard['check'] = (req) => checkRequest(req, allowed);
  return {
    allowedOrigins: allowed,
    check,
    middleware: (graphqlPath) => (req, res, next) => {
      const verdict = check(req);
      if (verdict.ok) return next();
      const status = HTTP_STATUS.FORBIDDEN;
      if (req.originalUrl.split('?')[0] === graphqlPath) {
        res.status(status).json({ errors: [{ message: verdict.message, extensions: { code: 'FORBIDDEN' } }] });
      } else {
        res.status(status).json({ error: { code: 'FORBIDDEN', message: verdict.message } });
      }
    },
    admitUpgrade(req, socket) {
      const verdict = check({ method: req.method ?? 'GET', headers: req.headers, upgrade: true });
      if (verdict.ok) return true;
      const body = JSON.stringify({ error: { code: 'FORBIDDEN', message: verdict.message } });
      socket.end(
        `HTTP/1.1 ${HTTP_STATUS.FORBIDDEN} Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return false;
    },
  };
}
