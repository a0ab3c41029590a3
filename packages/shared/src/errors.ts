/**
 * Typed application errors. Every layer (services, engine, CLI) throws these; the GraphQL layer
 * maps `code` onto `extensions.code` so clients can branch on it without parsing messages.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  /** A dependency (PostgreSQL, Redis, storage) is unreachable: retry later; nothing was written. */
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'You must be signed in.') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You do not have permission to do that.') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found.`);
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, details);
export const conflict = (message: string) => new AppError('CONFLICT', message);
export const rateLimited = (message: string, details?: Record<string, unknown>) => new AppError('RATE_LIMITED', message, details);
export const unavailable = (message = 'A service F-EP Studio depends on is unreachable; nothing was changed. Try again shortly.') =>
  new AppError('UNAVAILABLE', message);

/** The HTTP status each code answers with, for every non-GraphQL route and GraphQL's `http` extension. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
});
