import { operation } from '../graphql-client.ts';
import { EXPLANATION_SUMMARY, MODEL_SUMMARY, VIDEO_FIELDS } from './fragments.ts';
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
    videos(teamId: $teamId) {
      ...VideoFields
    }
  }
`, [VIDEO_FIELDS]);

export const VIDEO_PAGE = operation<VideoPageQuery, VideoPageQueryVariables>(/* GraphQL */ `
  query VideoPage($id: ID!) {
    video(id: $id) {
      ...VideoFields
      teamId
      codec
      explanations {
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
    }
  }
`, [VIDEO_FIELDS, EXPLANATION_SUMMARY, MODEL_SUMMARY]);

export const DELETE_VIDEO = operation<DeleteVideoMutation, DeleteVideoMutationVariables>(/* GraphQL */ `
  mutation DeleteVideo($id: ID!) {
    deleteVideo(id: $id) {
      id
      deletedAt
    }
  }
`);
