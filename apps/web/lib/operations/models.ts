import { operation } from '../graphql-client.ts';
import type { ModelsQuery, ModelsQueryVariables } from '../__generated__/graphql.ts';

export const MODELS = operation<ModelsQuery, ModelsQueryVariables>(/* GraphQL */ `
  query Models($teamId: ID!) {
    models(teamId: $teamId) {
      id
      name
      version
      labels
      builtin
      weightsSha256
    }
  }
`);
