/**
 * Error formatting: a dependency being unreachable (isInfrastructureError) answers UNAVAILABLE —
 * HTTP 503 where the response carries a status — never INTERNAL, and leaks nothing; other
 * unexpected errors stay INTERNAL. The unreachable-database error here is a real one: a
 * connection refused by a closed port on this machine.
 */
import { createServer } from 'node:net';
import { HeaderMap } from '@apollo/server';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, unavailable } from '@fep/shared';
import type { ApiContext, ApiDeps } from '../context.ts';
import { createApolloServer } from '../server/apollo.ts';
import { buildContext } from '../server/request-context.ts';
import { describeError, formatError, toGraphQLError } from './errors.ts';

let refused: Error;

/** A port nobody listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await closedPort();
  refused = await fetch(`http://127.0.0.1:${port}/`).then(
    () => {
      throw new Error('expected the connection to be refused');
    },
    (err: Error) => err,
  );
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  expect((refused.cause as { code?: string }).code).toBe('ECONNREFUSED');
});

/** What graphql-js hands formatError for an error thrown in a resolver. */
const fromResolver = (err: Error) => new GraphQLError(err.message, { originalError: err, path: ['x'] });

describe('formatError', () => {
  it('maps an unreachable dependency to UNAVAILABLE with the generic retry message', () => {
    const gqlError = fromResolver(refused);
    const out = formatError(gqlError.toJSON(), gqlError);
    expect(out).toEqual({ message: unavailable().message, path: ['x'], extensions: { code: 'UNAVAILABLE' } });
    expect(JSON.stringify(out)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch failed/);
  });

  it('maps a Redis "Connection is closed" and a Prisma P1001 to UNAVAILABLE', () => {
    for (const err of [new Error('Connection is closed.'), Object.assign(new Error("Can't reach database server"), { code: 'P1001' })]) {
      const gqlError = fromResolver(err);
      expect(formatError(gqlError.toJSON(), gqlError).extensions?.code, err.message).toBe('UNAVAILABLE');
    }
  });

  it('keeps other unexpected errors INTERNAL, and AppErrors their own code', () => {
    const bug = fromResolver(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(formatError(bug.toJSON(), bug)).toEqual({ message: 'Something went wrong on our side.', path: ['x'], extensions: { code: 'INTERNAL' } });
    const denied = fromResolver(new AppError('FORBIDDEN', 'Not yours.'));
    expect(formatError(denied.toJSON(), denied)).toMatchObject({ message: 'Not yours.', extensions: { code: 'FORBIDDEN' } });
    // A missing file is not an outage.
    const missing = fromResolver(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }));
    expect(formatError(missing.toJSON(), missing).extensions?.code).toBe('INTERNAL');
  });
});

describe('toGraphQLError and describeError (plain HTTP routes)', () => {
  it('an unreachable dependency is UNAVAILABLE / 503', () => {
    expect(toGraphQLError(refused).extensions.code).toBe('UNAVAILABLE');
    expect(describeError(refused)).toEqual({ code: 'UNAVAILABLE', status: 503, message: unavailable().message });
  });

  it('coded errors keep code and message; anything else is INTERNAL / 500 with a generic message', () => {
    expect(describeError(new AppError('NOT_FOUND', 'Video not found.'))).toEqual({ code: 'NOT_FOUND', status: 404, message: 'Video not found.' });
    expect(describeError(new GraphQLError('Sign in.', { extensions: { code: 'UNAUTHENTICATED' } }))).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
      message: 'Sign in.',
    });
    expect(describeError(new Error('secret internals'))).toEqual({ code: 'INTERNAL', status: 500, message: 'Something went wrong on our side.' });
  });
});

describe('on an Apollo server', () => {
  const schema = makeExecutableSchema({
    typeDefs: /* GraphQL */ `
      type Query {
        down: String!
        maybeDown: String
        up: String!
        bug: String!
      }
    `,
    resolvers: {
      Query: {
        down: () => Promise.reject(refused),
        maybeDown: () => Promise.reject(refused),
        up: () => 'ok',
        bug: () => Promise.reject(new Error('a bug')),
      },
    },
  });
  const apollo = createApolloServer(schema);
  beforeAll(() => apollo.start());

  async function run(query: string, contextValue: Partial<ApiContext> = {}) {
    const res = await apollo.executeOperation({ query }, { contextValue: contextValue as ApiContext });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return { status: res.http.status, ...res.body.singleResult };
  }

  it('no data because a dependency is down: 503 UNAVAILABLE', async () => {
    const res = await run('{ down }');
    expect(res.status).toBe(503);
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
  });

  it('partial data keeps 200; a bug without data is INTERNAL, not 503', async () => {
    const partial = await run('{ up maybeDown }');
    expect(partial.status ?? 200).toBe(200);
    expect(partial.data).toEqual({ up: 'ok', maybeDown: null });
    expect(partial.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    const bug = await run('{ bug }');
    expect(bug.status).not.toBe(503);
    expect(bug.errors?.[0]?.extensions?.code).toBe('INTERNAL');
  });

  it('the database unreachable while resolving the caller: the HTTP answer is 503 UNAVAILABLE', async () => {
    const deps = {
      config: { tokenPepper: 'pepper', secureCookies: false },
      db: { session: { findUnique: () => Promise.reject(refused) } },
    } as unknown as ApiDeps;
    const res = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([
          ['content-type', 'application/json'],
          ['cookie', 'fep_session=some-session'],
        ]),
        search: '',
        body: { query: '{ up }' },
      },
      context: () => buildContext(deps, { headers: { cookie: 'fep_session=some-session' }, ip: '127.0.0.1' }, null),
    });
    expect(res.status).toBe(503);
    if (res.body.kind !== 'complete') throw new Error('expected a complete body');
    const body = JSON.parse(res.body.string);
    expect(body.errors[0].extensions.code).toBe('UNAVAILABLE');
    expect(body.errors[0].message).toBe(unavailable().message);
  });
});
