import { operation } from '../graphql-client.ts';
import { withFragments } from '../graphql-fragments.ts';
import type {
  MarkNotificationsReadMutation,
  MarkNotificationsReadMutationVariables,
  NotificationsQuery,
  NotificationsQueryVariables,
  UnreadNotificationCountQuery,
  UnreadNotificationCountQueryVariables,
} from '../__generated__/graphql.ts';

/** One line of the bell's panel. */
export const NOTIFICATION_FIELDS = /* GraphQL */ `
  fragment NotificationFields on Notification {
    id
    kind
    message
    excerpt
    href
    createdAt
    readAt
  }
`;

export const NOTIFICATIONS = operation<NotificationsQuery, NotificationsQueryVariables>(/* GraphQL */ `
  query Notifications($first: Int, $after: String, $unreadOnly: Boolean) {
    unreadNotificationCount
    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
      nodes {
        ...NotificationFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`, [NOTIFICATION_FIELDS]);

export const UNREAD_NOTIFICATION_COUNT = operation<UnreadNotificationCountQuery, UnreadNotificationCountQueryVariables>(/* GraphQL */ `
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`);

export const MARK_NOTIFICATIONS_READ = operation<MarkNotificationsReadMutation, MarkNotificationsReadMutationVariables>(/* GraphQL */ `
  mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) {
    markNotificationsRead(ids: $ids, all: $all)
  }
`);

/** Over graphql-ws: the first event is the current count (sent once the subscription is live). */
export const NOTIFICATIONS_CHANGED = withFragments(/* GraphQL */ `
  subscription NotificationsChanged {
    notificationsChanged {
      unreadCount
      notification {
        ...NotificationFields
      }
    }
  }
`, [NOTIFICATION_FIELDS]);
