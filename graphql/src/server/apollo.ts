import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { formatError } from '../common/errors.ts';
import type { ApiContext } from '../context.ts';
import { queryLimitsRule } from './query-limits.ts';

/** The web app's deepest operation nests 4 levels (measured by server/web-operations.test.ts); 10 leaves room without allowing abuse. */
export const MAX_QUERY_DEPTH = 10;
/** One point per field (lists multiplied by their limit): the web app's costliest operation costs 53 (same test). */
export const MAX_QUERY_COST = 1000;

export function createApolloServer(schema: GraphQLSchema, extraPlugins: ApolloServerPlugin<ApiContext>[] = []) {
  return new ApolloServer<ApiContext>({
    schema,
    validationRules: [queryLimitsRule(MAX_QUERY_DEPTH, MAX_QUERY_COST)],
    formatError,
    plugins: extraPlugins,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // The process owner (server.ts) handles SIGINT/SIGTERM and stops Apollo in order.
    stopOnTerminationSignals: false,
  });
}
