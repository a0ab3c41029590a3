import { operation } from '../graphql-client.ts';
import { EXPLANATION_SUMMARY, MODEL_SUMMARY, PAGE_INFO_FIELDS, VIDEO_FIELDS } from './fragments.ts';
import type {
  DeleteVideoMutation,
  DeleteVideoMutationVariables,
  VideoPageQuery,
  VideoPageQueryVariables,
  VideosQuery,
  VideosQueryVariables,
} from '../__generated__/graphql.ts';

export const VIDEOS = operation<VideosQuery, VideosQueryVariables>(/* GraphQL */ `
  query Videos($teamId: ID!) {
    videos(teamId: $teamId, first: 100) {
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
  query VideoPage($id: ID!) {
    video(id: $id) {
      ...VideoFields
      teamId
      codec
      explanations(first: 50) {
        nodes {
          ...ExplanationSummary
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
`, [PAGE_INFO_FIELDS, VIDEO_FIELDS, EXPLANATION_SUMMARY, MODEL_SUMMARY]);

export const DELETE_VIDEO = operation<DeleteVideoMutation, DeleteVideoMutationVariables>(/* GraphQL */ `
  mutation DeleteVideo($id: ID!) {
    deleteVideo(id: $id) {
      id
      deletedAt
    }
  }
`);
