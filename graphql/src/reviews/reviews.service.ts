import { z } from 'zod';
import type { Prisma, ReviewSession } from '@fep/db';
import { badInput, conflict, forbidden, notFound } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { page, sortedPage, type PageArgs, type SortKey } from '../common/pagination.ts';
import { checkCommonFilter, checkEnum, checkSort, compact, contains, dateRange, sortKeys, type CommonFilter } from '../common/list-query.ts';
import { excerptOf, notify, pingRecipients, teamMentions } from '../notifications/notifications.service.ts';

/**
 * Live review sessions. PostgreSQL holds everything people submit: the session row (host,
 * explanations, playback, and the summary once ended), and every comment and decision
 * (ReviewComment, ReviewDecision), written — with its audit event — before it is published.
 * Redis holds only what is ephemeral by nature: presence (heartbeats) and the attendee list, so
 * that every API process sees who is here; every change is published through the Redis pub/sub
 * (ctx.pubsub), never through process memory. A Redis restart loses presence, nothing else.
 */

/** Clients send a heartbeat this often while the session page is open. */
export const HEARTBEAT_MS = 10_000;
/**
 * A participant counts as present while their last heartbeat is younger than this: three missed
 * heartbeats (the same 3× rule graphql-ws/Apollo use for keep-alive timeouts).
 */
export const PRESENCE_TTL_MS = 3 * HEARTBEAT_MS;
/** Live keys expire a week after the last write, so abandoned sessions leave nothing behind. */
export const LIVE_KEY_TTL_S = 7 * 24 * 3600;

export const reviewChannel = (id: string) => `fep:review:${id}:events`;
/** `comments` and `decisions` are only read, to adopt what an earlier version kept there (adoptRedisState). */
const key = (id: string, part: 'presence' | 'attendees' | 'comments' | 'decisions') => `fep:review:${id}:${part}`;

type Tx = Prisma.TransactionClient;

export interface Participant {
  userId: string;
  name: string;
  isHost: boolean;
}
export interface PlaybackState {
  explanationId: string | null;
  playing: boolean;
  timeSec: number;
  updatedAt: string;
}
export interface CommentEntry {
  id: string;
  explanationId: string | null;
  author: Participant;
  body: string;
  /** Mentioned team members (absent in summaries saved before mentions existed). */
  mentions?: Participant[];
  timeSec: number | null;
  createdAt: string;
}
export interface DecisionEntry {
  explanationId: string;
  verdict: 'ACCEPT' | 'REJECT' | 'NEEDS_WORK';
  note: string | null;
  decidedBy: Participant;
  decidedAt: string;
}
export interface AttendeeEntry extends Participant {
  firstJoinedAt: string;
  lastSeenAt: string;
}
export interface ReviewSummary {
  title: string;
  hostId: string;
  startedAt: string;
  endedAt: string;
  explanationIds: string[];
  attendees: AttendeeEntry[];
  decisions: DecisionEntry[];
  /** Other participants' latest votes (absent in summaries saved before votes were kept apart). */
  votes?: DecisionEntry[];
  comments: CommentEntry[];
}

export type ReviewEvent =
  | { __typename: 'ReviewPresenceChanged'; sessionId: string; present: Participant[] }
  | { __typename: 'ReviewPlaybackChanged'; sessionId: string; playback: PlaybackState }
  | { __typename: 'ReviewCommentAdded'; sessionId: string; comment: CommentEntry }
  | { __typename: 'ReviewDecisionMade'; sessionId: string; decision: DecisionEntry }
  | { __typename: 'ReviewSessionEnded'; sessionId: string; summary: ReviewSummary };

const id = z.string().min(1).max(100);
export const startSchema = z.object({
  teamId: id,
  title: z.string().trim().min(1, 'Give the session a title.').max(200),
  explanationIds: z.array(id).min(1, 'Choose at least one explanation.').max(100, 'A live review holds at most 100 explanations.'),
});
export const playbackSchema = z.object({
  explanationId: id.nullish(),
  playing: z.boolean(),
  timeSec: z.number().min(0).max(24 * 3600),
});
export const commentSchema = z.object({
  explanationId: id.nullish(),
  body: z.string().trim().min(1, 'Write a comment.').max(5000),
  timeSec: z.number().min(0).max(24 * 3600).nullish(),
  mentions: z.array(id).max(50).nullish(),
});
export const decisionSchema = z.object({
  explanationId: id,
  verdict: z.enum(['ACCEPT', 'REJECT', 'NEEDS_WORK']),
  note: z.string().trim().max(5000).nullish(),
});

async function publish(ctx: ApiContext, event: ReviewEvent) {
  await ctx.pubsub.publish(reviewChannel(event.sessionId), event);
}

/**
 * Live delivery of something already committed to the database. Not awaited: the Redis client
 * queues commands while Redis is unreachable (maxRetriesPerRequest: null), and the submitter must
 * not wait for — or fail because of — delivery of a comment that is already stored. Commands on
 * one connection keep their order, so events from one process still arrive in order.
 */
function publishStored(ctx: ApiContext, event: ReviewEvent) {
  publish(ctx, event).catch((err: unknown) => console.error(`[reviews] ${event.__typename} stored but not published`, err));
}

/**
 * Locks the session row for the rest of the transaction and checks that it is still live.
 * Comments and decisions take KEY SHARE (they do not block each other, nor playback updates);
 * ending takes FOR UPDATE, so it waits for comments and decisions in flight (its summary includes
 * them) and any that arrive later find the session ENDED.
 */
async function lockLiveSession(tx: Tx, sessionId: string, mode: 'share' | 'end') {
  const rows =
    mode === 'end'
      ? await tx.$queryRaw<{ status: string }[]>`SELECT "status"::text AS status FROM "ReviewSession" WHERE "id" = ${sessionId} FOR UPDATE`
      : await tx.$queryRaw<{ status: string }[]>`SELECT "status"::text AS status FROM "ReviewSession" WHERE "id" = ${sessionId} FOR KEY SHARE`;
  if (rows[0]?.status !== 'LIVE') throw conflict('This review session has ended.');
}

export async function getReviewTeam(ctx: ApiContext, sessionId: string): Promise<string | null> {
  const row = await ctx.db.reviewSession.findUnique({ where: { id: sessionId }, select: { teamId: true } });
  return row?.teamId ?? null;
}

async function load(ctx: ApiContext, sessionId: string): Promise<ReviewSession> {
  const s = await ctx.db.reviewSession.findUnique({ where: { id: sessionId } });
  if (!s) throw notFound('Review session');
  return s;
}

function assertLive(s: ReviewSession) {
  if (s.status !== 'LIVE') throw conflict('This review session has ended.');
}

function assertHost(s: ReviewSession, caller: Caller) {
  if (s.hostId !== caller.userId) throw forbidden('Only the host can do this.');
}

async function participant(ctx: ApiContext, s: ReviewSession, userId: string): Promise<Participant> {
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: userId }, select: { name: true } });
  return { userId, name: user.name, isHost: s.hostId === userId };
}

export async function startReviewSession(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = startSchema.parse(raw);
  const explanationIds = [...new Set(input.explanationIds)];
  // Explanations of a deleted video (deleteVideo) are out of the team's lists and cannot be reviewed.
  const found = await ctx.db.explanation.count({ where: { id: { in: explanationIds }, teamId: input.teamId, deletedAt: null } });
  if (found !== explanationIds.length) throw badInput('Some explanations are not in this team.', { explanationIds: 'unknown explanation' });
  return ctx.db.$transaction(async (tx) => {
    const s = await tx.reviewSession.create({
      data: {
        teamId: input.teamId,
        hostId: caller.userId,
        title: input.title,
        explanationIds,
        playback: { explanationId: explanationIds[0]!, playing: false, timeSec: 0, updatedAt: new Date().toISOString() },
      },
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId,
      actorId: caller.userId,
      action: 'review.started',
      subjectType: 'ReviewSession',
      subjectId: s.id,
      payload: { title: s.title, explanationIds },
    });
    return s;
  });
}

/** What the review session list may be narrowed by (ReviewSessionFilter in the SDL). */
export interface ReviewSessionFilter extends CommonFilter {
  status?: string | null;
}

/** Sessions by start time (NEWEST, OLDEST) or title (NAME); `authorId` is the host. */
export function listReviewSessions(ctx: ApiContext, teamId: string, args: PageArgs & { filter?: ReviewSessionFilter | null; sort?: string | null }) {
  const common = checkCommonFilter(args.filter);
  const status = checkEnum('status', args.filter?.status, ['LIVE', 'ENDED'] as const);
  const sort = checkSort(args.sort);
  const where: Prisma.ReviewSessionWhereInput = compact({
    teamId,
    status: status ?? undefined,
    hostId: common.authorId ?? undefined,
    startedAt: dateRange(common),
    title: common.search ? contains(common.search) : undefined,
  });
  return sortedPage(args, sort, sortKeys(sort, { date: 'startedAt', name: 'title' }), (p) =>
    ctx.db.reviewSession.findMany({ where: { AND: [where, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

export function getReviewSession(ctx: ApiContext, sessionId: string) {
  return ctx.db.reviewSession.findUnique({ where: { id: sessionId } });
}

/** Drops participants whose heartbeat is older than PRESENCE_TTL_MS; true when someone was dropped. */
async function prune(ctx: ApiContext, sessionId: string, now = Date.now()): Promise<boolean> {
  const removed = await ctx.redis.zremrangebyscore(key(sessionId, 'presence'), '-inf', `(${now - PRESENCE_TTL_MS}`);
  return removed > 0;
}

export async function presentParticipants(ctx: ApiContext, sessionId: string): Promise<Participant[]> {
  await prune(ctx, sessionId);
  const ids = await ctx.redis.zrange(key(sessionId, 'presence'), '0', '-1');
  if (!ids.length) return [];
  const rows = await ctx.redis.hmget(key(sessionId, 'attendees'), ...ids);
  return rows
    .filter((r): r is string => !!r)
    .map((r) => {
      const a = JSON.parse(r) as AttendeeEntry;
      return { userId: a.userId, name: a.name, isHost: a.isHost };
    })
    .sort((a, b) => Number(b.isHost) - Number(a.isHost) || a.name.localeCompare(b.name));
}

async function touch(ctx: ApiContext, s: ReviewSession, caller: Caller): Promise<boolean> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const added = await ctx.redis.zadd(key(s.id, 'presence'), String(now), caller.userId);
  const attendees = key(s.id, 'attendees');
  const prev = await ctx.redis.hget(attendees, caller.userId);
  const base: AttendeeEntry = prev
    ? (JSON.parse(prev) as AttendeeEntry)
    : { ...(await participant(ctx, s, caller.userId)), firstJoinedAt: nowIso, lastSeenAt: nowIso };
  await ctx.redis.hset(attendees, caller.userId, JSON.stringify({ ...base, lastSeenAt: nowIso }));
  await Promise.all((['presence', 'attendees'] as const).map((p) => ctx.redis.expire(key(s.id, p), LIVE_KEY_TTL_S)));
  return Number(added) > 0;
}

async function publishPresence(ctx: ApiContext, sessionId: string) {
  await publish(ctx, { __typename: 'ReviewPresenceChanged', sessionId, present: await presentParticipants(ctx, sessionId) });
}

export async function joinReviewSession(ctx: ApiContext, caller: Caller, sessionId: string) {
  const s = await load(ctx, sessionId);
  // An ended session stays readable (its summary); joining it marks no presence.
  if (s.status === 'LIVE') {
    await adoptRedisState(ctx, s);
    await touch(ctx, s, caller);
    await publishPresence(ctx, s.id);
  }
  return s;
}

export async function leaveReviewSession(ctx: ApiContext, caller: Caller, sessionId: string) {
  const s = await load(ctx, sessionId);
  const removed = await ctx.redis.zrem(key(s.id, 'presence'), caller.userId);
  if (removed > 0) await publishPresence(ctx, s.id);
  return true;
}

export async function reviewHeartbeat(ctx: ApiContext, caller: Caller, sessionId: string) {
  const s = await load(ctx, sessionId);
  assertLive(s);
  const dropped = await prune(ctx, s.id);
  const isNew = await touch(ctx, s, caller);
  if (dropped || isNew) await publishPresence(ctx, s.id);
  return true;
}

export function playbackOf(s: ReviewSession): PlaybackState | null {
  return (s.playback as unknown as PlaybackState | null) ?? null;
}

export async function setReviewPlayback(ctx: ApiContext, caller: Caller, sessionId: string, raw: unknown) {
  const input = playbackSchema.parse(raw);
  const s = await load(ctx, sessionId);
  assertLive(s);
  assertHost(s, caller);
  const explanationId = input.explanationId ?? playbackOf(s)?.explanationId ?? s.explanationIds[0] ?? null;
  if (explanationId && !s.explanationIds.includes(explanationId)) throw badInput('That explanation is not part of this session.');
  const playback: PlaybackState = { explanationId, playing: input.playing, timeSec: input.timeSec, updatedAt: new Date().toISOString() };
  await ctx.db.reviewSession.update({ where: { id: s.id }, data: { playback: playback as unknown as Prisma.InputJsonValue } });
  await publish(ctx, { __typename: 'ReviewPlaybackChanged', sessionId: s.id, playback });
  return playback;
}

export async function addReviewComment(ctx: ApiContext, caller: Caller, sessionId: string, raw: unknown) {
  const input = commentSchema.parse(raw);
  const s = await load(ctx, sessionId);
  assertLive(s);
  if (input.explanationId && !s.explanationIds.includes(input.explanationId)) throw badInput('That explanation is not part of this session.');
  const mentions = await teamMentions(ctx, s.teamId, input.mentions, 'review.join');
  const names = await mentionNames(ctx, mentions);
  // Stored (and audited) first; only a committed comment is published.
  const { comment, notified } = await ctx.db.$transaction(async (tx) => {
    await lockLiveSession(tx, s.id, 'share');
    const row = await tx.reviewComment.create({
      data: { sessionId: s.id, authorId: caller.userId, explanationId: input.explanationId ?? null, body: input.body, timeSec: input.timeSec ?? null, mentions },
      include: { author: { select: { name: true } } },
    });
    await appendAuditEvent(tx, {
      teamId: s.teamId,
      actorId: caller.userId,
      action: 'review.comment_added',
      subjectType: 'ReviewComment',
      subjectId: row.id,
      payload: { sessionId: s.id, explanationId: row.explanationId, timeSec: row.timeSec, body: row.body, mentions },
    });
    const notified = await notify(tx, mentions, {
      teamId: s.teamId,
      actorId: caller.userId,
      kind: 'MENTION',
      subjectType: 'ReviewComment',
      subjectId: row.id,
      data: { sessionId: s.id, explanationId: row.explanationId, excerpt: excerptOf(row.body) },
    });
    return { comment: commentEntry(s, row, names), notified };
  });
  pingRecipients(ctx, notified);
  publishStored(ctx, { __typename: 'ReviewCommentAdded', sessionId: s.id, comment });
  return comment;
}

export async function decideReviewExplanation(ctx: ApiContext, caller: Caller, sessionId: string, raw: unknown) {
  const input = decisionSchema.parse(raw);
  const s = await load(ctx, sessionId);
  assertLive(s);
  if (!s.explanationIds.includes(input.explanationId)) throw badInput('That explanation is not part of this session.');
  const decision = await ctx.db.$transaction(async (tx) => {
    await lockLiveSession(tx, s.id, 'share');
    // Decisions of one session are serialised, so `seq` order is commit order: the latest per
    // explanation (the one that counts) is the one committed — and published — last.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'review-decisions:' + s.id}))`;
    const row = await tx.reviewDecision.create({
      data: { sessionId: s.id, explanationId: input.explanationId, decidedById: caller.userId, verdict: input.verdict, note: input.note || null },
      include: { decidedBy: { select: { name: true } } },
    });
    await appendAuditEvent(tx, {
      teamId: s.teamId,
      actorId: caller.userId,
      action: 'review.decided',
      subjectType: 'ReviewDecision',
      subjectId: row.id,
      payload: { sessionId: s.id, explanationId: row.explanationId, verdict: row.verdict, note: row.note },
    });
    return decisionEntry(s, row);
  });
  publishStored(ctx, { __typename: 'ReviewDecisionMade', sessionId: s.id, decision });
  return decision;
}

type CommentRow = Prisma.ReviewCommentGetPayload<{ include: { author: { select: { name: true } } } }>;
type DecisionRow = Prisma.ReviewDecisionGetPayload<{ include: { decidedBy: { select: { name: true } } } }>;

async function mentionNames(ctx: ApiContext | { db: Tx }, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const users = await ctx.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

function commentEntry(s: ReviewSession, c: CommentRow, names: Map<string, string>): CommentEntry {
  return {
    id: c.id,
    explanationId: c.explanationId,
    author: { userId: c.authorId, name: c.author.name, isHost: c.authorId === s.hostId },
    body: c.body,
    mentions: (c.mentions ?? []).flatMap((u) => (names.has(u) ? [{ userId: u, name: names.get(u)!, isHost: u === s.hostId }] : [])),
    timeSec: c.timeSec,
    createdAt: c.createdAt.toISOString(),
  };
}

function decisionEntry(s: ReviewSession, d: DecisionRow): DecisionEntry {
  return {
    explanationId: d.explanationId,
    verdict: d.verdict,
    note: d.note,
    decidedBy: { userId: d.decidedById, name: d.decidedBy.name, isHost: d.decidedById === s.hostId },
    decidedAt: d.createdAt.toISOString(),
  };
}

function storedComments(db: Tx, s: ReviewSession): Promise<CommentRow[]> {
  return db.reviewComment.findMany({
    where: { sessionId: s.id },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { author: { select: { name: true } } },
  });
}

/** Every decision of the session in the order they were made (history; the last per explanation counts). */
function storedDecisions(db: Tx, s: ReviewSession): Promise<DecisionRow[]> {
  return db.reviewDecision.findMany({ where: { sessionId: s.id }, orderBy: { seq: 'asc' }, include: { decidedBy: { select: { name: true } } } });
}

/**
 * The decision that counts per explanation, in the session's explanation order: the host's latest;
 * where the host has not decided, the latest vote of another participant. A participant's vote
 * never replaces the host's decision, whenever it is made.
 */
function currentDecisions(s: ReviewSession, history: DecisionRow[]): DecisionEntry[] {
  const host = new Map<string, DecisionRow>();
  const latest = new Map<string, DecisionRow>();
  for (const d of history) {
    latest.set(d.explanationId, d);
    if (d.decidedById === s.hostId) host.set(d.explanationId, d);
  }
  return inSessionOrder(s, [...latest.keys()].map((e) => host.get(e) ?? latest.get(e)!));
}

/** Each participant's (not the host's) latest vote per explanation, in the session's explanation order, oldest vote first. */
function currentVotes(s: ReviewSession, history: DecisionRow[]): DecisionEntry[] {
  const latest = new Map<string, DecisionRow>();
  for (const d of history) if (d.decidedById !== s.hostId) latest.set(`${d.explanationId}\u0000${d.decidedById}`, d);
  return inSessionOrder(s, [...latest.values()]);
}

function inSessionOrder(s: ReviewSession, rows: DecisionRow[]): DecisionEntry[] {
  const order = new Map(s.explanationIds.map((e, i) => [e, i]));
  return rows
    .sort((a, b) => (order.get(a.explanationId) ?? 0) - (order.get(b.explanationId) ?? 0) || a.seq - b.seq)
    .map((d) => decisionEntry(s, d));
}

function summaryOf(s: ReviewSession): ReviewSummary | null {
  return (s.summary as unknown as ReviewSummary | null) ?? null;
}

/** Comments of a session: from the tables while live, from the saved summary once ended. */
export async function sessionComments(ctx: ApiContext, s: ReviewSession): Promise<CommentEntry[]> {
  const ended = summaryOf(s);
  if (ended) return ended.comments;
  return commentEntries(ctx.db, s, await storedComments(ctx.db, s));
}

async function commentEntries(db: Tx, s: ReviewSession, rows: CommentRow[]): Promise<CommentEntry[]> {
  const names = await mentionNames({ db }, [...new Set(rows.flatMap((c) => c.mentions ?? []))]);
  return rows.map((c) => commentEntry(s, c, names));
}

/** Participants' votes (never the host's): from the tables while live, from the summary once ended. */
export async function sessionVotes(ctx: ApiContext, s: ReviewSession): Promise<DecisionEntry[]> {
  const ended = summaryOf(s);
  if (ended) return ended.votes ?? [];
  return currentVotes(s, await storedDecisions(ctx.db, s));
}

/** Decisions that count (the latest per explanation): from the tables while live, from the summary once ended. */
export async function sessionDecisions(ctx: ApiContext, s: ReviewSession): Promise<DecisionEntry[]> {
  const ended = summaryOf(s);
  if (ended) return ended.decisions;
  return currentDecisions(s, await storedDecisions(ctx.db, s));
}

/**
 * Attendees: everyone who joined (kept in Redis with presence), plus everyone who commented or
 * decided — the tables are the durable proof of attendance when Redis lost the list.
 */
function attendeesOf(s: ReviewSession, joined: AttendeeEntry[], comments: CommentRow[], decisions: DecisionRow[]): AttendeeEntry[] {
  const byId = new Map(joined.map((a) => [a.userId, { ...a }]));
  const acts = [
    ...comments.map((c) => ({ userId: c.authorId, name: c.author.name, at: c.createdAt.toISOString() })),
    ...decisions.map((d) => ({ userId: d.decidedById, name: d.decidedBy.name, at: d.createdAt.toISOString() })),
  ];
  for (const act of acts) {
    const a = byId.get(act.userId);
    if (!a) byId.set(act.userId, { userId: act.userId, name: act.name, isHost: act.userId === s.hostId, firstJoinedAt: act.at, lastSeenAt: act.at });
    else {
      if (act.at < a.firstJoinedAt) a.firstJoinedAt = act.at;
      if (act.at > a.lastSeenAt) a.lastSeenAt = act.at;
    }
  }
  return [...byId.values()].sort((a, b) => a.firstJoinedAt.localeCompare(b.firstJoinedAt) || a.userId.localeCompare(b.userId));
}

/**
 * Versions before the ReviewComment/ReviewDecision tables kept a live session's comments and
 * decisions in Redis (`comments` list, `decisions` hash). A session that was live across the
 * upgrade gets them moved into the tables the next time someone joins or the host ends it, so
 * nothing typed before the upgrade is lost. Idempotent (comment ids are kept, decision ids are
 * derived), safe when two processes race. A legacy decision on an explanation that already has a
 * decision in the table is older than it (it predates the upgrade) and is not adopted.
 */
async function adoptRedisState(ctx: ApiContext, s: ReviewSession) {
  const [comments, decisions] = await Promise.all([
    ctx.redis.lrange(key(s.id, 'comments'), '0', '-1'),
    ctx.redis.hgetall(key(s.id, 'decisions')),
  ]);
  if (!comments.length && !Object.keys(decisions).length) return;
  const legacyComments = comments.map((c) => JSON.parse(c) as CommentEntry);
  const legacyDecisions = Object.values(decisions)
    .map((d) => JSON.parse(d) as DecisionEntry)
    .sort((a, b) => a.decidedAt.localeCompare(b.decidedAt));
  await ctx.db.$transaction(async (tx) => {
    await lockLiveSession(tx, s.id, 'share');
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'review-decisions:' + s.id}))`;
    await tx.reviewComment.createMany({
      data: legacyComments.map((c) => ({
        id: c.id,
        sessionId: s.id,
        authorId: c.author.userId,
        explanationId: c.explanationId,
        body: c.body,
        timeSec: c.timeSec,
        createdAt: new Date(c.createdAt),
      })),
      skipDuplicates: true,
    });
    const decided = new Set((await tx.reviewDecision.findMany({ where: { sessionId: s.id }, select: { explanationId: true } })).map((d) => d.explanationId));
    await tx.reviewDecision.createMany({
      data: legacyDecisions
        .filter((d) => !decided.has(d.explanationId))
        .map((d) => ({
          id: `legacy-${s.id}-${d.explanationId}`,
          sessionId: s.id,
          explanationId: d.explanationId,
          decidedById: d.decidedBy.userId,
          verdict: d.verdict,
          note: d.note,
          createdAt: new Date(d.decidedAt),
        })),
      skipDuplicates: true,
    });
  });
  await ctx.redis.del(key(s.id, 'comments'), key(s.id, 'decisions'));
}

export async function endReviewSession(ctx: ApiContext, caller: Caller, sessionId: string) {
  const s = await load(ctx, sessionId);
  assertLive(s);
  assertHost(s, caller);
  await adoptRedisState(ctx, s);
  const joined = Object.values(await ctx.redis.hgetall(key(s.id, 'attendees'))).map((a) => JSON.parse(a) as AttendeeEntry);
  const { ended, summary } = await ctx.db.$transaction(async (tx) => {
    // Only one end wins when two requests race, and comments or decisions in flight finish first:
    // the summary is read under the row lock, so it holds everything that was stored.
    await lockLiveSession(tx, s.id, 'end');
    const endedAt = new Date();
    const comments = await storedComments(tx, s);
    const history = await storedDecisions(tx, s);
    const summary: ReviewSummary = {
      title: s.title,
      hostId: s.hostId,
      startedAt: s.startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      explanationIds: s.explanationIds,
      attendees: attendeesOf(s, joined, comments, history),
      decisions: currentDecisions(s, history),
      votes: currentVotes(s, history),
      comments: await commentEntries(tx, s, comments),
    };
    const ended = await tx.reviewSession.update({
      where: { id: s.id },
      data: { status: 'ENDED', endedAt, summary: summary as unknown as Prisma.InputJsonValue },
    });
    await appendAuditEvent(tx, {
      teamId: s.teamId,
      actorId: caller.userId,
      action: 'review.ended',
      subjectType: 'ReviewSession',
      subjectId: s.id,
      payload: {
        attendees: summary.attendees.map((a) => a.userId),
        decisions: summary.decisions.map((d) => ({ explanationId: d.explanationId, verdict: d.verdict, by: d.decidedBy.userId })),
        comments: summary.comments.length,
      },
    });
    return { ended, summary };
  });
  await ctx.redis.del(key(s.id, 'presence'), key(s.id, 'attendees'));
  await publish(ctx, { __typename: 'ReviewSessionEnded', sessionId: s.id, summary });
  return ended;
}
