import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { auditResolvers } from './audit/audit.resolvers.ts';
import { authResolvers } from './auth/auth.resolvers.ts';
import { enforceTokenScopes } from './auth/permissions.ts';
import { DateTimeScalar, JSONScalar } from './common/scalars.ts';
import { explanationResolvers } from './explanations/explanations.resolvers.ts';
import { feedbackResolvers } from './feedback/feedback.resolvers.ts';
import { governanceResolvers } from './governance/governance.resolvers.ts';
import { healthResolvers } from './health/health.resolvers.ts';
import { modelResolvers } from './models/models.resolvers.ts';
import { notificationResolvers } from './notifications/notifications.resolvers.ts';
import { reviewResolvers } from './reviews/reviews.resolvers.ts';
import { studyResolvers } from './studies/studies.resolvers.ts';
import { teamResolvers } from './teams/teams.resolvers.ts';
import { videoResolvers } from './videos/videos.resolvers.ts';
import type { Resolvers } from './__generated__/resolvers-types.ts';

const SRC_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Every `<domain>/<domain>.graphql`, base first: the SDL is the contract. */
export function loadTypeDefs(dir = SRC_DIR): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.graphql')) files.push(p);
    }
  };
  walk(dir);
  files.sort((a, b) => Number(!a.endsWith('base.graphql')) - Number(!b.endsWith('base.graphql')));
  return files.map((f) => readFileSync(f, 'utf8'));
}

export const resolvers: Resolvers[] = [
  { DateTime: DateTimeScalar, JSON: JSONScalar } as Resolvers,
  healthResolvers,
  authResolvers,
  teamResolvers,
  auditResolvers,
  videoResolvers,
  modelResolvers,
  explanationResolvers,
  governanceResolvers,
  feedbackResolvers,
  studyResolvers,
  reviewResolvers,
  notificationResolvers,
];

export function buildSchema(): GraphQLSchema {
  // API token scopes are checked at every Mutation field, the same over HTTP and graphql-ws.
  return enforceTokenScopes(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never }));
}

/**
 * Operations callable without signing in. A test asserts that every other query and mutation
 * refuses an unauthenticated caller.
 */
export const PUBLIC_OPERATIONS = new Set([
  'Query.health',
  'Query.viewer',
  'Query.invitationPreview',
  'Mutation.signUp',
  'Mutation.login',
  'Mutation.logout',
  'Mutation.resetPassword',
  'Mutation._noop',
  'Subscription._noop',
]);
