import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { formatError } from '../common/errors.ts';
import type { ApiContext } from '../context.ts';
import { QUERY_LIMITS, queryLimitsRule } from './query-limits.ts';

/** Depth and cost limits (defined once in query-limits.ts, with alias and root-field limits). */
export const MAX_QUERY_DEPTH = QUERY_LIMITS.maxDepth;
export const MAX_QUERY_COST = QUERY_LIMITS.maxCost;

/** `introspection`: the caller passes config.introspection (off in production unless GRAPHQL_INTROSPECTION=1). */
export function createApolloServer(
  schema: GraphQLSchema,
  extraPlugins: ApolloServerPlugin<ApiContext>[] = [],
  opts: { introspection?: boolean } = {},
) {
  return new ApolloServer<ApiContext>({
    schema,
    validationRules: [queryLimitsRule(QUERY_LIMITS)],
    formatError,
    plugins: extraPlugins,
    introspection: opts.introspection ?? process.env.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    // The process owner (server.ts) handles SIGINT/SIGTERM and stops Apollo in order.
    stopOnTerminationSignals: false,
  });
}
