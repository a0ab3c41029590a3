import { operation } from '../graphql-client.ts';
import { EXPLANATION_LABEL_FIELDS, EXPLANATION_SUMMARY, MODEL_SUMMARY, PAGE_INFO_FIELDS, VIDEO_FIELDS } from './fragments.ts';
import type {
  DeleteVideoMutation,
  DeleteVideoMutationVariables,
  RenameVideoMutation,
  RenameVideoMutationVariables,
  VideoPageQuery,
  VideoPageQueryVariables,
  VideosQuery,
  VideosQueryVariables,
} from '../__generated__/graphql.ts';

/** One page of the team's videos, narrowed and sorted (the dashboard; "Load more" passes `after`). */
export const VIDEOS = operation<VideosQuery, VideosQueryVariables>(/* GraphQL */ `
  query Videos($teamId: ID!, $first: Int = 24, $after: String, $filter: VideoFilter, $sort: ListSort) {
    videos(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort) {
      nodes {
        ...VideoFields
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, VIDEO_FIELDS]);

export const VIDEO_PAGE = operation<VideoPageQuery, VideoPageQueryVariables>(/* GraphQL */ `
  query VideoPage($id: ID!, $after: String, $filter: ExplanationFilter, $sort: ListSort) {
    video(id: $id) {
      ...VideoFields
      teamId
      codec
      explanations(first: 50, after: $after, filter: $filter, sort: $sort) {
        nodes {
          ...ExplanationSummary
          ...ExplanationLabelFields
          target
          params
          progress
          error
          prediction
          createdAt
          finishedAt
          model {
            ...ModelSummary
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, VIDEO_FIELDS, EXPLANATION_SUMMARY, EXPLANATION_LABEL_FIELDS, MODEL_SUMMARY]);

export const RENAME_VIDEO = operation<RenameVideoMutation, RenameVideoMutationVariables>(/* GraphQL */ `
  mutation RenameVideo($id: ID!, $title: String!) {
    renameVideo(id: $id, title: $title) {
      id
      title
    }
  }
`);

export const DELETE_VIDEO = operation<DeleteVideoMutation, DeleteVideoMutationVariables>(/* GraphQL */ `
  mutation DeleteVideo($id: ID!) {
    deleteVideo(id: $id) {
      id
      deletedAt
    }
  }
`);
