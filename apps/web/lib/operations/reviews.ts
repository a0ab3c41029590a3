import { operation } from '../graphql-client.ts';
import { withFragments } from '../graphql-fragments.ts';
import {
  EXPLANATION_SUMMARY,
  PAGE_INFO_FIELDS,
  REVIEW_COMMENT_FIELDS,
  REVIEW_DECISION_FIELDS,
  REVIEW_PARTICIPANT_SUMMARY,
  REVIEW_PLAYBACK_FIELDS,
  REVIEW_SESSION_SUMMARY,
  SALIENCY_OVERLAY_FIELDS,
  VIDEO_SUMMARY,
} from './fragments.ts';
import type {
  AddReviewCommentMutation,
  AddReviewCommentMutationVariables,
  DecideReviewExplanationMutation,
  DecideReviewExplanationMutationVariables,
  EndReviewSessionMutation,
  EndReviewSessionMutationVariables,
  JoinReviewSessionMutation,
  JoinReviewSessionMutationVariables,
  LeaveReviewSessionMutation,
  LeaveReviewSessionMutationVariables,
  ReviewHeartbeatMutation,
  ReviewHeartbeatMutationVariables,
  ReviewSessionsQuery,
  ReviewSessionsQueryVariables,
  SetReviewPlaybackMutation,
  SetReviewPlaybackMutationVariables,
  StartReviewSessionMutation,
  StartReviewSessionMutationVariables,
} from '../__generated__/graphql.ts';

export const REVIEW_SESSIONS = operation<ReviewSessionsQuery, ReviewSessionsQueryVariables>(/* GraphQL */ `
  query ReviewSessions($teamId: ID!, $first: Int = 25, $after: String, $filter: ReviewSessionFilter, $sort: ListSort) {
    reviewSessions(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort) {
      nodes {
        ...ReviewSessionSummary
        explanationIds
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, REVIEW_SESSION_SUMMARY]);

export const START_REVIEW_SESSION = operation<StartReviewSessionMutation, StartReviewSessionMutationVariables>(/* GraphQL */ `
  mutation StartReviewSession($input: StartReviewSessionInput!) {
    startReviewSession(input: $input) {
      id
    }
  }
`);

/** Entering the page joins (marks presence) and returns everything the page shows. */
export const JOIN_REVIEW_SESSION = operation<JoinReviewSessionMutation, JoinReviewSessionMutationVariables>(/* GraphQL */ `
  mutation JoinReviewSession($id: ID!) {
    joinReviewSession(id: $id) {
      ...ReviewSessionSummary
      teamId
      isHost
      summary
      explanations {
        ...ExplanationSummary
        saliencyUrl
        overlay {
          ...SaliencyOverlayFields
        }
        video {
          ...VideoSummary
          url
          fps
          width
          height
        }
      }
      playback {
        ...ReviewPlaybackFields
      }
      present {
        ...ReviewParticipantSummary
        isHost
      }
      comments(first: 100) {
        nodes {
          ...ReviewCommentFields
        }
        pageInfo {
          ...PageInfoFields
        }
      }
      decisions {
        ...ReviewDecisionFields
      }
      votes(first: 100) {
        nodes {
          ...ReviewDecisionFields
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [
  PAGE_INFO_FIELDS,
  REVIEW_SESSION_SUMMARY,
  EXPLANATION_SUMMARY,
  VIDEO_SUMMARY,
  REVIEW_PLAYBACK_FIELDS,
  REVIEW_PARTICIPANT_SUMMARY,
  REVIEW_COMMENT_FIELDS,
  REVIEW_DECISION_FIELDS,
  SALIENCY_OVERLAY_FIELDS,
]);

export const LEAVE_REVIEW_SESSION = operation<LeaveReviewSessionMutation, LeaveReviewSessionMutationVariables>(/* GraphQL */ `
  mutation LeaveReviewSession($id: ID!) {
    leaveReviewSession(id: $id)
  }
`);

export const REVIEW_HEARTBEAT = operation<ReviewHeartbeatMutation, ReviewHeartbeatMutationVariables>(/* GraphQL */ `
  mutation ReviewHeartbeat($id: ID!) {
    reviewHeartbeat(id: $id)
  }
`);

export const SET_REVIEW_PLAYBACK = operation<SetReviewPlaybackMutation, SetReviewPlaybackMutationVariables>(/* GraphQL */ `
  mutation SetReviewPlayback($id: ID!, $input: ReviewPlaybackInput!) {
    setReviewPlayback(id: $id, input: $input) {
      ...ReviewPlaybackFields
    }
  }
`, [REVIEW_PLAYBACK_FIELDS]);

export const ADD_REVIEW_COMMENT = operation<AddReviewCommentMutation, AddReviewCommentMutationVariables>(/* GraphQL */ `
  mutation AddReviewComment($id: ID!, $input: ReviewCommentInput!) {
    addReviewComment(id: $id, input: $input) {
      id
    }
  }
`);

export const DECIDE_REVIEW_EXPLANATION = operation<DecideReviewExplanationMutation, DecideReviewExplanationMutationVariables>(/* GraphQL */ `
  mutation DecideReviewExplanation($id: ID!, $input: ReviewDecisionInput!) {
    decideReviewExplanation(id: $id, input: $input) {
      explanationId
    }
  }
`);

export const END_REVIEW_SESSION = operation<EndReviewSessionMutation, EndReviewSessionMutationVariables>(/* GraphQL */ `
  mutation EndReviewSession($id: ID!) {
    endReviewSession(id: $id) {
      id
      status
      summary
    }
  }
`);

/**
 * Sent over graphql-ws (lib/subscriptions pattern); typed by hand in components/review. Its
 * playback, comments and decisions use JOIN_REVIEW_SESSION's fragments: events merge into the
 * joined session's lists.
 */
export const REVIEW_SESSION_EVENTS = withFragments(/* GraphQL */ `
  subscription ReviewSessionEvents($id: ID!) {
    reviewSessionEvents(id: $id) {
      __typename
      ... on ReviewPresenceChanged {
        present {
          ...ReviewParticipantSummary
          isHost
        }
      }
      ... on ReviewPlaybackChanged {
        playback {
          ...ReviewPlaybackFields
        }
      }
      ... on ReviewCommentAdded {
        comment {
          ...ReviewCommentFields
        }
      }
      ... on ReviewDecisionMade {
        decision {
          ...ReviewDecisionFields
        }
      }
      ... on ReviewSessionEnded {
        summary
      }
    }
  }
`, [REVIEW_PARTICIPANT_SUMMARY, REVIEW_PLAYBACK_FIELDS, REVIEW_COMMENT_FIELDS, REVIEW_DECISION_FIELDS]);
