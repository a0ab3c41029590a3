import { operation } from '../graphql-client.ts';
import type { VideosQuery, VideosQueryVariables } from '../__generated__/graphql.ts';

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
