import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { HTTP_STATUS } from '@fep/shared';
import { formatError } from '../common/errors.ts';
import type { ApiContext } from '../context.ts';
import { QUERY_LIMITS, queryLimitsRule } from './query-limits.ts';

/** Depth and cost limits (defined once in query-limits.ts, with alias and root-field limits). */
export const MAX_QUERY_DEPTH = QUERY_LIMITS.maxDepth;
export const MAX_QUERY_COST = QUERY_LIMITS.maxCost;

/**
 * A response without data whose errors include UNAVAILABLE (a dependency down, see formatError)
 * answers HTTP 503 (HTTP_STATUS) instead of 200, so clients and load balancers know to retry.
 * Partial results keep 200, as GraphQL over HTTP expects.
 */
export const unavailableStatusPlugin: ApolloServerPlugin<ApiContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        if (data == null && errors?.some((e) => e.extensions?.code === 'UNAVAILABLE')) response.http.status = HTTP_STATUS.UNAVAILABLE;
      },
    };
  },
};

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
    plugins: [unavailableStatusPlugin, ...extraPlugins],
    introspection: opts.introspection ?? process.env.NODE_ENV !== 'production',
    includeStacktraceInErrorResponses: false,
    // The process owner (server.ts) handles SIGINT/SIGTERM and stops Apollo in order.
    stopOnTerminationSignals: false,
  });
}
