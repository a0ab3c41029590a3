import { parse as parseCookies, serialize } from 'cookie';
import { GraphQLError } from 'graphql';
import { AppError, HTTP_STATUS, isInfrastructureError, unavailable } from '@fep/shared';
import { resolveCaller } from '../auth/auth.service.ts';
import { SESSION_COOKIE } from '../auth/tokens.ts';
import type { ApiContext, ApiDeps, CookieJar } from '../context.ts';

export interface RawRequest {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
}

export function bearerToken(headers: RawRequest['headers']): string | undefined {
  const auth = headers.authorization;
  const value = Array.isArray(auth) ? auth[0] : auth;
  if (!value) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : undefined;
}

export function sessionTokenFrom(headers: RawRequest['headers']): string | undefined {
  const raw = headers.cookie;
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  return header ? parseCookies(header)[SESSION_COOKIE] : undefined;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt });
}

export function clearedSessionCookie(secure: boolean): string {
  return serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: new Date(0) });
}

/**
 * Builds the per-request context. A bad bearer token fails the request as UNAUTHENTICATED
 * (HTTP 401) before any resolver runs.
 */
export async function buildContext(
  deps: ApiDeps,
  req: RawRequest,
  setCookie: ((value: string) => void) | null,
): Promise<ApiContext> {
  const sessionToken = sessionTokenFrom(req.headers);
  let caller;
  try {
    caller = await resolveCaller(deps.db, deps.config.tokenPepper, { bearer: bearerToken(req.headers), sessionToken });
  } catch (err) {
    if (err instanceof AppError) {
      throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
    }
    // The database is unreachable while resolving the caller: UNAVAILABLE (503), not INTERNAL.
    if (isInfrastructureError(err)) {
      throw new GraphQLError(unavailable().message, {
        originalError: err as Error,
        extensions: { code: 'UNAVAILABLE', http: { status: HTTP_STATUS.UNAVAILABLE } },
      });
    }
    throw err;
  }
  const secure = deps.config.secureCookies;
  const cookies: CookieJar | null = setCookie
    ? {
        sessionToken,
        setSession: (token, expiresAt) => setCookie(sessionCookie(token, expiresAt, secure)),
        clearSession: () => setCookie(clearedSessionCookie(secure)),
      }
    : null;
  const ua = req.headers['user-agent'];
  return {
    ...deps,
    caller,
    roleCache: new Map(),
    request: { ip: req.ip, userAgent: Array.isArray(ua) ? ua[0] : ua },
    cookies,
  };
}
