import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Prisma, ReviewSession } from '@fep/db';
import { badInput, conflict, forbidden, notFound } from '@fep/shared';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';

/**
 * Live review sessions. The database holds the session row (host, explanations, playback, and
 * the summary once ended); the live parts — presence, comments and decisions while the session
 * runs — sit in Redis so that every API process sees the same state, and every change is
 * published through the Redis pub/sub (ctx.pubsub), never through process memory.
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
const key = (id: string, part: 'presence' | 'attendees' | 'comments' | 'decisions') => `fep:review:${id}:${part}`;

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
  explanationIds: z.array(id).min(1, 'Choose at least one explanation.').max(200),
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
});
export const decisionSchema = z.object({
  explanationId: id,
  verdict: z.enum(['ACCEPT', 'REJECT', 'NEEDS_WORK']),
  note: z.string().trim().max(5000).nullish(),
});

async function publish(ctx: ApiContext, event: ReviewEvent) {
  await ctx.pubsub.publish(reviewChannel(event.sessionId), event);
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
  const found = await ctx.db.explanation.count({ where: { id: { in: explanationIds }, teamId: input.teamId } });
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

export function listReviewSessions(ctx: ApiContext, teamId: string) {
  return ctx.db.reviewSession.findMany({ where: { teamId }, orderBy: { startedAt: 'desc' } });
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
  const comment: CommentEntry = {
    id: randomUUID(),
    explanationId: input.explanationId ?? null,
    author: await participant(ctx, s, caller.userId),
    body: input.body,
    timeSec: input.timeSec ?? null,
    createdAt: new Date().toISOString(),
  };
  await ctx.redis.rpush(key(s.id, 'comments'), JSON.stringify(comment));
  await ctx.redis.expire(key(s.id, 'comments'), LIVE_KEY_TTL_S);
  await publish(ctx, { __typename: 'ReviewCommentAdded', sessionId: s.id, comment });
  return comment;
}

export async function decideReviewExplanation(ctx: ApiContext, caller: Caller, sessionId: string, raw: unknown) {
  const input = decisionSchema.parse(raw);
  const s = await load(ctx, sessionId);
  assertLive(s);
  if (!s.explanationIds.includes(input.explanationId)) throw badInput('That explanation is not part of this session.');
  const decision: DecisionEntry = {
    explanationId: input.explanationId,
    verdict: input.verdict,
    note: input.note || null,
    decidedBy: await participant(ctx, s, caller.userId),
    decidedAt: new Date().toISOString(),
  };
  // One decision per explanation: a later one replaces the earlier (the summary keeps the last word).
  await ctx.redis.hset(key(s.id, 'decisions'), input.explanationId, JSON.stringify(decision));
  await ctx.redis.expire(key(s.id, 'decisions'), LIVE_KEY_TTL_S);
  await publish(ctx, { __typename: 'ReviewDecisionMade', sessionId: s.id, decision });
  return decision;
}

function summaryOf(s: ReviewSession): ReviewSummary | null {
  return (s.summary as unknown as ReviewSummary | null) ?? null;
}

export async function liveComments(ctx: ApiContext, s: ReviewSession): Promise<CommentEntry[]> {
  const ended = summaryOf(s);
  if (ended) return ended.comments;
  return (await ctx.redis.lrange(key(s.id, 'comments'), '0', '-1')).map((c) => JSON.parse(c) as CommentEntry);
}

export async function liveDecisions(ctx: ApiContext, s: ReviewSession): Promise<DecisionEntry[]> {
  const ended = summaryOf(s);
  if (ended) return ended.decisions;
  const all = await ctx.redis.hgetall(key(s.id, 'decisions'));
  const order = new Map(s.explanationIds.map((e, i) => [e, i]));
  return Object.values(all)
    .map((d) => JSON.parse(d) as DecisionEntry)
    .sort((a, b) => (order.get(a.explanationId) ?? 0) - (order.get(b.explanationId) ?? 0));
}

export async function endReviewSession(ctx: ApiContext, caller: Caller, sessionId: string) {
  const s = await load(ctx, sessionId);
  assertLive(s);
  assertHost(s, caller);
  const endedAt = new Date();
  const attendees = Object.values(await ctx.redis.hgetall(key(s.id, 'attendees')))
    .map((a) => JSON.parse(a) as AttendeeEntry)
    .sort((a, b) => a.firstJoinedAt.localeCompare(b.firstJoinedAt));
  const summary: ReviewSummary = {
    title: s.title,
    hostId: s.hostId,
    startedAt: s.startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    explanationIds: s.explanationIds,
    attendees,
    decisions: await liveDecisions(ctx, s),
    comments: await liveComments(ctx, s),
  };
  const ended = await ctx.db.$transaction(async (tx) => {
    // Only one end wins when two requests race: the status check is part of the update.
    const { count } = await tx.reviewSession.updateMany({
      where: { id: s.id, status: 'LIVE' },
      data: { status: 'ENDED', endedAt, summary: summary as unknown as Prisma.InputJsonValue },
    });
    if (count !== 1) throw conflict('This review session has ended.');
    await appendAuditEvent(tx, {
      teamId: s.teamId,
      actorId: caller.userId,
      action: 'review.ended',
      subjectType: 'ReviewSession',
      subjectId: s.id,
      payload: {
        attendees: attendees.map((a) => a.userId),
        decisions: summary.decisions.map((d) => ({ explanationId: d.explanationId, verdict: d.verdict, by: d.decidedBy.userId })),
        comments: summary.comments.length,
      },
    });
    return tx.reviewSession.findUniqueOrThrow({ where: { id: s.id } });
  });
  await ctx.redis.del(key(s.id, 'presence'), key(s.id, 'comments'), key(s.id, 'decisions'), key(s.id, 'attendees'));
  await publish(ctx, { __typename: 'ReviewSessionEnded', sessionId: s.id, summary });
  return ended;
}
