import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ZodError } from 'zod';
import { AppError, ERROR_CODES, HTTP_STATUS, isInfrastructureError, unavailable, type ErrorCode } from '@fep/shared';

/** Apollo's own codes for requests that never reached a resolver, mapped onto ours. */
const BUILTIN_CODE_MAP: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
};

/** Flattens a zod error into `{ "input.email": "Invalid email" }` for inline form errors. */
export function zodFields(err: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of err.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export function toGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  if (err instanceof AppError) {
    return new GraphQLError(err.message, { extensions: { code: err.code, ...(err.details ?? {}) } });
  }
  if (err instanceof ZodError) {
    return new GraphQLError('Some fields are invalid.', {
      extensions: { code: 'BAD_USER_INPUT', fields: zodFields(err) },
    });
  }
  if (isInfrastructureError(err)) {
    return new GraphQLError(unavailable().message, { extensions: { code: 'UNAVAILABLE' } });
  }
  return new GraphQLError('Something went wrong on our side.', { extensions: { code: 'INTERNAL' } });
}

/**
 * The code, HTTP status and client-safe message of any error, for the plain HTTP routes (media,
 * downloads, uploads): our AppErrors and coded GraphQL errors keep their code; a dependency being
 * unreachable (isInfrastructureError: PostgreSQL, Redis, storage) is UNAVAILABLE (503, worth a
 * retry); anything else is INTERNAL (500), its message never shown.
 */
export function describeError(err: unknown): { code: ErrorCode; status: number; message: string } {
  const ext = (err as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  const code: ErrorCode =
    err instanceof AppError
      ? err.code
      : typeof ext === 'string' && (ERROR_CODES as readonly string[]).includes(ext)
        ? (ext as ErrorCode)
        : isInfrastructureError(err)
          ? 'UNAVAILABLE'
          : 'INTERNAL';
  const message =
    code === 'INTERNAL'
      ? 'Something went wrong on our side.'
      : code === 'UNAVAILABLE' && !(err instanceof AppError)
        ? unavailable().message
        : (err as Error).message;
  return { code, status: HTTP_STATUS[code], message };
}

/**
 * Apollo `formatError`: every error leaves with one of our codes; unexpected errors are logged
 * with their stack and replaced by a generic message so internals never leak. An unexpected error
 * that is a dependency being unreachable (isInfrastructureError) leaves as UNAVAILABLE, not
 * INTERNAL; `unavailableStatusPlugin` (apollo.ts) then answers HTTP 503 when no data came back.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as GraphQLError)?.originalError ?? error;
  if (original instanceof AppError || original instanceof ZodError) {
    const mapped = toGraphQLError(original);
    return { ...formatted, message: mapped.message, extensions: { ...mapped.extensions } };
  }
  const code = String(formatted.extensions?.code ?? '');
  const mapped = BUILTIN_CODE_MAP[code];
  if (mapped) return { ...formatted, extensions: { ...formatted.extensions, code: mapped } };
  // A dependency (PostgreSQL, Redis, storage) unreachable: the client may retry; no internals leak.
  if (isInfrastructureError(original)) {
    console.error('[api] dependency unavailable', (original as Error)?.message ?? original);
    return { message: unavailable().message, path: formatted.path, extensions: { code: 'UNAVAILABLE' } };
  }
  console.error('[api] unexpected error', original);
  return { message: 'Something went wrong on our side.', path: formatted.path, extensions: { code: 'INTERNAL' } };
}
