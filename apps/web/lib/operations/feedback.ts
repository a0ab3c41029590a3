import { operation } from '../graphql-client.ts';
import { PAGE_INFO_FIELDS, RATING_FIELDS, USER_SUMMARY } from './fragments.ts';
import type {
  AddCommentMutation,
  AddCommentMutationVariables,
  CreateAnnotationMutation,
  CreateAnnotationMutationVariables,
  DeleteAnnotationMutation,
  DeleteAnnotationMutationVariables,
  EditCommentMutation,
  EditCommentMutationVariables,
  FeedbackQuery,
  FeedbackQueryVariables,
  RateExplanationMutation,
  RateExplanationMutationVariables,
  ResolveCommentMutation,
  ResolveCommentMutationVariables,
  TeamMembersForMentionsQuery,
  TeamMembersForMentionsQueryVariables,
} from '../__generated__/graphql.ts';

export const FEEDBACK = operation<FeedbackQuery, FeedbackQueryVariables>(/* GraphQL */ `
  query Feedback($id: ID!) {
    explanation(id: $id) {
      id
      annotations(first: 50) {
        nodes {
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
        pageInfo {
          ...PageInfoFields
        }
      }
      comments(first: 20) {
        nodes {
          ...CommentFields
          replies(first: 10) {
            nodes {
              ...CommentFields
            }
            pageInfo {
              ...PageInfoFields
            }
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
      ratings(first: 50) {
        nodes {
          ...RatingFields
          updatedAt
          rater {
            ...UserSummary
          }
        }
        pageInfo {
          ...PageInfoFields
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
    editedAt
    resolvedBy {
      ...UserSummary
    }
  }
`, [PAGE_INFO_FIELDS, USER_SUMMARY, RATING_FIELDS]);

export const TEAM_MEMBERS_FOR_MENTIONS = operation<TeamMembersForMentionsQuery, TeamMembersForMentionsQueryVariables>(/* GraphQL */ `
  query TeamMembersForMentions($id: ID!) {
    team(id: $id) {
      id
      members(first: 100) {
        nodes {
          id
          role
          user {
            ...UserSummary
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, USER_SUMMARY]);

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

export const EDIT_COMMENT = operation<EditCommentMutation, EditCommentMutationVariables>(/* GraphQL */ `
  mutation EditComment($id: ID!, $input: EditCommentInput!) {
    editComment(id: $id, input: $input) {
      id
    }
  }
`);

export const RESOLVE_COMMENT = operation<ResolveCommentMutation, ResolveCommentMutationVariables>(/* GraphQL */ `
  mutation ResolveComment($id: ID!, $resolved: Boolean!) {
    resolveComment(id: $id, resolved: $resolved) {
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
