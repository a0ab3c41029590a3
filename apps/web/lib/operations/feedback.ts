import { operation } from '../graphql-client.ts';
import { RATING_FIELDS, USER_SUMMARY } from './fragments.ts';
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
          ...UserSummary
        }
      }
      comments {
        ...CommentFields
        replies {
          ...CommentFields
        }
      }
      ratings {
        ...RatingFields
        updatedAt
        rater {
          ...UserSummary
        }
      }
      myRating {
        ...RatingFields
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
      ...UserSummary
    }
    mentions {
      ...UserSummary
    }
  }
`, [USER_SUMMARY, RATING_FIELDS]);

export const TEAM_MEMBERS_FOR_MENTIONS = operation<TeamMembersForMentionsQuery, TeamMembersForMentionsQueryVariables>(/* GraphQL */ `
  query TeamMembersForMentions($id: ID!) {
    team(id: $id) {
      id
      members {
        id
        user {
          ...UserSummary
        }
      }
    }
  }
`, [USER_SUMMARY]);

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
      ...RatingFields
    }
  }
`, [RATING_FIELDS]);
