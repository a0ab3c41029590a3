import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ZodError } from 'zod';
import { AppError, type ErrorCode } from '@fep/shared';

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
  return new GraphQLError('Something went wrong on our side.', { extensions: { code: 'INTERNAL' } });
}

/**
 * Apollo `formatError`: every error leaves with one of our codes; unexpected errors are logged
 * with their stack and replaced by a generic message so internals never leak.
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
  console.error('[api] unexpected error', original);
  return { message: 'Something went wrong on our side.', path: formatted.path, extensions: { code: 'INTERNAL' } };
}
