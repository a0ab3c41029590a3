import { operation } from '../graphql-client.ts';
import type {
  AddCommentMutation,
  AddCommentMutationVariables,
  CreateAnnotationMutation,
  CreateAnnotationMutationVariables,
  DeleteAnnotationMutation,
  DeleteAnnotationMutationVariables,
  FeedbackQuery,
  FeedbackQueryVariables,
  RateExplanationMutation,
  RateExplanationMutationVariables,
  TeamMembersForMentionsQuery,
  TeamMembersForMentionsQueryVariables,
} from '../__generated__/graphql.ts';

export const FEEDBACK = operation<FeedbackQuery, FeedbackQueryVariables>(/* GraphQL */ `
  query Feedback($id: ID!) {
    explanation(id: $id) {
      id
      annotations {
        id
        shape
        geometry
        frameStart
        frameEnd
        label
        createdAt
        author {
          id
          name
        }
      }
      comments {
        ...CommentFields
        replies {
          ...CommentFields
        }
      }
      ratings {
        id
        plausibility
        confidence
        comment
        updatedAt
        rater {
          id
          name
        }
      }
      myRating {
        id
        plausibility
        confidence
        comment
      }
    }
  }
  fragment CommentFields on Comment {
    id
    parentId
    body
    timeStartSec
    timeEndSec
    createdAt
    author {
      id
      name
    }
    mentions {
      id
      name
    }
  }
`);

export const TEAM_MEMBERS_FOR_MENTIONS = operation<TeamMembersForMentionsQuery, TeamMembersForMentionsQueryVariables>(/* GraphQL */ `
  query TeamMembersForMentions($id: ID!) {
    team(id: $id) {
      id
      members {
        id
        user {
          id
          name
        }
      }
    }
  }
`);

export const CREATE_ANNOTATION = operation<CreateAnnotationMutation, CreateAnnotationMutationVariables>(/* GraphQL */ `
  mutation CreateAnnotation($input: CreateAnnotationInput!) {
    createAnnotation(input: $input) {
      id
    }
  }
`);

export const DELETE_ANNOTATION = operation<DeleteAnnotationMutation, DeleteAnnotationMutationVariables>(/* GraphQL */ `
  mutation DeleteAnnotation($id: ID!) {
    deleteAnnotation(id: $id) {
      id
    }
  }
`);

export const ADD_COMMENT = operation<AddCommentMutation, AddCommentMutationVariables>(/* GraphQL */ `
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
    }
  }
`);

export const RATE_EXPLANATION = operation<RateExplanationMutation, RateExplanationMutationVariables>(/* GraphQL */ `
  mutation RateExplanation($input: RateExplanationInput!) {
    rateExplanation(input: $input) {
      id
      plausibility
      confidence
      comment
    }
  }
`);
