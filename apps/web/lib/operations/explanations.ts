import { operation } from '../graphql-client.ts';
import type {
  CancelExplanationMutation,
  CancelExplanationMutationVariables,
  ExplanationViewQuery,
  ExplanationViewQueryVariables,
  RequestExplanationMutation,
  RequestExplanationMutationVariables,
} from '../__generated__/graphql.ts';

export const REQUEST_EXPLANATION = operation<RequestExplanationMutation, RequestExplanationMutationVariables>(/* GraphQL */ `
  mutation RequestExplanation($input: RequestExplanationInput!) {
    requestExplanation(input: $input) {
      id
      status
      progress
    }
  }
`);

export const CANCEL_EXPLANATION = operation<CancelExplanationMutation, CancelExplanationMutationVariables>(/* GraphQL */ `
  mutation CancelExplanation($id: ID!) {
    cancelExplanation(id: $id) {
      id
      status
    }
  }
`);

export const EXPLANATION_VIEW = operation<ExplanationViewQuery, ExplanationViewQueryVariables>(/* GraphQL */ `
  query ExplanationView($id: ID!) {
    explanation(id: $id) {
      id
      teamId
      method
      target
      params
      status
      progress
      error
      prediction
      metrics
      provenance
      timings
      saliencyShape
      saliencyUrl
      createdAt
      startedAt
      finishedAt
      requestedBy {
        id
        name
      }
      model {
        id
        name
        version
        weightsSha256
        labels
      }
      video {
        id
        title
        url
        fps
        frameCount
        durationSec
        width
        height
      }
    }
  }
`);

/** Sent over graphql-ws (lib/subscriptions.ts), not over HTTP. */
export const EXPLANATION_PROGRESS = /* GraphQL */ `
  subscription ExplanationProgress($id: ID!) {
    explanationProgress(id: $id) {
      explanationId
      status
      fraction
      iteration
      totalIterations
      energy
      etaMs
    }
  }
`;
