import { randomBytes } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
} from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressChannel } from '@fep/shared';
import { buildSchema } from './schema.ts';
import { startTestApi, type GqlResult, type TestApi, type TestClient } from './testing/test-api.ts';

/**
 * Cross-team isolation, schema-wide (nothing of one team is visible to another); the
 * counterpart of schema-access.test.ts. Teams A and B each hold one object of every kind. B's
 * OWNER — the most powerful role — and an ADMIN-scoped API token restricted to team B call every
 * query, mutation and subscription that takes a team-scoped id, with A's ids substituted.
 *
 * The schema is walked, not listed: every ID argument (and every ID field of an input object,
 * required or optional) is a *slot* whose kind (team, video, …) comes from its name or the
 * field's return type. Per operation the probes are
 *   - "all A": every slot holds A's object;
 *   - one probe per slot when there are several: that slot holds A's object (lists: B's then A's)
 *     and the other required slots B's — the confused-deputy case (B's team, A's video);
 *   - afterwards each probe's twin, the same call with B's object where the probe has A's, which
 *     must get past the lookup (no NOT_FOUND, FORBIDDEN or BAD_USER_INPUT), so a refusal of the
 *     probe is caused by A's id and not by an argument the probe got wrong.
 * Each probe must be refused with NOT_FOUND or FORBIDDEN (BAD_USER_INPUT counted apart; the twin
 * proves it is not hiding a success). Three commented exceptions: EMPTY_FILTER_SLOTS (a list filter
 * answers an empty page, identical to the answer for an unknown id), DEFERRED_SLOTS (a stored
 * id checked later; the later check is exercised) and DROPPED_SLOTS (an id the call drops without a
 * word, exactly like an unknown one; the row snapshot proves it was not stored). No response may contain any of A's ids or names. Every row of the database is snapshotted before and after the probes: no
 * row that mentions one of A's ids (A's rows, A's audit chain, a row elsewhere pointing at A) may
 * change, appear or disappear.
 *
 * A field with neither a slot nor an entry in NO_TEAM_SCOPED_ID fails the coverage test, and so
 * does a slot whose kind is unknown: a new field is covered or reported automatically.
 */

type Kind =
  | 'team'
  | 'user'
  | 'video'
  | 'model'
  | 'explanation'
  | 'annotation'
  | 'comment'
  | 'rating'
  | 'study'
  | 'draftStudy'
  | 'studyItem'
  | 'studyRef'
  | 'reviewSession'
  | 'invitation'
  | 'apiToken'
  | 'auditReport';

/**
 * Root fields that take no team-scoped id, with the reason. They are still called (the queries,
 * by B) and their answers scanned for A's ids and names where that is safe to do.
 */
const NO_TEAM_SCOPED_ID: Record<string, string> = {
  'Query.health': 'public liveness check, no arguments',
  'Query.viewer': "the caller's own user and memberships",
  'Query.apiTokens': "the caller's own tokens",
  'Query.teams': "the caller's own teams",
  'Mutation._noop': 'placeholder',
  'Mutation.signUp': 'creates a new account; no ids',
  'Mutation.login': 'email + password; no ids',
  'Mutation.logout': "ends the caller's own session",
  'Mutation.createTeam': 'creates a new team owned by the caller; no ids',
  'Mutation.acceptInvitation':
    "takes a secret token, not an id; bound to the invitee's email — probed below with A's real token (FORBIDDEN for B)",
  'Subscription._noop': 'placeholder',
  'Query.notifications': "the caller's own notifications (recipient = caller, teams = the caller's memberships)",
  'Query.unreadNotificationCount': "the count of the caller's own unread notifications",
  'Subscription.notificationsChanged': "the caller's own notification channel; no arguments",
  'Mutation.markNotificationsRead': "marks only the caller's own notifications; ids of anyone else's match nothing",
  'Query.invitationPreview': 'takes a secret token, not an id; answers null for any token that could not be accepted',
  'Mutation.updateProfile': "renames the caller's own account; no ids",
  'Mutation.changePassword': "the caller's own password (current password required); no ids",
  'Mutation.resetPassword': 'takes a secret reset token, not an id; an unknown token is BAD_USER_INPUT (auth/account.service.test.ts)',
};

/** Allow-listed queries that are called by B and scanned (they need no arguments). */
const SCANNED_WITHOUT_IDS = ['Query.viewer', 'Query.apiTokens', 'Query.teams', 'Query.notifications', 'Query.unreadNotificationCount'];

/** ID-typed input fields that do not name a team-scoped object. */
const NOT_TEAM_SCOPED_SLOTS: Record<string, string> = {
  'Mutation.markNotificationsRead.ids': "the caller's own notification ids; another user's match nothing (notifications.service.test.ts)",
  'Mutation.submitStudyJudgement.input.ranking': "aliases valid only inside the caller's own assignment (A's are never exposed to B)",
  'Query.auditEvents.actorId': "a filter over the caller's own team's chain: any user id only narrows B's events (A's people act in A's chain)",
};

/** Slot kinds by argument/input field name. */
const KIND_BY_NAME: Record<string, Kind> = {
  teamId: 'team',
  userId: 'user',
  raterId: 'user',
  raterIds: 'user',
  mentions: 'user',
  authorId: 'user',
  videoId: 'video',
  videoIds: 'video',
  modelId: 'model',
  explanationId: 'explanation',
  explanationIds: 'explanation',
  parentId: 'comment',
  studyId: 'study',
  itemIds: 'studyItem',
  ref: 'studyRef',
};

/** Kind of a root field's `id` argument, by the field's return type… */
const KIND_BY_RETURN_TYPE: Record<string, Kind> = {
  Team: 'team',
  Video: 'video',
  Model: 'model',
  Explanation: 'explanation',
  ProvenanceVerification: 'explanation',
  ExplanationProgress: 'explanation',
  Annotation: 'annotation',
  Comment: 'comment',
  Study: 'study',
  ReviewSession: 'reviewSession',
  ReviewPlayback: 'reviewSession',
  ReviewComment: 'reviewSession',
  ReviewDecision: 'reviewSession',
  ReviewSessionEvent: 'reviewSession',
  Invitation: 'invitation',
  ApiToken: 'apiToken',
};
/** …or, where the return type does not say (Boolean), by the field. */
const KIND_OF_ID_ARG: Record<string, Kind> = {
  'Mutation.leaveReviewSession': 'reviewSession',
  'Mutation.reviewHeartbeat': 'reviewSession',
  // These change a study's protocol, which is frozen once it is open: probed on DRAFT studies, so
  // that B's control gets past the lookup instead of stopping at CONFLICT.
  'Mutation.updateStudy': 'draftStudy',
  'Mutation.setStudyAssignment': 'draftStudy',
  'Mutation.openStudy': 'draftStudy',
  'Mutation.deleteStudy': 'draftStudy',
};

/**
 * Slots checked later by design, where the probe may succeed without revealing anything of A: the
 * value is only stored, and the check that matters runs before it is used. `verify` proves that.
 */
const DEFERRED_SLOTS: Record<string, { why: string; verify: (created: any) => Promise<void> }> = {
  // Raters of a DRAFT study are ids in its configuration; membership (and the role that may take
  // part) is checked when the study opens, since roles can change in between.
  'Mutation.createStudy.input.raterIds': { why: 'raters are checked for membership when the study opens', verify: (data) => refusedToOpen(data.createStudy.id) },
  'Mutation.updateStudy.input.raterIds': {
    why: 'raters are checked for membership when the study opens',
    verify: async (data) => {
      await refusedToOpen(data.updateStudy.id);
      await B.owner.ok(`mutation($id: ID!, $r: [ID!]) { updateStudy(id: $id, input: { raterIds: $r }) { id } }`, { id: data.updateStudy.id, r: [B.raterId] });
    },
  },
};

/** Opening a study whose raters include A's user is refused, and nobody of A gets an assignment. */
async function refusedToOpen(studyId: string) {
  const res = await B.owner.gql(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: studyId });
  expect(res.errors?.[0]?.extensions?.code, JSON.stringify(res)).toBe('BAD_USER_INPUT');
  expect(await api.runtime.db.studyAssignment.count({ where: { studyId } })).toBe(0);
}

/**
 * List filters where an id of another team simply matches nothing: the answer must be an empty
 * page, exactly as for an id that does not exist (so it is no oracle either).
 */
const EMPTY_FILTER_SLOTS: Record<string, string> = {
  'Query.explanations.videoId': "a filter on the team's explanations",
  'Query.explanations.filter.videoId': "a filter on the team's explanations",
  'Query.explanations.filter.modelId': "a filter on the team's explanations",
  'Query.explanations.filter.authorId': "a filter on the team's explanations (who requested them)",
  'Query.videos.filter.authorId': "a filter on the team's videos (who uploaded them)",
  'Query.studies.filter.authorId': "a filter on the team's studies (who created them)",
  'Query.reviewSessions.filter.authorId': "a filter on the team's review sessions (the host)",
  'Query.models.filter.authorId': "a filter on the team's models (who uploaded them)",
};

/**
 * Ids a call drops without a word when they name nobody of the caller's team: the call succeeds as
 * for an unknown id, the answer holds nothing of A (checked like every answer), and the row
 * snapshot below proves A's id was stored nowhere.
 */
const DROPPED_SLOTS: Record<string, string> = {
  'Mutation.addComment.input.mentions': 'mentions keep only members of the explanation’s team',
  'Mutation.editComment.input.mentions': 'mentions keep only members of the comment’s team',
  'Mutation.addReviewComment.input.mentions': 'mentions keep only members of the session’s team',
};

/** Plausible values for required non-id fields, by name (falls back to the type). */
const FIELD_VALUES: Record<string, unknown> = {
  name: 'Probe name',
  title: 'Probe title',
  body: 'Probe body',
  frameStart: 0,
  frameEnd: 1,
  plausibility: 4,
  timeOnItemMs: 1000,
  timeSec: 0,
  playing: false,
  intendedUse: 'Probe',
  trainingData: 'Probe',
  evaluation: 'Probe',
  limitations: 'Probe',
  ethicalConsiderations: 'Probe',
};
const ENUM_VALUES: Record<string, string> = { Role: 'RATER', StudyDesign: 'LIKERT', AnnotationShape: 'RECTANGLE', ReviewVerdict: 'ACCEPT' };
/** Optional non-id fields an operation needs to be valid at all. */
const EXTRA_FIELDS: Record<string, Record<string, unknown>> = {
  'Mutation.createAnnotation': { 'input.rect': { x: 0.1, y: 0.1, w: 0.2, h: 0.2 } },
  'Mutation.createStudy': { 'input.overlap': 1 },
  'Mutation.submitStudyJudgement': { 'input.rating': 3 },
};

interface Slot {
  /** Argument path: ['input', 'videoIds']. */
  path: string[];
  kind: Kind;
  list: boolean;
  required: boolean;
}
interface Operation {
  id: string;
  kind: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
  slots: Slot[];
  unresolved: string[];
}

const schema = buildSchema();

function slotsOf(opId: string, field: GraphQLField<unknown, unknown>) {
  const slots: Slot[] = [];
  const unresolved: string[] = [];
  const visit = (name: string, type: GraphQLInputType, path: string[], required: boolean, top: boolean) => {
    const list = isListType(isNonNullType(type) ? type.ofType : type);
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      for (const f of Object.values(named.getFields())) visit(f.name, f.type, [...path, f.name], required && isNonNullType(f.type), false);
      return;
    }
    if (!isScalarType(named) || !(named.name === 'ID' || /Ids?$/.test(name))) return;
    const key = `${opId}.${path.join('.')}`;
    if (NOT_TEAM_SCOPED_SLOTS[key]) return;
    const returned = getNamedType(field.type).name;
    const kind = name === 'id' && top ? (KIND_OF_ID_ARG[opId] ?? KIND_BY_RETURN_TYPE[returned]) : KIND_BY_NAME[name];
    if (!kind) unresolved.push(key);
    else slots.push({ path, kind, list, required });
  };
  for (const a of field.args) visit(a.name, a.type, [a.name], isNonNullType(a.type) && a.defaultValue === undefined, true);
  return { slots, unresolved };
}

const operations: Operation[] = (['query', 'mutation', 'subscription'] as const).flatMap((kind) => {
  const root = kind === 'query' ? schema.getQueryType()! : kind === 'mutation' ? schema.getMutationType()! : schema.getSubscriptionType()!;
  return Object.values(root.getFields()).map((field) => {
    const id = `${root.name}.${field.name}`;
    return { id, kind, field, ...slotsOf(id, field) };
  });
});
const probed = operations.filter((o) => o.slots.length > 0);

// ───────────── fixtures ─────────────

interface Team {
  owner: TestClient;
  ownerId: string;
  rater: TestClient;
  raterId: string;
  ids: Record<Kind, string>;
  invitationToken: string;
  apiTokenSecret: string;
}

let api: TestApi;
let A: Team;
let B: Team;
/** Every id of a row created for team A, and A's distinctive names. */
let aIds: Set<string>;
let aNames: string[];
let bToken: TestClient;

type Snapshot = Map<string, Set<string>>;
async function snapshot(): Promise<Snapshot> {
  const db = api.runtime.db;
  const tables = await db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
  );
  const out: Snapshot = new Map();
  for (const { table_name } of tables) {
    const rows = await db.$queryRawUnsafe<{ j: string }[]>(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
    out.set(table_name, new Set(rows.map((r) => r.j)));
  }
  return out;
}
function addedRows(before: Snapshot, after: Snapshot) {
  const rows: { table: string; row: string }[] = [];
  for (const [table, set] of after) for (const row of set) if (!before.get(table)?.has(row)) rows.push({ table, row });
  return rows;
}

async function makeTeam(label: string): Promise<Team> {
  const db = api.runtime.db;
  const mark = `${label}-${randomBytes(4).toString('hex')}`;
  const o = await api.signUp(`${label}Owner`);
  const r = await api.signUp(`${label}Rater`);
  const owner = o.client;
  const teamId = (await owner.ok<any>(`mutation($n: String!) { createTeam(input: { name: $n }) { id } }`, { n: `${mark} team` })).createTeam.id;
  await db.membership.create({ data: { teamId, userId: r.userId, role: 'RATER' } });
  const stored = await api.runtime.storage.putBuffer(Buffer.from(`video bytes of ${mark}`));
  const video = await db.video.create({
    data: {
      teamId,
      uploadedById: o.userId,
      title: `${mark} clip`,
      filename: `${mark}.mp4`,
      sha256: stored.sha256,
      sizeBytes: BigInt(stored.size),
      status: 'READY',
      fps: 25,
      frameCount: 16,
      durationSec: 0.64,
      width: 32,
      height: 32,
    },
  });
  const model = await db.model.create({
    data: {
      teamId,
      name: `${mark}-model`,
      version: '1',
      format: 'layers-model',
      manifest: {},
      labels: ['a', 'b'],
      weightsSha256: 'f'.repeat(64),
      createdById: o.userId,
    },
  });
  const npy = await api.runtime.storage.putBuffer(Buffer.from(`saliency of ${mark}`));
  const explanation = await db.explanation.create({
    data: {
      teamId,
      videoId: video.id,
      modelId: model.id,
      requestedById: o.userId,
      method: `${mark}-method`,
      params: {},
      status: 'DONE',
      progress: 1,
      saliencySha256: npy.sha256,
      saliencyShape: [4, 8, 8],
      finishedAt: new Date(),
    },
  });
  const e = { e: explanation.id };
  const annotation = await owner.ok<any>(
    `mutation($e: ID!) { createAnnotation(input: { explanationId: $e, shape: RECTANGLE, rect: { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, frameStart: 0, frameEnd: 2, label: "${mark} label" }) { id } }`,
    e,
  );
  const comment = await owner.ok<any>(`mutation($e: ID!) { addComment(input: { explanationId: $e, body: "${mark} comment" }) { id } }`, e);
  const rating = await owner.ok<any>(`mutation($e: ID!) { rateExplanation(input: { explanationId: $e, plausibility: 5, comment: "${mark} rating" }) { id } }`, e);
  await owner.ok(
    `mutation($t: ID!, $m: ID!) { updateModelCard(teamId: $t, modelId: $m, input: { intendedUse: "${mark} use", trainingData: "d", evaluation: "e", limitations: "l", ethicalConsiderations: "c" }) { id } }`,
    { t: teamId, m: model.id },
  );
  const auditReport = await db.auditReport.create({
    data: { teamId, modelId: model.id, createdById: o.userId, title: `${mark} report`, manifest: { files: {} }, manifestSha256: 'a'.repeat(64) },
  });
  // A study the owner and the rater both take part in, opened, with one judgement by the rater.
  const study = (
    await owner.ok<any>(
      `mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`,
      { i: { teamId, name: `${mark} study`, design: 'LIKERT', raterIds: [o.userId, r.userId], explanationIds: [explanation.id], overlap: 2 } },
    )
  ).createStudy;
  await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { id } }`, { id: study.id });
  // And a DRAFT study, for the operations that change a protocol.
  const draft = (
    await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
      i: { teamId, name: `${mark} draft study`, design: 'LIKERT', raterIds: [r.userId], explanationIds: [explanation.id], overlap: 1 },
    })
  ).createStudy;
  const item = await db.studyItem.findFirstOrThrow({ where: { studyId: draft.id } });
  const next = await r.client.ok<any>(`query($s: ID!) { nextStudyItem(studyId: $s) { ref } }`, { s: study.id });
  await r.client.ok(`mutation($i: StudyJudgementInput!) { submitStudyJudgement(input: $i) { judged } }`, {
    i: { studyId: study.id, ref: next.nextStudyItem.ref, rating: 3, timeOnItemMs: 900 },
  });
  // The owner's own (not yet answered) item: B's control for submitStudyJudgement uses B's.
  const ownNext = await owner.ok<any>(`query($s: ID!) { nextStudyItem(studyId: $s) { ref } }`, { s: study.id });
  const review = (
    await owner.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId, title: `${mark} review`, explanationIds: [explanation.id] },
    })
  ).startReviewSession;
  await owner.ok(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "${mark} review comment" }) { id } }`, { id: review.id });
  await owner.ok(`mutation($id: ID!, $e: ID!) { decideReviewExplanation(id: $id, input: { explanationId: $e, verdict: NEEDS_WORK }) { verdict } }`, {
    id: review.id,
    e: explanation.id,
  });
  const invite = (
    await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { invitation { id } token } }`, {
      i: { teamId, email: `${mark}-invitee@example.com`, role: 'REVIEWER' },
    })
  ).inviteMember;
  const token = (
    await owner.ok<any>(`mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { apiToken { id } token } }`, {
      i: { name: `${mark} token`, teamId, scope: 'ADMIN' },
    })
  ).createApiToken;
  return {
    owner,
    ownerId: o.userId,
    rater: r.client,
    raterId: r.userId,
    invitationToken: invite.token,
    apiTokenSecret: token.token,
    ids: {
      team: teamId,
      user: r.userId,
      video: video.id,
      model: model.id,
      explanation: explanation.id,
      annotation: annotation.createAnnotation.id,
      comment: comment.addComment.id,
      rating: rating.rateExplanation.id,
      study: study.id,
      draftStudy: draft.id,
      studyItem: item.id,
      studyRef: ownNext.nextStudyItem.ref,
      reviewSession: review.id,
      invitation: invite.invitation.id,
      apiToken: token.apiToken.id,
      auditReport: auditReport.id,
    },
  };
}

// ───────────── probes ─────────────

/** Sets an argument path; a list of input objects is entered at its first element. */
function setPath(target: Record<string, any>, path: string[], value: unknown) {
  let at = target;
  for (const p of path.slice(0, -1)) {
    at = at[p] ??= {};
    if (Array.isArray(at)) at = at[0];
  }
  at[path.at(-1)!] = value;
}
function getPath(target: Record<string, any>, path: string[]) {
  return path.reduce<any>((at, p) => (Array.isArray(at) ? at[0] : at)?.[p], target);
}

/** A value for a non-id input field: required fields always, optional ones only in EXTRA_FIELDS. */
function valueFor(name: string, type: GraphQLInputType, path: string, extras: Record<string, unknown>): unknown {
  if (path in extras) return extras[path];
  if (isNonNullType(type)) return valueFor(name, type.ofType, path, extras);
  if (isListType(type)) return [valueFor(name, type.ofType, path, extras)];
  const named = getNamedType(type);
  if (isInputObjectType(named)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(named.getFields())) {
      const p = `${path}.${f.name}`;
      if ((isNonNullType(f.type) && f.defaultValue === undefined) || p in extras) out[f.name] = valueFor(f.name, f.type, p, extras);
    }
    return out;
  }
  if (isEnumType(named)) return ENUM_VALUES[named.name] ?? named.getValues()[0]!.value;
  if (name in FIELD_VALUES) return FIELD_VALUES[name];
  if (name === 'email') return `probe-${randomBytes(3).toString('hex')}@example.com`;
  if (named.name === 'Int') return 1;
  if (named.name === 'Float') return 0.5;
  if (named.name === 'Boolean') return true;
  if (named.name === 'JSON') return {};
  if (named.name === 'DateTime') return '2026-01-01T00:00:00Z';
  return `Probe ${name}`;
}

/** A probe, and its twin: the same call with B's object where the probe has A's (the control). */
type Variant = { label: string; vars: Record<string, any>; twin: Record<string, any>; slot?: string };

/** Fixes cross-field rules so the probe is valid input (createStudy: one source of items). */
function fixup(op: Operation, vars: Record<string, any>, owner: 'A' | 'B' | 'mixed') {
  if (op.id !== 'Mutation.createStudy') return;
  const input = vars.input;
  const own = owner === 'A' ? A : B;
  // Either videos × methods × model, or explicit explanation ids.
  if (input.videoIds || input.modelId) {
    delete input.explanationIds;
    input.videoIds ??= [own.ids.video];
    input.modelId ??= own.ids.model;
    input.methods = ['gradcam'];
  } else input.explanationIds ??= [own.ids.explanation];
}

function argsWithoutIds(op: Operation): Record<string, any> {
  const extras = EXTRA_FIELDS[op.id] ?? {};
  const vars: Record<string, any> = {};
  for (const a of op.field.args) {
    const required = isNonNullType(a.type) && a.defaultValue === undefined;
    if (required || Object.keys(extras).some((k) => k === a.name || k.startsWith(`${a.name}.`))) vars[a.name] = valueFor(a.name, a.type, a.name, extras);
  }
  return vars;
}

function variants(op: Operation): Variant[] {
  const build = (chosen: Slot | 'all', side: 'A' | 'B') => {
    const vars = argsWithoutIds(op);
    for (const s of op.slots) {
      if (chosen === 'all' || chosen === s) {
        const own = (side === 'A' ? A : B).ids[s.kind];
        setPath(vars, s.path, s.list ? (chosen === 'all' || side === 'B' ? [own] : [B.ids[s.kind], own]) : own);
      } else if (s.required) {
        setPath(vars, s.path, s.list ? [B.ids[s.kind]] : B.ids[s.kind]);
      } else if (getPath(vars, s.path) !== undefined) setPath(vars, s.path, undefined);
    }
    fixup(op, vars, chosen === 'all' ? side : 'B');
    return vars;
  };
  const variant = (chosen: Slot | 'all'): Variant => ({
    label: chosen === 'all' ? 'all of A' : `A's ${chosen.kind} in ${chosen.path.join('.')}`,
    vars: build(chosen, 'A'),
    twin: build(chosen, 'B'),
    slot: chosen === 'all' ? undefined : `${op.id}.${chosen.path.join('.')}`,
  });
  const out = [variant('all')];
  if (op.slots.length > 1) for (const s of op.slots) out.push(variant(s));
  return out;
}

/** A selection deep enough that a leaked object would show its ids and names. */
function selection(type: GraphQLNamedType, depth: number): string {
  if (isScalarType(type) || isEnumType(type)) return '';
  if (isUnionType(type) || isInterfaceType(type)) {
    const members = isUnionType(type) ? type.getTypes() : schema.getPossibleTypes(type);
    return ` { __typename ${members.map((m) => `... on ${m.name}${selection(m, depth)}`).join(' ')} }`;
  }
  if (!isObjectType(type)) return ' { __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(f.type);
    if (isScalarType(named) || isEnumType(named)) parts.push(f.name);
    else if (depth > 0) parts.push(`${f.name}${selection(named, depth - 1)}`);
  }
  return ` { ${parts.join(' ')} }`;
}

function documentFor(op: Operation, vars: Record<string, any>, rich: boolean) {
  const used = op.field.args.filter((a) => vars[a.name] !== undefined);
  const decl = used.length ? `(${used.map((a) => `$${a.name}: ${String(a.type)}`).join(', ')})` : '';
  const args = used.length ? `(${used.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  const named = getNamedType(op.field.type);
  const sel = rich ? selection(named, 1) : isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  return `${op.kind}${decl} { ${op.field.name}${args}${sel} }`;
}

/** graphql-ws subscription as a cookie session or a bearer token; resolves with the first answer. */
async function subscribe(who: TestClient, query: string, variables: Record<string, unknown>, trigger?: () => Promise<unknown>) {
  class CookieSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: who.cookie ? { cookie: who.cookie } : {} });
    }
  }
  const client = createClient({
    url: api.url.replace('http', 'ws') + '/api/graphql',
    webSocketImpl: CookieSocket,
    retryAttempts: 0,
    connectionParams: who.bearer ? { authorization: `Bearer ${who.bearer}` } : {},
  });
  let answered = false;
  try {
    const answer = new Promise<GqlResult>((resolve) => {
      // A subscription that is accepted sends nothing until an event: waiting for it is the
      // failure case, reported as such rather than hanging the suite.
      const timer = setTimeout(() => resolve({ status: 0, data: { accepted: 'subscription accepted, no error within 5 s' } }), 5000);
      client.subscribe(
        { query, variables },
        {
          next: (msg) => (clearTimeout(timer), resolve({ status: 200, data: (msg.data as any) ?? null, errors: msg.errors as any })),
          error: (err) => (clearTimeout(timer), resolve({ status: 0, data: null, errors: Array.isArray(err) ? err : [{ message: String(err), extensions: { code: 'SOCKET' } }] })),
          complete: () => (clearTimeout(timer), resolve({ status: 200, data: null })),
        },
      );
    }).finally(() => (answered = true));
    // A control publishes an event until the subscriber has one (the socket gives no "subscribed" ack).
    for (let i = 0; trigger && !answered && i < 40; i++) {
      await trigger();
      await Promise.race([answer, new Promise((r) => setTimeout(r, 100))]);
    }
    return await answer;
  } finally {
    await client.dispose();
  }
}

async function call(who: TestClient, op: Operation, vars: Record<string, any>, rich: boolean, trigger?: () => Promise<unknown>): Promise<GqlResult> {
  const doc = documentFor(op, vars, rich);
  return op.kind === 'subscription' ? subscribe(who, doc, vars, trigger) : who.gql(doc, vars);
}

/** For the controls: what makes each subscription send an event for B's object. */
const SUBSCRIPTION_TRIGGERS: Record<string, (vars: Record<string, any>) => Promise<unknown>> = {
  'Subscription.explanationProgress': (vars) =>
    api.runtime.pubsub.publish(progressChannel(vars.id), { explanationId: vars.id, status: 'RUNNING', fraction: 0.5, iteration: 1 }),
  'Subscription.reviewSessionEvents': (vars) => B.owner.ok(`mutation($id: ID!) { addReviewComment(id: $id, input: { body: "ping" }) { id } }`, { id: vars.id }),
};

/** A's ids or names found in a response (data: any of them; errors: those not sent in the request). */
function leaks(res: GqlResult, vars: Record<string, any>) {
  const sent = JSON.stringify(vars);
  const data = JSON.stringify(res.data ?? null);
  const errors = JSON.stringify(res.errors ?? []);
  const found: string[] = [];
  for (const id of aIds) if (data.includes(id) || (errors.includes(id) && !sent.includes(id))) found.push(id);
  for (const name of aNames) if (data.includes(name) || errors.includes(name)) found.push(name);
  return found;
}

type Outcome = 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'EMPTY_PAGE' | 'DEFERRED' | 'DROPPED';
const results: { who: string; op: string; label: string; outcome: Outcome }[] = [];
const failures: string[] = [];
let probes = 0;
/** A's ids that DEFERRED_SLOTS probes stored, unchecked, in rows of team B (and B's audit chain). */
const deferredIds = new Set<string>();
let before: Snapshot;
let afterProbes: Snapshot;

async function probe(whoName: string, who: TestClient, op: Operation, v: Variant) {
  const res = await call(who, op, v.vars, true);
  const code = res.errors?.[0]?.extensions?.code as string | undefined;
  const where = `${whoName} ${op.id} (${v.label}) ${JSON.stringify(v.vars)}`;
  const deferred = v.slot ? DEFERRED_SLOTS[v.slot] : undefined;
  // A deferred slot's answer echoes the stored ids it was given; nothing else of A may show.
  const leaked = leaks(deferred ? { ...res, data: JSON.parse(JSON.stringify(res.data ?? null).replaceAll(A.ids[op.slots.find((s) => `${op.id}.${s.path.join('.')}` === v.slot)!.kind], '')) } : res, v.vars);
  if (leaked.length) failures.push(`${where}: response shows A's ${leaked.join(', ')}: ${JSON.stringify(res).slice(0, 500)}`);
  if (deferred && !res.errors) {
    await deferred.verify(res.data);
    deferredIds.add(A.ids[op.slots.find((s) => `${op.id}.${s.path.join('.')}` === v.slot)!.kind]);
    results.push({ who: whoName, op: op.id, label: v.label, outcome: 'DEFERRED' });
  } else if (v.slot && EMPTY_FILTER_SLOTS[v.slot] && !res.errors) {
    const nodes = (res.data as any)?.[op.field.name]?.nodes;
    const absent = await call(who, op, JSON.parse(JSON.stringify(v.vars).replaceAll(A.ids[op.slots.find((s) => `${op.id}.${s.path.join('.')}` === v.slot)!.kind], 'no-such-id')), true);
    if (Array.isArray(nodes) && nodes.length === 0 && JSON.stringify(absent) === JSON.stringify(res)) results.push({ who: whoName, op: op.id, label: v.label, outcome: 'EMPTY_PAGE' });
    else failures.push(`${where}: filter by A's id answered a non-empty page: ${JSON.stringify(res).slice(0, 500)}`);
  } else if (v.slot && DROPPED_SLOTS[v.slot] && !res.errors) {
    results.push({ who: whoName, op: op.id, label: v.label, outcome: 'DROPPED' });
  } else if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'BAD_USER_INPUT') results.push({ who: whoName, op: op.id, label: v.label, outcome: code });
  else failures.push(`${where}: not refused (code ${code ?? 'none'}): ${JSON.stringify(res).slice(0, 500)}`);
}

beforeAll(async () => {
  api = await startTestApi();
  const empty = await snapshot();
  A = await makeTeam('Alpha');
  const withA = await snapshot();
  aIds = new Set(
    addedRows(empty, withA)
      .map(({ row }) => JSON.parse(row).id)
      .filter((id): id is string => typeof id === 'string'),
  );
  for (const id of Object.values(A.ids)) aIds.add(id);
  const teamRow = await api.runtime.db.team.findUniqueOrThrow({ where: { id: A.ids.team } });
  const mark = teamRow.name.replace(/ team$/, '');
  aNames = [mark, teamRow.slug, A.invitationToken, A.apiTokenSecret];
  B = await makeTeam('Beta');
  bToken = api.client();
  bToken.bearer = B.apiTokenSecret;
  before = await snapshot();
}, 120_000);

afterAll(async () => {
  await api?.close();
});

describe("B's OWNER and B's team-restricted token cannot see or change anything of team A", () => {
  it('covers the whole schema: every root field is probed or allow-listed', () => {
    const unresolved = operations.flatMap((o) => o.unresolved);
    expect(unresolved, 'ID slots of unknown kind: add them to KIND_BY_NAME / KIND_OF_ID_ARG or NOT_TEAM_SCOPED_SLOTS').toEqual([]);
    const neither = operations.filter((o) => o.slots.length === 0 && !NO_TEAM_SCOPED_ID[o.id]).map((o) => o.id);
    expect(neither, 'fields with no team-scoped id must be allow-listed in NO_TEAM_SCOPED_ID').toEqual([]);
    const stale = Object.keys(NO_TEAM_SCOPED_ID).filter((id) => !operations.some((o) => o.id === id && o.slots.length === 0));
    expect(stale, 'allow-listed fields that no longer exist or now take a team-scoped id').toEqual([]);
    expect(probed.map((o) => o.id)).toEqual(expect.arrayContaining(['Subscription.explanationProgress', 'Subscription.reviewSessionEvents', 'Query.video']));
  });

  it("every probe with A's ids is refused and reveals nothing", async () => {
    for (const op of probed) {
      for (const v of variants(op)) {
        probes++;
        await probe('owner', B.owner, op, v);
        await probe('token', bToken, op, v);
      }
    }
    // A's invitation token (a capability, not an id) does not let B's owner join team A.
    const accept = await B.owner.gql(`mutation($t: String!) { acceptInvitation(token: $t) { id role team { id name } } }`, { t: A.invitationToken });
    expect(accept.errors?.[0]?.extensions?.code, JSON.stringify(accept)).toBe('FORBIDDEN');
    expect(leaks(accept, {})).toEqual([]);
    // The allow-listed queries, as B: nothing of A in them.
    for (const id of SCANNED_WITHOUT_IDS) {
      const op = operations.find((o) => o.id === id)!;
      for (const who of [B.owner, bToken]) {
        const res = await call(who, op, {}, true);
        expect(res.errors, `${id}: ${JSON.stringify(res.errors)}`).toBeUndefined();
        expect(leaks(res, {}), id).toEqual([]);
      }
    }
    afterProbes = await snapshot();
    expect(failures, failures.join('\n')).toEqual([]);
  }, 300_000);

  it("no row of A (nor any row pointing at A, nor A's audit chain) changed", async () => {
    expect(afterProbes).toBeDefined();
    const mentionsA = (row: string) => {
      const ofB = JSON.parse(row).teamId === B.ids.team;
      return [...aIds].some((id) => row.includes(id) && !(ofB && deferredIds.has(id)));
    };
    const changed = [...addedRows(before, afterProbes).map((r) => ({ ...r, change: 'added' })), ...addedRows(afterProbes, before).map((r) => ({ ...r, change: 'removed' }))].filter(
      (r) => mentionsA(r.row),
    );
    expect(changed, changed.map((c) => `${c.change} ${c.table} ${c.row}`).join('\n')).toEqual([]);
    // The chain itself still verifies for A's owner.
    const chain = await A.owner.ok<any>(`query($t: ID!) { verifyAuditChain(teamId: $t) { ok } }`, { t: A.ids.team });
    expect(chain.verifyAuditChain.ok).toBe(true);
  });

  it("every probe refused for A's id gets past the lookup with B's own ids (controls)", async () => {
    expect(afterProbes).toBeDefined();
    // Destructive controls last, so they do not take away what the others need.
    const LAST = ['Mutation.deleteVideo', 'Mutation.revokeApiToken', 'Mutation.revokeInvitation', 'Mutation.endReviewSession', 'Mutation.leaveReviewSession', 'Mutation.closeStudy', 'Mutation.removeMember', 'Mutation.deleteComment', 'Mutation.deleteAnnotation'];
    const ordered = [...probed.filter((o) => !LAST.includes(o.id)), ...LAST.map((id) => probed.find((o) => o.id === id)!).filter(Boolean)];
    const bad: string[] = [];
    let controls = 0;
    for (const op of ordered) {
      const trigger = SUBSCRIPTION_TRIGGERS[op.id];
      if (op.kind === 'subscription' && !trigger) bad.push(`${op.id}: no SUBSCRIPTION_TRIGGERS entry, so its control cannot run`);
      const seen = new Set<string>();
      for (const v of variants(op)) {
        // Twins that are the same call run once (a second removeMember would find nobody).
        if (seen.has(JSON.stringify(v.twin))) continue;
        seen.add(JSON.stringify(v.twin));
        const res = await call(B.owner, op, v.twin, false, trigger && (() => trigger(v.twin)));
        controls++;
        const rootErrors = (res.errors ?? []).filter((e) => !e.path || e.path.length <= 1);
        const code = rootErrors[0]?.extensions?.code;
        if (code === 'NOT_FOUND' || code === 'FORBIDDEN' || code === 'BAD_USER_INPUT' || code === 'INTERNAL' || code === 'SOCKET')
          bad.push(`${op.id} (twin of ${v.label}) with B's ids ${JSON.stringify(v.twin)} → ${code}: ${rootErrors[0]?.message}`);
        if (op.kind === 'subscription' && !res.data) bad.push(`${op.id} with B's ids: no event (${JSON.stringify(res)})`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
    const count = (pred: (r: (typeof results)[number]) => boolean) => results.filter(pred).length;
    const byOutcome = Object.fromEntries(['NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT', 'EMPTY_PAGE', 'DEFERRED', 'DROPPED'].map((o) => [o, count((r) => r.outcome === o)]));
    console.log(
      `[schema-isolation] ${probed.length} operations probed (${probed.filter((o) => o.kind === 'query').length} queries, ` +
        `${probed.filter((o) => o.kind === 'mutation').length} mutations, ${probed.filter((o) => o.kind === 'subscription').length} subscriptions), ` +
        `${Object.keys(NO_TEAM_SCOPED_ID).length} allow-listed; ${probes} probes × 2 callers = ${probes * 2} calls, answered ${JSON.stringify(byOutcome)}; ` +
        `BAD_USER_INPUT in ${[...new Set(results.filter((r) => r.outcome === 'BAD_USER_INPUT').map((r) => r.op))].join(', ')}; ${controls} controls with B's ids passed the lookup`,
    );
  }, 120_000);
});
