/**
 * Next.js proxy (Next 16's name for middleware): a Content-Security-Policy with a fresh nonce per
 * page request. Next reads the nonce from the CSP *request* header and puts it on every script it
 * renders (its inline flight data and its chunks), so scripts need no 'unsafe-inline'; a script an
 * attacker injects has no nonce and does not run. Nonces need dynamic rendering: the root layout
 * is `force-dynamic`. The other security headers (frame, sniffing, referrer, permissions, HSTS)
 * come from helmet in server.ts.
 */
import { NextResponse, type NextRequest } from 'next/server';

/** Host names as browsers send them (name or IP, optional port); anything else is left out of the policy. */
const HOST = /^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i;

export function contentSecurityPolicy(nonce: string, host: string | null, dev: boolean): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts Next loads from a nonce'd script run too; dev's React Refresh needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React renders style attributes (sizes, colours of the viewer); a CSP cannot nonce attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    // GraphQL over HTTP, tus uploads, and the graphql-ws subscriptions on the same host.
    `connect-src 'self'${sockets}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = contentSecurityPolicy(nonce, request.headers.get('host'), process.env.NODE_ENV !== 'production');
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
