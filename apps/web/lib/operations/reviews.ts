import { operation } from '../graphql-client.ts';
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
  ReviewSourcesQuery,
  ReviewSourcesQueryVariables,
  ReviewSessionsQueryVariables,
  SetReviewPlaybackMutation,
  SetReviewPlaybackMutationVariables,
  StartReviewSessionMutation,
  StartReviewSessionMutationVariables,
} from '../__generated__/graphql.ts';

export const REVIEW_SESSIONS = operation<ReviewSessionsQuery, ReviewSessionsQueryVariables>(/* GraphQL */ `
  query ReviewSessions($teamId: ID!) {
    reviewSessions(teamId: $teamId) {
      id
      title
      status
      startedAt
      endedAt
      explanationIds
      host {
        id
        name
      }
    }
  }
`);

export const REVIEW_SOURCES = operation<ReviewSourcesQuery, ReviewSourcesQueryVariables>(/* GraphQL */ `
  query ReviewSources($teamId: ID!) {
    explanations(teamId: $teamId) {
      id
      method
      status
      video {
        id
        title
      }
    }
  }
`);

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
      id
      teamId
      title
      status
      isHost
      summary
      startedAt
      endedAt
      host {
        id
        name
      }
      explanations {
        id
        method
        status
        saliencyUrl
        windowStartSec
        video {
          id
          title
          url
          fps
        }
      }
      playback {
        explanationId
        playing
        timeSec
        updatedAt
      }
      present {
        userId
        name
        isHost
      }
      comments {
        id
        explanationId
        body
        timeSec
        createdAt
        author {
          userId
          name
        }
      }
      decisions {
        explanationId
        verdict
        note
        decidedAt
        decidedBy {
          userId
          name
        }
      }
    }
  }
`);

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
      explanationId
      playing
      timeSec
      updatedAt
    }
  }
`);

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

/** Sent over graphql-ws (lib/subscriptions pattern); typed by hand in components/review. */
export const REVIEW_SESSION_EVENTS = /* GraphQL */ `
  subscription ReviewSessionEvents($id: ID!) {
    reviewSessionEvents(id: $id) {
      __typename
      ... on ReviewPresenceChanged {
        present {
          userId
          name
          isHost
        }
      }
      ... on ReviewPlaybackChanged {
        playback {
          explanationId
          playing
          timeSec
          updatedAt
        }
      }
      ... on ReviewCommentAdded {
        comment {
          id
          explanationId
          body
          timeSec
          createdAt
          author {
            userId
            name
          }
        }
      }
      ... on ReviewDecisionMade {
        decision {
          explanationId
          verdict
          note
          decidedAt
          decidedBy {
            userId
            name
          }
        }
      }
      ... on ReviewSessionEnded {
        summary
      }
    }
  }
`;
