import { operation } from '../graphql-client.ts';
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
      id
      title
      filename
      sizeBytes
      status
      error
      durationSec
      fps
      frameCount
      width
      height
      url
      createdAt
      uploadedBy {
        id
        name
      }
    }
  }
`);

export const VIDEO_PAGE = operation<VideoPageQuery, VideoPageQueryVariables>(/* GraphQL */ `
  query VideoPage($id: ID!) {
    video(id: $id) {
      id
      teamId
      title
      filename
      sizeBytes
      status
      error
      durationSec
      fps
      frameCount
      width
      height
      codec
      url
      createdAt
      uploadedBy {
        id
        name
      }
      explanations {
        id
        method
        target
        params
        status
        progress
        error
        prediction
        createdAt
        finishedAt
        model {
          id
          name
          version
        }
      }
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
