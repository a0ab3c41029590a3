import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../packages/shared/src/errors.ts';
import { API_ERROR_CODES, ApiError, gqlRequest, operation, toApiError, userMessage } from './graphql-client.ts';

type Vars = { id: string };
const OP = operation<{ thing: { id: string } }, Vars>('query Thing($id: ID!) { thing(id: $id) { id } }');

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as unknown as typeof fetch;
  return { fn, calls };
}

describe('API_ERROR_CODES', () => {
  it('matches the shared server list', () => {
    expect([...API_ERROR_CODES]).toEqual([...ERROR_CODES]);
  });
});

describe('toApiError', () => {
  it('takes code and message from the first error and merges BAD_USER_INPUT fields', () => {
    const err = toApiError([
      { message: 'Check the form.', extensions: { code: 'BAD_USER_INPUT', fields: { email: 'Taken.', age: 3 } } },
      { message: 'x', extensions: { code: 'BAD_USER_INPUT', fields: { password: ['Too short.', 'Needs a digit.'], email: 'ignored' } } },
      { message: 'y', extensions: { code: 'FORBIDDEN', fields: { name: 'not merged' } } },
    ]);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toBe('Check the form.');
    expect(err.fields).toEqual({ email: 'Taken.', password: 'Too short. Needs a digit.' });
  });

  it('maps Apollo and unknown codes to INTERNAL but keeps the raw code', () => {
    const a = toApiError([{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    expect(a.code).toBe('INTERNAL');
    expect(a.rawCode).toBe('GRAPHQL_VALIDATION_FAILED');
    const b = toApiError([{ message: 'weird' }]);
    expect(b.code).toBe('INTERNAL');
    expect(b.rawCode).toBeUndefined();
  });

  it('reads retry-after from extensions before the header', () => {
    expect(toApiError([{ message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterSec: 42 } }], { retryAfterHeader: '5' }).retryAfterSec).toBe(42);
    expect(toApiError([{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }], { retryAfterHeader: '5' }).retryAfterSec).toBe(5);
    expect(toApiError([{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }]).retryAfterSec).toBeUndefined();
  });
});

describe('gqlRequest', () => {
  it('POSTs query and variables same-origin and returns data', async () => {
    const { fn, calls } = fakeFetch(200, { data: { thing: { id: '7' } } });
    const data = await gqlRequest(OP, { id: '7' }, { fetch: fn });
    expect(data.thing.id).toBe('7');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/api/graphql');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ query: OP.query, variables: { id: '7' } });
  });

  it('throws ApiError for GraphQL errors even on HTTP 200 with partial data', async () => {
    const { fn } = fakeFetch(200, { data: { thing: null }, errors: [{ message: 'Team not found.', extensions: { code: 'NOT_FOUND' } }] });
    await expect(gqlRequest(OP, { id: '1' }, { fetch: fn })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Team not found.' });
  });

  it('parses errors from a 400 body and the Retry-After header from a 429', async () => {
    const { fn } = fakeFetch(429, { errors: [{ message: 'Too many attempts.', extensions: { code: 'RATE_LIMITED' } }] }, { 'retry-after': '30' });
    const err = await gqlRequest(OP, { id: '1' }, { fetch: fn }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('RATE_LIMITED');
    expect((err as ApiError).retryAfterSec).toBe(30);
    expect((err as ApiError).status).toBe(429);
  });

  it('reports NETWORK when fetch rejects or the body is not JSON', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(gqlRequest(OP, { id: '1' }, { fetch: failing })).rejects.toMatchObject({ code: 'NETWORK' });
    const { fn } = fakeFetch(502, '<html>Bad gateway</html>');
    await expect(gqlRequest(OP, { id: '1' }, { fetch: fn })).rejects.toMatchObject({ code: 'NETWORK', status: 502 });
  });

  it('reports INTERNAL when a JSON reply has neither data nor errors', async () => {
    const { fn } = fakeFetch(500, {});
    await expect(gqlRequest(OP, { id: '1' }, { fetch: fn })).rejects.toMatchObject({ code: 'INTERNAL', status: 500 });
  });
});

describe('userMessage', () => {
  it('words rate limits with the wait when known', () => {
    expect(userMessage(new ApiError('RATE_LIMITED', 'x', { retryAfterSec: 20 }))).toBe('Too many attempts. Please wait 20 seconds and try again.');
    expect(userMessage(new ApiError('RATE_LIMITED', 'x', { retryAfterSec: 600 }))).toBe('Too many attempts. Please wait 10 minutes and try again.');
    expect(userMessage(new ApiError('RATE_LIMITED', 'x'))).toMatch(/wait a minute/);
  });

  it('hides internal messages and passes domain messages through', () => {
    expect(userMessage(new ApiError('INTERNAL', 'TypeError: undefined is not a function'))).not.toMatch(/TypeError/);
    expect(userMessage(new ApiError('CONFLICT', 'That email is already registered.'))).toBe('That email is already registered.');
    expect(userMessage(new Error('boom'))).toMatch(/Something went wrong/);
  });

  it('keeps UNAVAILABLE (not INTERNAL) and shows the server\'s retry advice', () => {
    const err = toApiError([{ message: 'A service F-EP Studio depends on is unreachable; nothing was changed. Try again shortly.', extensions: { code: 'UNAVAILABLE' } }]);
    expect(err.code).toBe('UNAVAILABLE');
    expect(userMessage(err)).toMatch(/nothing was changed/);
  });
});
