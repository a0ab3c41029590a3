/**
 * Security headers (helmet) for every response of the web process: pages, API and static files.
 *
 * - X-Frame-Options DENY (with CSP frame-ancestors 'none'): no page loads inside a foreign frame.
 * - X-Content-Type-Options nosniff, Referrer-Policy strict-origin-when-cross-origin,
 *   Cross-Origin-Opener/Resource-Policy same-origin (helmet defaults), Permissions-Policy below.
 * - Strict-Transport-Security only when the session cookie is Secure (production over TLS): on
 *   plain http it would be ignored, and on a TLS host it must not be sent before TLS works.
 * - CSP: API responses get `apiContentSecurityPolicy` (nothing runs, nothing frames them); pages
 *   get a per-request nonce policy from the Next.js proxy (apps/web/proxy.ts), since only Next
 *   knows where its inline scripts go.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/** Browser features the app never uses, switched off for every document. */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()';

export function securityHeaders(opts: { hsts: boolean }): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      strictTransportSecurity: opts.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }) as RequestHandler,
    (_req, res, next) => {
      res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
      next();
    },
  ];
}

/**
 * The CSP of API responses (JSON, media, CSV, audit-report files): no scripts, no plugins, never
 * framed. Inline styles and data: images stay allowed for the audit report's HTML file.
 */
export function apiContentSecurityPolicy(): RequestHandler {
  return helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      mediaSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  }) as RequestHandler;
}
