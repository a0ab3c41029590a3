import { notificationChannel, type NotificationPing } from '@fep/shared';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { requireCaller } from '../auth/permissions.ts';
import type { ApiContext } from '../context.ts';
import * as notifications from './notifications.service.ts';

/**
 * Every operation acts on the caller's own notifications only (no team argument, no ids of other
 * users): the service filters by recipient and by the teams the caller is a member of now.
 */
export const notificationResolvers: Resolvers = {
  Query: {
    notifications: (_p, args, ctx) => notifications.listNotifications(ctx, requireCaller(ctx), args),
    unreadNotificationCount: (_p, _a, ctx) => notifications.unreadCount(ctx, requireCaller(ctx)),
  },
  Mutation: {
    markNotificationsRead: (_p, args, ctx) => notifications.markNotificationsRead(ctx, requireCaller(ctx), args),
  },
  Subscription: {
    notificationsChanged: {
      // The first event (the current count) is sent once Redis has confirmed the subscription,
      // so a client that received it knows every later change reaches it.
      subscribe: (_p, _a, ctx) => {
        const userId = requireCaller(ctx).userId;
        return notifications.liveChannel<NotificationPing>(ctx, notificationChannel(userId), { userId, notificationId: null });
      },
      resolve: async (ping: NotificationPing, _a: unknown, ctx: ApiContext) => {
        const caller = requireCaller(ctx);
        // The channel is the caller's own; the checks here are the same as the queries'.
        return {
          unreadCount: await notifications.unreadCount(ctx, caller),
          notification: await notifications.ownNotification(ctx, caller, ping.notificationId),
        };
      },
    },
  },
  Notification: {
    actor: (n, _a, ctx) => (n.actorId ? ctx.db.user.findUnique({ where: { id: n.actorId } }) : null),
    message: (n, _a, ctx) => notifications.messageOf(ctx, n),
    excerpt: (n) => notifications.dataOf(n).excerpt ?? null,
    href: (n, _a, ctx) => notifications.hrefOf(ctx, n),
  },
};
