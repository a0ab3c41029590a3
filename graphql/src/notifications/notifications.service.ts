import { z } from 'zod';
import type { Notification, NotificationKind, Prisma } from '@fep/db';
import { notificationChannel, type NotificationPing } from '@fep/shared';
import { methodLabel } from '@fep/shared/methods';
import { can, type Permission } from '@fep/shared/permissions';
import type { ApiContext, Caller } from '../context.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';

/**
 * In-app notifications. Each row belongs to one recipient in one team; the recipient reads it
 * only while still a member of that team (and a team-restricted API token only its team's).
 * Rows are written in the transaction of what caused them (a comment, a study opening, an
 * explanation's finish — that one by the lifecycle module, prisma/src/explanation-lifecycle.ts);
 * after the commit a ping on `notificationChannel(userId)` (Redis pub/sub) tells the recipient's
 * open pages, whose `notificationsChanged` subscription then reads the new unread count.
 */

type Tx = Prisma.TransactionClient;

export interface NewNotification {
  teamId: string;
  actorId: string | null;
  kind: NotificationKind;
  subjectType: 'Comment' | 'ReviewComment' | 'Study' | 'Explanation';
  subjectId: string;
  data: { explanationId?: string | null; sessionId?: string; studyId?: string; commentId?: string; excerpt?: string };
}

/** Longest excerpt of a comment kept in a notification. */
export const EXCERPT_CHARS = 140;

export function excerptOf(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/**
 * Writes one notification per recipient (the actor never notifies themselves; duplicates are
 * dropped). Call it inside the transaction of the change; publish with `pingRecipients` after.
 */
export async function notify(tx: Tx, recipients: Iterable<string>, n: NewNotification): Promise<Pick<Notification, 'id' | 'userId'>[]> {
  const userIds = [...new Set(recipients)].filter((u) => u !== n.actorId);
  if (!userIds.length) return [];
  return tx.notification.createManyAndReturn({
    data: userIds.map((userId) => ({ ...n, userId, data: n.data as Prisma.InputJsonValue })),
    select: { id: true, userId: true },
  });
}

/**
 * The mentioned ids that are members of the team whose role may read what the comment is on
 * (`permission`), in the order given, without duplicates. Any other id (a user of another team, an
 * unknown id, a member who could not open the link) is dropped without a word, so a mention can
 * never tell the author whether some user exists.
 */
export async function teamMentions(ctx: ApiContext, teamId: string, ids: readonly string[] | null | undefined, permission: Permission): Promise<string[]> {
  const wanted = [...new Set(ids ?? [])];
  if (!wanted.length) return [];
  const members = await ctx.db.membership.findMany({ where: { teamId, userId: { in: wanted } }, select: { userId: true, role: true } });
  const allowed = new Set(members.filter((m) => can(m.role, permission)).map((m) => m.userId));
  return wanted.filter((u) => allowed.has(u));
}

/** Live delivery after the commit; a Redis outage delays the bell, never the change itself. */
export function pingRecipients(ctx: ApiContext, rows: Pick<Notification, 'id' | 'userId'>[]) {
  for (const r of rows) {
    const ping: NotificationPing = { userId: r.userId, notificationId: r.id };
    ctx.pubsub.publish(notificationChannel(r.userId), ping).catch((err: unknown) => console.error('[notifications] stored but not published', err));
  }
}

/**
 * The messages of one Redis pub/sub channel as an async iterator whose first value is `first`,
 * produced only after Redis confirmed the SUBSCRIBE: whoever sees it misses nothing published
 * afterwards. Unsubscribes when the client goes away.
 */
export function liveChannel<T>(ctx: ApiContext, channel: string, first: T): AsyncIterableIterator<T> {
  const queue: T[] = [first];
  const waiting: ((r: IteratorResult<T>) => void)[] = [];
  let done = false;
  const push = (m: T) => {
    const w = waiting.shift();
    if (w) w({ value: m, done: false });
    else queue.push(m);
  };
  const subscribed = ctx.pubsub.subscribe(channel, push);
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      ctx.pubsub.unsubscribe(await subscribed);
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  };
  return {
    async next() {
      await subscribed;
      if (done) return { value: undefined, done: true };
      if (queue.length) return { value: queue.shift()!, done: false };
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (err: unknown) => {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Teams whose notifications the caller may read now: current memberships, narrowed by a team-restricted token. */
async function readableTeams(ctx: ApiContext, caller: Caller): Promise<string[]> {
  const memberships = await ctx.db.membership.findMany({ where: { userId: caller.userId }, select: { teamId: true } });
  const teams = memberships.map((m) => m.teamId);
  return caller.tokenTeamId ? teams.filter((t) => t === caller.tokenTeamId) : teams;
}

async function mine(ctx: ApiContext, caller: Caller): Promise<Prisma.NotificationWhereInput> {
  return { userId: caller.userId, teamId: { in: await readableTeams(ctx, caller) } };
}

export async function listNotifications(ctx: ApiContext, caller: Caller, args: PageArgs & { unreadOnly?: boolean | null }) {
  const where = await mine(ctx, caller);
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.notification.findMany({
      where: { AND: [where, args.unreadOnly ? { readAt: null } : {}, p.where] },
      orderBy: p.orderBy,
      take: p.take,
    }),
  );
}

export async function unreadCount(ctx: ApiContext, caller: Caller): Promise<number> {
  return ctx.db.notification.count({ where: { AND: [await mine(ctx, caller), { readAt: null }] } });
}

/** One of the caller's notifications, or null (someone else's is null too). */
export async function ownNotification(ctx: ApiContext, caller: Caller, id: string | null | undefined) {
  if (!id) return null;
  return ctx.db.notification.findFirst({ where: { AND: [await mine(ctx, caller), { id }] } });
}

export const markReadSchema = z
  .object({ ids: z.array(z.string().min(1).max(100)).max(100).nullish(), all: z.boolean().nullish() })
  .refine((v) => v.all || (v.ids && v.ids.length > 0), { message: 'Name the notifications to mark read, or pass all: true.', path: ['ids'] });

/** Marks the caller's own notifications read; ids of anyone else's are ignored (nothing is revealed). */
export async function markNotificationsRead(ctx: ApiContext, caller: Caller, raw: unknown): Promise<number> {
  const input = markReadSchema.parse(raw);
  const where = await mine(ctx, caller);
  const { count } = await ctx.db.notification.updateMany({
    where: { AND: [where, { readAt: null }, input.all ? {} : { id: { in: input.ids ?? [] } }] },
    data: { readAt: new Date() },
  });
  if (count > 0) {
    const ping: NotificationPing = { userId: caller.userId, notificationId: null };
    ctx.pubsub.publish(notificationChannel(caller.userId), ping).catch((err: unknown) => console.error('[notifications] read but not published', err));
  }
  return count;
}

interface NotificationData {
  explanationId?: string | null;
  sessionId?: string;
  studyId?: string;
  commentId?: string;
  excerpt?: string;
}

export function dataOf(n: Notification): NotificationData {
  return (n.data ?? {}) as NotificationData;
}

/** What the explanation is, in words: "F-EP explanation of “clip.mp4”". */
async function explanationWords(ctx: ApiContext, explanationId: string | null | undefined): Promise<string> {
  if (!explanationId) return 'an explanation';
  const e = await ctx.db.explanation.findUnique({ where: { id: explanationId }, select: { method: true, video: { select: { title: true } } } });
  return e ? `${methodLabel(e.method)} explanation of “${e.video.title}”` : 'an explanation';
}

export async function messageOf(ctx: ApiContext, n: Notification): Promise<string> {
  const d = dataOf(n);
  const actor = n.actorId ? ((await ctx.db.user.findUnique({ where: { id: n.actorId }, select: { name: true } }))?.name ?? 'Someone') : null;
  switch (n.kind) {
    case 'MENTION':
      return n.subjectType === 'ReviewComment'
        ? `${actor} mentioned you in a live review`
        : `${actor} mentioned you in a comment on the ${await explanationWords(ctx, d.explanationId)}`;
    case 'REPLY':
      return `${actor} replied to your comment on the ${await explanationWords(ctx, d.explanationId)}`;
    case 'STUDY_ASSIGNED': {
      const s = await ctx.db.study.findUnique({ where: { id: n.subjectId }, select: { name: true } });
      return `${actor} made you a rater of the study “${s?.name ?? 'a study'}”`;
    }
    case 'EXPLANATION_DONE':
      return `Your ${await explanationWords(ctx, n.subjectId)} is done`;
    case 'EXPLANATION_FAILED':
      return `Your ${await explanationWords(ctx, n.subjectId)} failed`;
  }
}

export async function hrefOf(ctx: ApiContext, n: Notification): Promise<string> {
  const d = dataOf(n);
  const enc = encodeURIComponent;
  switch (n.subjectType) {
    case 'Comment':
      return `/explanations/${enc(d.explanationId ?? '')}#comment-${enc(n.subjectId)}`;
    case 'ReviewComment':
      return `/review/${enc(d.sessionId ?? '')}`;
    case 'Study':
      return `/studies/${enc(n.subjectId)}/rate`;
    default: {
      if (n.kind === 'EXPLANATION_FAILED') {
        const e = await ctx.db.explanation.findUnique({ where: { id: n.subjectId }, select: { videoId: true, teamId: true } });
        if (e) return `/videos/${enc(e.videoId)}?team=${enc(e.teamId)}`;
      }
      return `/explanations/${enc(n.subjectId)}`;
    }
  }
}
