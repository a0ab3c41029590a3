import { operation } from '../graphql-client.ts';
import { EXPLANATION_SUMMARY, MODEL_SUMMARY, SALIENCY_OVERLAY_FIELDS, USER_SUMMARY, VIDEO_SUMMARY } from './fragments.ts';
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
      ...ExplanationSummary
      teamId
      target
      params
      progress
      error
      prediction
      metrics
      provenance
      timings
      saliencyShape
      saliencyUrl
      overlay {
        ...SaliencyOverlayFields
      }
      trust {
        warnings {
          code
          message
        }
      }
      downloads {
        saliencyNpy
        overlayMp4
        overlayPngZip
        feedbackJson
      }
      createdAt
      startedAt
      finishedAt
      comparison
      reproduces {
        ...ExplanationSummary
        createdAt
        requestedBy {
          ...UserSummary
        }
      }
      reproductions(first: 20) {
        nodes {
          ...ExplanationSummary
          createdAt
          requestedBy {
            ...UserSummary
          }
        }
      }
      requestedBy {
        ...UserSummary
      }
      model {
        ...ModelSummary
        weightsSha256
        labels
      }
      video {
        ...VideoSummary
        url
        fps
        frameCount
        durationSec
        width
        height
      }
    }
  }
`, [EXPLANATION_SUMMARY, USER_SUMMARY, MODEL_SUMMARY, VIDEO_SUMMARY, SALIENCY_OVERLAY_FIELDS]);

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
      stage
      preview {
        frames
        height
        width
        iteration
        data
        overlay {
          frameTimestamps
          modelWidth
          modelHeight
          crop {
            x
            y
            w
            h
          }
        }
      }
    }
  }
`;
