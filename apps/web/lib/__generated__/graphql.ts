/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type AddCommentInput = {
  body: string;
  explanationId: string;
  /** User ids of team members to mention; ids of anyone else are ignored. */
  mentions?: Array<string> | null | undefined;
  /** Reply to this comment (same explanation). */
  parentId?: string | null | undefined;
  timeEndSec?: number | null | undefined;
  timeStartSec?: number | null | undefined;
};

export type AnnotationShape =
  | 'POLYGON'
  | 'RECTANGLE';

export type ChangePasswordInput = {
  currentPassword: string;
  /** At least 8 characters. */
  newPassword: string;
};

export type ChangeRoleInput = {
  role: Role;
  teamId: string;
  userId: string;
};

export type CreateAnnotationInput = {
  explanationId: string;
  frameEnd: number;
  frameStart: number;
  label?: string | null | undefined;
  /** Required when shape is POLYGON: at least 3 [x, y] points in [0, 1]. */
  points?: Array<Array<number>> | null | undefined;
  /** Required when shape is RECTANGLE. */
  rect?: RectangleInput | null | undefined;
  shape: AnnotationShape;
};

export type CreateApiTokenInput = {
  /** Days until expiry (1–365); omit for no expiry. */
  expiresInDays?: number | null | undefined;
  name: string;
  /** What the token may do; READ unless given. */
  scope?: TokenScope | null | undefined;
  /** Restrict the token to one team (optional). */
  teamId?: string | null | undefined;
};

export type CreateStudyInput = {
  /** PAIRWISE: offer 'can't tell'. */
  allowTie?: boolean | null | undefined;
  /** LIKERT: one text per scale point. */
  anchors?: Array<string> | null | undefined;
  attentionChecks?: number | null | undefined;
  blinded?: boolean | null | undefined;
  design: StudyDesign;
  /** ... or from explicit explanations (grouped by video). */
  explanationIds?: Array<string> | null | undefined;
  instructions?: string | null | undefined;
  /** LIKERT: 5 or 7. */
  likertPoints?: number | null | undefined;
  methods?: Array<string> | null | undefined;
  modelId?: string | null | undefined;
  name: string;
  overlap?: number | null | undefined;
  /** RANKING: explanations per item. */
  rankK?: number | null | undefined;
  raterIds: Array<string>;
  seed?: number | null | undefined;
  target?: string | null | undefined;
  teamId: string;
  /** Items from videos × methods (missing explanations are requested from the engine)... */
  videoIds?: Array<string> | null | undefined;
};

export type CreateTeamInput = {
  name: string;
};

export type EditCommentInput = {
  body: string;
  /** User ids of team members to mention (replaces the earlier list); ids of anyone else are ignored. */
  mentions?: Array<string> | null | undefined;
};

/**
 * Narrows a list of explanations; fields combine (AND). `search`: a case-insensitive substring of the
 * video's title, the method or the model's name; `method` a catalogue method name; `authorId` who
 * requested it; `since`/`until` when it was requested, both inclusive.
 */
export type ExplanationFilter = {
  authorId?: string | null | undefined;
  method?: string | null | undefined;
  modelId?: string | null | undefined;
  search?: string | null | undefined;
  since?: string | null | undefined;
  status?: ExplanationStatus | null | undefined;
  until?: string | null | undefined;
  videoId?: string | null | undefined;
};

export type ExplanationStatus =
  | 'CANCELLED'
  | 'DONE'
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING';

export type InviteMemberInput = {
  email: string;
  role: Role;
  teamId: string;
};

export type IssuePasswordResetInput = {
  teamId: string;
  /** A member of the team. */
  userId: string;
};

/**
 * How a team list is ordered: NEWEST (default) and OLDEST by creation time (a review session's start),
 * NAME A→Z by name or title (an explanation's method); ties broken by id, so every cursor walk sees
 * each row once. A cursor is valid only under the sort that made it.
 */
export type ListSort =
  | 'NAME'
  | 'NEWEST'
  | 'OLDEST';

export type LoginInput = {
  email: string;
  password: string;
};

/** Model card fields after Mitchell et al., Model Cards for Model Reporting (FAT* 2019). */
export type ModelCardInput = {
  ethicalConsiderations: string;
  evaluation: string;
  intendedUse: string;
  limitations: string;
  trainingData: string;
};

/**
 * Narrows the model list; fields combine (AND). `search`: a case-insensitive substring of the name or
 * version; `authorId` who uploaded it (built-in models have none); `since`/`until` the registration
 * time, both inclusive.
 */
export type ModelFilter = {
  authorId?: string | null | undefined;
  format?: string | null | undefined;
  search?: string | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
};

/** What a notification is about. */
export type NotificationKind =
  /** An explanation you requested finished. */
  | 'EXPLANATION_DONE'
  /** An explanation you requested failed. */
  | 'EXPLANATION_FAILED'
  /** Someone mentioned you in an explanation comment or a live-review comment. */
  | 'MENTION'
  /** Someone replied to your comment. */
  | 'REPLY'
  /** You were made a rater of a study. */
  | 'STUDY_ASSIGNED';

export type RateExplanationInput = {
  comment?: string | null | undefined;
  confidence?: number | null | undefined;
  explanationId: string;
  plausibility: number;
};

export type RectangleInput = {
  h: number;
  w: number;
  x: number;
  y: number;
};

export type RequestExplanationInput = {
  /** Fraction of the clip the mask keeps, e.g. 0.1. */
  area?: number | null | undefined;
  /** A key for this submit (e.g. a UUID): repeating a request with the same key returns the explanation the first one created, never a second. */
  idempotencyKey?: string | null | undefined;
  iterations?: number | null | undefined;
  /** fep (default), ep, or a baseline the engine offers. */
  method?: string | null | undefined;
  modelId: string;
  /** Method parameters, checked against the method catalogue (packages/shared/src/methods): unknown keys and values past a limit are BAD_USER_INPUT with fields such as params.areas.0. */
  params?: unknown;
  seed?: number | null | undefined;
  /** top1 (default), a label, or a class index. */
  target?: string | null | undefined;
  teamId: string;
  videoId: string;
  /** Start of the explained window in seconds; omit for the window the model is most confident about. */
  windowStartSec?: number | null | undefined;
};

export type ResetPasswordInput = {
  /** At least 8 characters. */
  newPassword: string;
  token: string;
};

export type ReviewCommentInput = {
  body: string;
  explanationId?: string | null | undefined;
  /** User ids of team members to mention; ids of anyone else are ignored. */
  mentions?: Array<string> | null | undefined;
  timeSec?: number | null | undefined;
};

export type ReviewDecisionInput = {
  explanationId: string;
  note?: string | null | undefined;
  verdict: ReviewVerdict;
};

export type ReviewPlaybackInput = {
  explanationId?: string | null | undefined;
  playing: boolean;
  timeSec: number;
};

/**
 * Narrows the team's review sessions; fields combine (AND). `search`: a case-insensitive substring of
 * the title; `authorId` the host; `since`/`until` the start time, both inclusive.
 */
export type ReviewSessionFilter = {
  authorId?: string | null | undefined;
  search?: string | null | undefined;
  since?: string | null | undefined;
  status?: ReviewStatus | null | undefined;
  until?: string | null | undefined;
};

export type ReviewStatus =
  | 'ENDED'
  | 'LIVE';

/** A reviewer's verdict on one explanation, recorded during a live session. */
export type ReviewVerdict =
  | 'ACCEPT'
  | 'NEEDS_WORK'
  | 'REJECT';

export type Role =
  | 'ADMIN'
  | 'AUDITOR'
  | 'OWNER'
  | 'RATER'
  | 'REVIEWER';

export type SignUpInput = {
  email: string;
  name: string;
  password: string;
};

export type StartReviewSessionInput = {
  explanationIds: Array<string>;
  teamId: string;
  title: string;
};

export type StudyDesign =
  /** Rate one explanation at a time on a 1–5 or 1–7 scale with anchor texts. */
  | 'LIKERT'
  /** Two explanations side by side: which is more plausible (2AFC, optional can't tell). */
  | 'PAIRWISE'
  /** Order k explanations of the same video from most to least plausible. */
  | 'RANKING';

/**
 * Narrows the team's studies; fields combine (AND). `search`: a case-insensitive substring of the
 * name; `authorId` who created it; `since`/`until` the creation time, both inclusive.
 */
export type StudyFilter = {
  authorId?: string | null | undefined;
  design?: StudyDesign | null | undefined;
  search?: string | null | undefined;
  since?: string | null | undefined;
  status?: StudyStatus | null | undefined;
  until?: string | null | undefined;
};

export type StudyJudgementInput = {
  /** PAIRWISE: the alias judged more plausible, or TIE when allowed. */
  choice?: string | null | undefined;
  /** RANKING: aliases from most to least plausible. */
  ranking?: Array<string> | null | undefined;
  /** LIKERT: 1..likertPoints. */
  rating?: number | null | undefined;
  ref: string;
  studyId: string;
  timeOnItemMs: number;
};

export type StudyStatus =
  | 'CLOSED'
  | 'DRAFT'
  | 'OPEN';

/** What an API token may do (docs/permissions.md#api-tokens). */
export type TokenScope =
  /** Everything its team restriction allows, including token management and team administration. */
  | 'ADMIN'
  /** Queries only. */
  | 'READ'
  /** Queries and mutations, except token management and team administration. */
  | 'WRITE';

export type UpdateProfileInput = {
  name: string;
};

export type UpdateStudyInput = {
  anchors?: Array<string> | null | undefined;
  blinded?: boolean | null | undefined;
  instructions?: string | null | undefined;
  name?: string | null | undefined;
  overlap?: number | null | undefined;
  raterIds?: Array<string> | null | undefined;
  seed?: number | null | undefined;
};

/**
 * Narrows a list of videos; every field is optional and they combine (AND). `search` is a
 * case-insensitive substring of the title or file name; `authorId` the uploader; `since`/`until` the
 * upload time, both inclusive.
 */
export type VideoFilter = {
  authorId?: string | null | undefined;
  search?: string | null | undefined;
  since?: string | null | undefined;
  status?: VideoStatus | null | undefined;
  until?: string | null | undefined;
};

export type VideoStatus =
  | 'FAILED'
  | 'PROCESSING'
  | 'READY';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { user: { email: string, id: string, name: string }, memberships: { nodes: Array<{ id: string, role: Role, team: { id: string, name: string, slug: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { user: { email: string, id: string, name: string } } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { user: { email: string, id: string, name: string } } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type ApiTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiTokensQuery = { apiTokens: { nodes: Array<{ id: string, name: string, prefix: string, teamId: string | null, scope: TokenScope, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type CreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, name: string, prefix: string, teamId: string | null, scope: TokenScope, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: { id: string, revokedAt: string | null } };

export type UpdateProfileMutationVariables = Exact<{
  input: UpdateProfileInput;
}>;


export type UpdateProfileMutation = { updateProfile: { email: string, id: string, name: string } };

export type ChangePasswordMutationVariables = Exact<{
  input: ChangePasswordInput;
}>;


export type ChangePasswordMutation = { changePassword: { otherSessionsRevoked: number } };

export type IssuePasswordResetMutationVariables = Exact<{
  input: IssuePasswordResetInput;
}>;


export type IssuePasswordResetMutation = { issuePasswordReset: { path: string, expiresAt: string, email: string } };

export type ResetPasswordMutationVariables = Exact<{
  input: ResetPasswordInput;
}>;


export type ResetPasswordMutation = { resetPassword: { user: { email: string, id: string, name: string } } };

export type RequestExplanationMutationVariables = Exact<{
  input: RequestExplanationInput;
}>;


export type RequestExplanationMutation = { requestExplanation: { id: string, status: ExplanationStatus, progress: number } };

export type CancelExplanationMutationVariables = Exact<{
  id: string;
}>;


export type CancelExplanationMutation = { cancelExplanation: { id: string, status: ExplanationStatus } };

export type ExplanationViewQueryVariables = Exact<{
  id: string;
}>;


export type ExplanationViewQuery = { explanation: { teamId: string, target: string, params: unknown, progress: number, error: string | null, prediction: unknown, metrics: unknown, provenance: unknown, timings: unknown, saliencyShape: Array<number> | null, saliencyUrl: string | null, createdAt: string, startedAt: string | null, finishedAt: string | null, comparison: unknown, id: string, method: string, status: ExplanationStatus, reproducesId: string | null, overlay: { frameTimestamps: Array<number>, modelWidth: number, modelHeight: number, crop: { x: number, y: number, w: number, h: number } } | null, trust: { warnings: Array<{ code: string, message: string }> } | null, downloads: { saliencyNpy: string, overlayMp4: string, overlayPngZip: string, feedbackJson: string } | null, reproduces: { createdAt: string, id: string, method: string, status: ExplanationStatus, reproducesId: string | null, requestedBy: { id: string, name: string } } | null, reproductions: { nodes: Array<{ createdAt: string, id: string, method: string, status: ExplanationStatus, reproducesId: string | null, requestedBy: { id: string, name: string } }> }, requestedBy: { id: string, name: string }, model: { weightsSha256: string, labels: Array<string>, id: string, name: string, version: string }, video: { url: string, fps: number | null, frameCount: number | null, durationSec: number | null, width: number | null, height: number | null, id: string, title: string } } };

export type ExplanationProgressSubscriptionVariables = Exact<{
  id: string;
}>;


export type ExplanationProgressSubscription = { explanationProgress: { explanationId: string, status: ExplanationStatus, fraction: number, iteration: number | null, totalIterations: number | null, energy: number | null, etaMs: number | null, stage: string, preview: { frames: number, height: number, width: number, iteration: number, data: string, overlay: { frameTimestamps: Array<number>, modelWidth: number, modelHeight: number, crop: { x: number, y: number, w: number, h: number } } | null } | null } };

export type FeedbackQueryVariables = Exact<{
  id: string;
}>;


export type FeedbackQuery = { explanation: { id: string, annotations: { nodes: Array<{ id: string, shape: AnnotationShape, geometry: unknown, frameStart: number, frameEnd: number, label: string | null, createdAt: string, author: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, comments: { nodes: Array<{ id: string, parentId: string | null, body: string, timeStartSec: number | null, timeEndSec: number | null, createdAt: string, editedAt: string | null, replies: { nodes: Array<{ id: string, parentId: string | null, body: string, timeStartSec: number | null, timeEndSec: number | null, createdAt: string, editedAt: string | null, author: { id: string, name: string }, mentions: Array<{ id: string, name: string }>, resolvedBy: { id: string, name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, author: { id: string, name: string }, mentions: Array<{ id: string, name: string }>, resolvedBy: { id: string, name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, ratings: { nodes: Array<{ updatedAt: string, id: string, plausibility: number, confidence: number | null, comment: string | null, rater: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, myRating: { id: string, plausibility: number, confidence: number | null, comment: string | null } | null } };

export type CommentFieldsFragment = { id: string, parentId: string | null, body: string, timeStartSec: number | null, timeEndSec: number | null, createdAt: string, editedAt: string | null, author: { id: string, name: string }, mentions: Array<{ id: string, name: string }>, resolvedBy: { id: string, name: string } | null };

export type TeamMembersForMentionsQueryVariables = Exact<{
  id: string;
}>;


export type TeamMembersForMentionsQuery = { team: { id: string, members: { nodes: Array<{ id: string, role: Role, user: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type CreateAnnotationMutationVariables = Exact<{
  input: CreateAnnotationInput;
}>;


export type CreateAnnotationMutation = { createAnnotation: { id: string } };

export type DeleteAnnotationMutationVariables = Exact<{
  id: string;
}>;


export type DeleteAnnotationMutation = { deleteAnnotation: { id: string } };

export type AddCommentMutationVariables = Exact<{
  input: AddCommentInput;
}>;


export type AddCommentMutation = { addComment: { id: string } };

export type EditCommentMutationVariables = Exact<{
  id: string;
  input: EditCommentInput;
}>;


export type EditCommentMutation = { editComment: { id: string } };

export type ResolveCommentMutationVariables = Exact<{
  id: string;
  resolved: boolean;
}>;


export type ResolveCommentMutation = { resolveComment: { id: string } };

export type RateExplanationMutationVariables = Exact<{
  input: RateExplanationInput;
}>;


export type RateExplanationMutation = { rateExplanation: { id: string, plausibility: number, confidence: number | null, comment: string | null } };

export type PageInfoFieldsFragment = { hasNextPage: boolean, endCursor: string | null };

export type UserSummaryFragment = { id: string, name: string };

export type UserContactFragment = { email: string, id: string, name: string };

export type TeamSummaryFragment = { id: string, name: string, slug: string };

export type ApiTokenFieldsFragment = { id: string, name: string, prefix: string, teamId: string | null, scope: TokenScope, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null };

export type InvitationFieldsFragment = { id: string, email: string, role: Role, createdAt: string, expiresAt: string, acceptedAt: string | null, revokedAt: string | null };

export type ModelSummaryFragment = { id: string, name: string, version: string };

export type VideoSummaryFragment = { id: string, title: string };

export type VideoFieldsFragment = { filename: string, sizeBytes: number, status: VideoStatus, error: string | null, durationSec: number | null, fps: number | null, frameCount: number | null, width: number | null, height: number | null, url: string, createdAt: string, id: string, title: string, uploadedBy: { id: string, name: string } };

export type ExplanationSummaryFragment = { id: string, method: string, status: ExplanationStatus, reproducesId: string | null };

export type ExplanationLabelFieldsFragment = { id: string, method: string, reproducesId: string | null, params: unknown, createdAt: string, model: { id: string, name: string, version: string }, requestedBy: { id: string, name: string } };

export type SaliencyOverlayFieldsFragment = { frameTimestamps: Array<number>, modelWidth: number, modelHeight: number, crop: { x: number, y: number, w: number, h: number } };

export type RatingFieldsFragment = { id: string, plausibility: number, confidence: number | null, comment: string | null };

export type StudySummaryFragment = { id: string, name: string, design: StudyDesign, status: StudyStatus, methods: Array<string> };

export type StudyReadinessFieldsFragment = { ready: boolean, explanations: number, done: number };

export type StudyProgressFieldsFragment = { judged: number, total: number, completed: boolean };

export type RaterStudySummaryFragment = { id: string, name: string, design: StudyDesign, status: StudyStatus, progress: { judged: number, total: number, completed: boolean } };

export type ReviewSessionSummaryFragment = { id: string, title: string, status: ReviewStatus, startedAt: string, endedAt: string | null, host: { id: string, name: string } };

export type ReviewParticipantSummaryFragment = { userId: string, name: string };

export type ReviewPlaybackFieldsFragment = { explanationId: string | null, playing: boolean, timeSec: number, updatedAt: string };

export type ReviewCommentFieldsFragment = { id: string, explanationId: string | null, body: string, timeSec: number | null, createdAt: string, author: { userId: string, name: string }, mentions: Array<{ userId: string, name: string }> };

export type ReviewDecisionFieldsFragment = { explanationId: string, verdict: ReviewVerdict, note: string | null, decidedAt: string, decidedBy: { isHost: boolean, userId: string, name: string } };

export type ReproduceExplanationMutationVariables = Exact<{
  id: string;
}>;


export type ReproduceExplanationMutation = { reproduceExplanation: { id: string, status: ExplanationStatus, reproducesId: string | null } };

export type AuditEventsQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  action?: string | null | undefined;
  actorId?: string | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { nodes: Array<{ id: string, seq: number, action: string, subjectType: string, subjectId: string | null, createdAt: string, hash: string, actor: { id: string, name: string } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type VerifyAuditChainQueryVariables = Exact<{
  teamId: string;
}>;


export type VerifyAuditChainQuery = { verifyAuditChain: { ok: boolean, checked: number, firstBrokenEventId: string | null } };

export type TeamPeopleQueryVariables = Exact<{
  id: string;
}>;


export type TeamPeopleQuery = { team: { id: string, members: { nodes: Array<{ id: string, user: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type ExplanationPickerQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ExplanationFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type ExplanationPickerQuery = { explanations: { nodes: Array<{ id: string, method: string, status: ExplanationStatus, reproducesId: string | null, params: unknown, createdAt: string, video: { id: string, title: string }, model: { id: string, name: string, version: string }, requestedBy: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ModelsQueryVariables = Exact<{
  teamId: string;
}>;


export type ModelsQuery = { models: { nodes: Array<{ labels: Array<string>, builtin: boolean, weightsSha256: string, id: string, name: string, version: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ModelRegistryQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ModelFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type ModelRegistryQuery = { models: { nodes: Array<{ format: string, labels: Array<string>, builtin: boolean, weightsSha256: string, manifest: unknown, modelCard: unknown, createdAt: string, id: string, name: string, version: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ModelCardHistoryQueryVariables = Exact<{
  teamId: string;
  modelId: string;
}>;


export type ModelCardHistoryQuery = { modelCardHistory: { nodes: Array<{ id: string, revision: number, card: unknown, createdAt: string, author: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UpdateModelCardMutationVariables = Exact<{
  teamId: string;
  modelId: string;
  input: ModelCardInput;
}>;


export type UpdateModelCardMutation = { updateModelCard: { id: string, revision: number } };

export type AuditReportsQueryVariables = Exact<{
  teamId: string;
}>;


export type AuditReportsQuery = { auditReports: { nodes: Array<{ id: string, title: string, modelId: string | null, createdAt: string, files: Array<{ name: string, sha256: string, bytes: number, url: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type GenerateAuditReportMutationVariables = Exact<{
  teamId: string;
  modelId: string;
}>;


export type GenerateAuditReportMutation = { generateAuditReport: { id: string } };

export type NotificationFieldsFragment = { id: string, kind: NotificationKind, message: string, excerpt: string | null, href: string, createdAt: string, readAt: string | null };

export type NotificationsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  unreadOnly?: boolean | null | undefined;
}>;


export type NotificationsQuery = { unreadNotificationCount: number, notifications: { nodes: Array<{ id: string, kind: NotificationKind, message: string, excerpt: string | null, href: string, createdAt: string, readAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type UnreadNotificationCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadNotificationCountQuery = { unreadNotificationCount: number };

export type MarkNotificationsReadMutationVariables = Exact<{
  ids?: Array<string> | string | null | undefined;
  all?: boolean | null | undefined;
}>;


export type MarkNotificationsReadMutation = { markNotificationsRead: number };

export type NotificationsChangedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type NotificationsChangedSubscription = { notificationsChanged: { unreadCount: number, notification: { id: string, kind: NotificationKind, message: string, excerpt: string | null, href: string, createdAt: string, readAt: string | null } | null } };

export type ReviewSessionsQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: ReviewSessionFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type ReviewSessionsQuery = { reviewSessions: { nodes: Array<{ explanationIds: Array<string>, id: string, title: string, status: ReviewStatus, startedAt: string, endedAt: string | null, host: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type StartReviewSessionMutationVariables = Exact<{
  input: StartReviewSessionInput;
}>;


export type StartReviewSessionMutation = { startReviewSession: { id: string } };

export type JoinReviewSessionMutationVariables = Exact<{
  id: string;
}>;


export type JoinReviewSessionMutation = { joinReviewSession: { teamId: string, isHost: boolean, summary: unknown, id: string, title: string, status: ReviewStatus, startedAt: string, endedAt: string | null, explanations: Array<{ saliencyUrl: string | null, id: string, method: string, status: ExplanationStatus, reproducesId: string | null, overlay: { frameTimestamps: Array<number>, modelWidth: number, modelHeight: number, crop: { x: number, y: number, w: number, h: number } } | null, video: { url: string, fps: number | null, width: number | null, height: number | null, id: string, title: string } }>, playback: { explanationId: string | null, playing: boolean, timeSec: number, updatedAt: string } | null, present: Array<{ isHost: boolean, userId: string, name: string }>, comments: { nodes: Array<{ id: string, explanationId: string | null, body: string, timeSec: number | null, createdAt: string, author: { userId: string, name: string }, mentions: Array<{ userId: string, name: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, decisions: Array<{ explanationId: string, verdict: ReviewVerdict, note: string | null, decidedAt: string, decidedBy: { isHost: boolean, userId: string, name: string } }>, votes: { nodes: Array<{ explanationId: string, verdict: ReviewVerdict, note: string | null, decidedAt: string, decidedBy: { isHost: boolean, userId: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, host: { id: string, name: string } } };

export type LeaveReviewSessionMutationVariables = Exact<{
  id: string;
}>;


export type LeaveReviewSessionMutation = { leaveReviewSession: boolean };

export type ReviewHeartbeatMutationVariables = Exact<{
  id: string;
}>;


export type ReviewHeartbeatMutation = { reviewHeartbeat: boolean };

export type SetReviewPlaybackMutationVariables = Exact<{
  id: string;
  input: ReviewPlaybackInput;
}>;


export type SetReviewPlaybackMutation = { setReviewPlayback: { explanationId: string | null, playing: boolean, timeSec: number, updatedAt: string } };

export type AddReviewCommentMutationVariables = Exact<{
  id: string;
  input: ReviewCommentInput;
}>;


export type AddReviewCommentMutation = { addReviewComment: { id: string } };

export type DecideReviewExplanationMutationVariables = Exact<{
  id: string;
  input: ReviewDecisionInput;
}>;


export type DecideReviewExplanationMutation = { decideReviewExplanation: { explanationId: string } };

export type EndReviewSessionMutationVariables = Exact<{
  id: string;
}>;


export type EndReviewSessionMutation = { endReviewSession: { id: string, status: ReviewStatus, summary: unknown } };

export type ReviewSessionEventsSubscriptionVariables = Exact<{
  id: string;
}>;


export type ReviewSessionEventsSubscription = { reviewSessionEvents:
    | { __typename: 'ReviewCommentAdded', comment: { id: string, explanationId: string | null, body: string, timeSec: number | null, createdAt: string, author: { userId: string, name: string }, mentions: Array<{ userId: string, name: string }> } }
    | { __typename: 'ReviewDecisionMade', decision: { explanationId: string, verdict: ReviewVerdict, note: string | null, decidedAt: string, decidedBy: { isHost: boolean, userId: string, name: string } } }
    | { __typename: 'ReviewPlaybackChanged', playback: { explanationId: string | null, playing: boolean, timeSec: number, updatedAt: string } }
    | { __typename: 'ReviewPresenceChanged', present: Array<{ isHost: boolean, userId: string, name: string }> }
    | { __typename: 'ReviewSessionEnded', summary: unknown }
   };

export type StudiesQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: StudyFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type StudiesQuery = { studies: { nodes: Array<{ blinded: boolean, overlap: number, createdAt: string, id: string, name: string, design: StudyDesign, status: StudyStatus, methods: Array<string>, readiness: { ready: boolean, explanations: number, done: number } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type MyStudiesQueryVariables = Exact<{
  teamId: string;
}>;


export type MyStudiesQuery = { myStudies: { nodes: Array<{ id: string, name: string, design: StudyDesign, status: StudyStatus, progress: { judged: number, total: number, completed: boolean } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type StudyBuilderSourcesQueryVariables = Exact<{
  teamId: string;
}>;


export type StudyBuilderSourcesQuery = { team: { id: string, members: { nodes: Array<{ id: string, role: Role, user: { email: string, id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }, videos: { nodes: Array<{ status: VideoStatus, id: string, title: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, models: { nodes: Array<{ id: string, name: string, version: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateStudyMutationVariables = Exact<{
  input: CreateStudyInput;
}>;


export type CreateStudyMutation = { createStudy: { id: string } };

export type StudyQueryVariables = Exact<{
  id: string;
}>;


export type StudyQuery = { study: { teamId: string, instructions: string, likertPoints: number | null, anchors: Array<string> | null, allowTie: boolean, rankK: number | null, blinded: boolean, seed: number, overlap: number, raterIds: Array<string>, attentionChecks: number, createdAt: string, openedAt: string | null, closedAt: string | null, id: string, name: string, design: StudyDesign, status: StudyStatus, methods: Array<string>, readiness: { pending: number, failed: number, ready: boolean, explanations: number, done: number }, items: { nodes: Array<{ id: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, assignments: { nodes: Array<{ pseudonym: string, items: number, judged: number, completedAt: string | null, rater: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type StudyReadinessQueryVariables = Exact<{
  id: string;
}>;


export type StudyReadinessQuery = { study: { id: string, readiness: { pending: number, failed: number, ready: boolean, explanations: number, done: number } } };

export type UpdateStudyMutationVariables = Exact<{
  id: string;
  input: UpdateStudyInput;
}>;


export type UpdateStudyMutation = { updateStudy: { id: string, name: string, instructions: string, blinded: boolean, seed: number, overlap: number, raterIds: Array<string> } };

export type DeleteStudyMutationVariables = Exact<{
  id: string;
}>;


export type DeleteStudyMutation = { deleteStudy: string };

export type OpenStudyMutationVariables = Exact<{
  id: string;
}>;


export type OpenStudyMutation = { openStudy: { id: string, status: StudyStatus, openedAt: string | null } };

export type CloseStudyMutationVariables = Exact<{
  id: string;
}>;


export type CloseStudyMutation = { closeStudy: { id: string, status: StudyStatus, closedAt: string | null } };

export type StudyResultsQueryVariables = Exact<{
  id: string;
}>;


export type StudyResultsQuery = { study: { id: string, name: string, design: StudyDesign, status: StudyStatus, methods: Array<string>, results: { design: StudyDesign, judgements: number, bootstrap: unknown, fleissKappa: number | null, fleissKappaReason: string | null, cautions: Array<string>, winRates: unknown, correction: string, notes: Array<string>, methods: Array<{ method: string, n: number, estimate: number | null, lower: number | null, upper: number | null, reason: string | null, distribution: Array<number> }>, alpha: Array<{ level: string, alpha: number | null, method: string | null, pairableValues: number, reason: string | null }>, bradleyTerry: Array<{ method: string, strength: number, logStrength: number, lower: number | null, upper: number | null, separation: string | null }> | null, bradleyTerryFit: { method: string, priorSd: number | null, mleExists: boolean, comparisons: number, separatedResamples: number, B: number, caution: string | null } | null, pairedTests: Array<{ methodA: string, methodB: string, pairs: number, n: number, statistic: number | null, pValue: number | null, pAdjusted: number | null, test: string, reason: string | null }>, raters: Array<{ pseudonym: string, assigned: number, judged: number, completion: number, attentionChecks: number, attentionPassRate: number | null, medianTimeMs: number | null }> }, export: { csvUrl: string, bundle: unknown } } };

export type RaterStudyQueryVariables = Exact<{
  studyId: string;
}>;


export type RaterStudyQuery = { raterStudy: { instructions: string, likertPoints: number | null, anchors: Array<string> | null, allowTie: boolean, rankK: number | null, id: string, name: string, design: StudyDesign, status: StudyStatus, progress: { judged: number, total: number, completed: boolean } } };

export type NextStudyItemQueryVariables = Exact<{
  studyId: string;
}>;


export type NextStudyItemQuery = { nextStudyItem: { ref: string, index: number, total: number, design: StudyDesign, prompt: string | null, videoUrl: string, fps: number | null, frameCount: number | null, options: Array<{ alias: string, saliencyUrl: string, saliencyShape: Array<number> | null, label: string | null, overlay: { frameTimestamps: Array<number>, modelWidth: number, modelHeight: number, crop: { x: number, y: number, w: number, h: number } } | null }> } | null };

export type SubmitStudyJudgementMutationVariables = Exact<{
  input: StudyJudgementInput;
}>;


export type SubmitStudyJudgementMutation = { submitStudyJudgement: { judged: number, total: number, completed: boolean } };

export type TeamQueryVariables = Exact<{
  id: string;
}>;


export type TeamQuery = { team: { createdAt: string, viewerRole: Role, id: string, name: string, slug: string, members: { nodes: Array<{ id: string, role: Role, createdAt: string, user: { email: string, id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type TeamInvitationsQueryVariables = Exact<{
  id: string;
}>;


export type TeamInvitationsQuery = { team: { id: string, invitations: { nodes: Array<{ id: string, email: string, role: Role, createdAt: string, expiresAt: string, acceptedAt: string | null, revokedAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } };

export type CreateTeamMutationVariables = Exact<{
  input: CreateTeamInput;
}>;


export type CreateTeamMutation = { createTeam: { viewerRole: Role, id: string, name: string, slug: string } };

export type RenameTeamMutationVariables = Exact<{
  teamId: string;
  name: string;
}>;


export type RenameTeamMutation = { renameTeam: { id: string, name: string, slug: string } };

export type InviteMemberMutationVariables = Exact<{
  input: InviteMemberInput;
}>;


export type InviteMemberMutation = { inviteMember: { token: string, invitation: { id: string, email: string, role: Role, createdAt: string, expiresAt: string, acceptedAt: string | null, revokedAt: string | null } } };

export type RevokeInvitationMutationVariables = Exact<{
  id: string;
}>;


export type RevokeInvitationMutation = { revokeInvitation: { id: string, revokedAt: string | null } };

export type InvitationPreviewQueryVariables = Exact<{
  token: string;
}>;


export type InvitationPreviewQuery = { invitationPreview: { teamName: string, role: Role, invitedByName: string, expiresAt: string } | null };

export type AcceptInvitationMutationVariables = Exact<{
  token: string;
}>;


export type AcceptInvitationMutation = { acceptInvitation: { id: string, role: Role, team: { id: string, name: string } } };

export type ChangeMemberRoleMutationVariables = Exact<{
  input: ChangeRoleInput;
}>;


export type ChangeMemberRoleMutation = { changeMemberRole: { id: string, role: Role } };

export type RemoveMemberMutationVariables = Exact<{
  teamId: string;
  userId: string;
}>;


export type RemoveMemberMutation = { removeMember: boolean };

export type VideosQueryVariables = Exact<{
  teamId: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: VideoFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type VideosQuery = { videos: { nodes: Array<{ filename: string, sizeBytes: number, status: VideoStatus, error: string | null, durationSec: number | null, fps: number | null, frameCount: number | null, width: number | null, height: number | null, url: string, createdAt: string, id: string, title: string, uploadedBy: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type VideoPageQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
  filter?: ExplanationFilter | null | undefined;
  sort?: ListSort | null | undefined;
}>;


export type VideoPageQuery = { video: { teamId: string, codec: string | null, filename: string, sizeBytes: number, status: VideoStatus, error: string | null, durationSec: number | null, fps: number | null, frameCount: number | null, width: number | null, height: number | null, url: string, createdAt: string, id: string, title: string, explanations: { nodes: Array<{ target: string, params: unknown, progress: number, error: string | null, prediction: unknown, createdAt: string, finishedAt: string | null, id: string, method: string, status: ExplanationStatus, reproducesId: string | null, model: { id: string, name: string, version: string }, requestedBy: { id: string, name: string } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } }, uploadedBy: { id: string, name: string } } };

export type RenameVideoMutationVariables = Exact<{
  id: string;
  title: string;
}>;


export type RenameVideoMutation = { renameVideo: { id: string, title: string } };

export type DeleteVideoMutationVariables = Exact<{
  id: string;
}>;


export type DeleteVideoMutation = { deleteVideo: { id: string, deletedAt: string | null } };
