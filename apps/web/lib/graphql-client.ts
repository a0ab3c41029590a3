/**
 * A tiny typed GraphQL client for the browser (and for server components that forward the cookie).
 *
 * The API answers GraphQL errors with `extensions.code` from the shared list in
 * packages/shared/src/errors.ts (`ERROR_CODES`); BAD_USER_INPUT errors may carry
 * `extensions.fields` = { field: message }. Every failure surfaces as one `ApiError`, so pages can
 * branch on `code` and show `fields` inline without parsing messages.
 */

import { withFragments } from './graphql-fragments.ts';

/** Mirrors `ERROR_CODES` in packages/shared/src/errors.ts (a unit test keeps them in sync). */
export const API_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  /** A dependency of the API is unreachable; nothing was written, so retrying is safe. */
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ServerErrorCode = (typeof API_ERROR_CODES)[number];
/** `NETWORK`: the request never got a GraphQL answer (offline, server down, non-JSON reply). */
export type ApiErrorCode = ServerErrorCode | 'NETWORK';

export const GRAPHQL_ENDPOINT = '/api/graphql';

export interface GraphQLErrorShape {
  message?: unknown;
  extensions?: Record<string, unknown> | null;
}

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** Per-field messages for inline display (BAD_USER_INPUT). */
  readonly fields: Readonly<Record<string, string>>;
  /** The raw `extensions.code` when it was not one of ours (e.g. Apollo's GRAPHQL_VALIDATION_FAILED). */
  readonly rawCode: string | undefined;
  /** Seconds until a rate-limited action may be retried, when the server said so. */
  readonly retryAfterSec: number | undefined;
  readonly status: number | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    opts: {
      fields?: Record<string, string>;
      rawCode?: string;
      retryAfterSec?: number;
      status?: number;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.fields = opts.fields ?? {};
    this.rawCode = opts.rawCode;
    this.retryAfterSec = opts.retryAfterSec;
    this.status = opts.status;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

const KNOWN = new Set<string>(API_ERROR_CODES);

/** Apollo's own codes for failures that are the server's, not the person's. */
const APOLLO_ALIASES: Record<string, ServerErrorCode> = {
  INTERNAL_SERVER_ERROR: 'INTERNAL',
  GRAPHQL_PARSE_FAILED: 'INTERNAL',
  GRAPHQL_VALIDATION_FAILED: 'INTERNAL',
  BAD_REQUEST: 'INTERNAL',
  PERSISTED_QUERY_NOT_FOUND: 'INTERNAL',
  OPERATION_RESOLUTION_FAILURE: 'INTERNAL',
};

function normaliseCode(raw: unknown): { code: ServerErrorCode; rawCode: string | undefined } {
  if (typeof raw !== 'string') return { code: 'INTERNAL', rawCode: undefined };
  if (KNOWN.has(raw)) return { code: raw as ServerErrorCode, rawCode: undefined };
  return { code: APOLLO_ALIASES[raw] ?? 'INTERNAL', rawCode: raw };
}

function readFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [key, msg] of Object.entries(value as Record<string, unknown>)) {
    if (typeof msg === 'string' && msg.trim()) out[key] = msg;
    else if (Array.isArray(msg)) {
      const parts = msg.filter((m): m is string => typeof m === 'string' && m.trim() !== '');
      if (parts.length) out[key] = parts.join(' ');
    }
  }
  return out;
}

function readSeconds(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * Turns a GraphQL `errors` array into one ApiError: the first error decides code and message;
 * field messages of every BAD_USER_INPUT error are merged.
 */
export function toApiError(
  errors: readonly GraphQLErrorShape[],
  ctx: { status?: number; retryAfterHeader?: string | null } = {},
): ApiError {
  const first = errors[0];
  const { code, rawCode } = normaliseCode(first?.extensions?.code);
  const fields: Record<string, string> = {};
  for (const err of errors) {
    if (normaliseCode(err.extensions?.code).code === 'BAD_USER_INPUT') {
      for (const [key, msg] of Object.entries(readFields(err.extensions?.fields))) {
        if (!(key in fields)) fields[key] = msg;
      }
    }
  }
  const message =
    typeof first?.message === 'string' && first.message.trim() ? first.message : 'The request failed.';
  const retryAfterSec =
    readSeconds(first?.extensions?.retryAfterSec) ??
    readSeconds(first?.extensions?.retryAfter) ??
    readSeconds(ctx.retryAfterHeader ?? undefined);
  return new ApiError(code, message, {
    fields,
    ...(rawCode !== undefined ? { rawCode } : {}),
    ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
    ...(ctx.status !== undefined ? { status: ctx.status } : {}),
  });
}

/** A GraphQL document string carrying its result and variable types (from lib/__generated__). */
export interface TypedOperation<TData, TVars> {
  readonly query: string;
  /** Phantom field: never set, only carries the types. */
  readonly __types?: (vars: TVars) => TData;
}

/**
 * A typed operation. `fragments` are the shared fragment definitions it may spread
 * (lib/operations/fragments.ts): the ones it uses are appended to `query`, each exactly once.
 */
export function operation<TData, TVars = Record<string, never>>(
  query: string,
  fragments: readonly string[] = [],
): TypedOperation<TData, TVars> {
  return { query: withFragments(query, fragments) };
}

export interface RequestOptions {
  endpoint?: string;
  /** Extra headers, e.g. `cookie` when a server component forwards the session. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

type VarsArg<TVars> = Record<string, never> extends TVars ? [variables?: TVars, options?: RequestOptions] : [variables: TVars, options?: RequestOptions];

/** POSTs one operation; resolves with `data` or throws an ApiError. */
export async function gqlRequest<TData, TVars>(
  op: TypedOperation<TData, TVars>,
  ...[variables, options = {}]: VarsArg<TVars>
): Promise<TData> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(options.endpoint ?? GRAPHQL_ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
      },
      body: JSON.stringify({ query: op.query, variables: variables ?? {} }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('NETWORK', 'Could not reach the server.');
  }

  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(res.status === 429 ? 'RATE_LIMITED' : 'NETWORK', `The server answered ${res.status} without GraphQL data.`, {
      status: res.status,
    });
  }
  const payload = (body ?? {}) as { data?: unknown; errors?: unknown };
  if (Array.isArray(payload.errors) && payload.errors.length > 0) {
    throw toApiError(payload.errors as GraphQLErrorShape[], {
      status: res.status,
      retryAfterHeader: res.headers.get('retry-after'),
    });
  }
  if (!res.ok || payload.data === undefined || payload.data === null) {
    throw new ApiError(res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL', `The server answered ${res.status} without data.`, {
      status: res.status,
    });
  }
  return payload.data as TData;
}

/** A sentence a person can act on, for banners and toasts. */
export function userMessage(error: unknown): string {
  if (!isApiError(error)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'NETWORK':
      return 'We could not reach F-EP Studio. Check your connection and try again.';
    case 'RATE_LIMITED': {
      const s = error.retryAfterSec;
      if (s !== undefined && s > 0) {
        const wait = s >= 90 ? `${Math.ceil(s / 60)} minutes` : `${Math.ceil(s)} seconds`;
        return `Too many attempts. Please wait ${wait} and try again.`;
      }
      return 'Too many attempts. Please wait a minute and try again.';
    }
    case 'INTERNAL':
      return 'Something went wrong on our side. Please try again in a moment.';
    case 'UNAUTHENTICATED':
      return error.message || 'Your session has ended. Please sign in again.';
    case 'FORBIDDEN':
      return error.message || 'You do not have permission to do that.';
    default:
      return error.message;
  }
}
