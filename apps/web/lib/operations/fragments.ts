import { withFragments } from '../graphql-fragments.ts';

/**
 * Selection sets that several operations share, defined once: a field added here reaches every
 * page that shows the object. Spread them (`...UserSummary`) and pass the constants to
 * `operation(query, [USER_SUMMARY, …])`, which appends each used definition once
 * (lib/graphql-fragments.ts). A fragment that spreads another carries that one's definition too
 * (`withFragments`), so operations list only the fragments they spread themselves.
 * codegen reads this file (codegen.ts `documents`) and generates a `…Fragment` type for each.
 */

/** Where a page of a list ends: lists are connections (`nodes` + `pageInfo`); a page says when more exist. */
export const PAGE_INFO_FIELDS = /* GraphQL */ `
  fragment PageInfoFields on PageInfo {
    hasNextPage
    endCursor
  }
`;

/** A person where a name is shown: authors, raters, hosts, uploaders, mention candidates. */
export const USER_SUMMARY = /* GraphQL */ `
  fragment UserSummary on User {
    id
    name
  }
`;

/** A person with their email: the signed-in account, team member lists. */
export const USER_CONTACT = withFragments(/* GraphQL */ `
  fragment UserContact on User {
    ...UserSummary
    email
  }
`, [USER_SUMMARY]);

/** A team in menus and headers: the viewer's memberships, the team page, create/rename. */
export const TEAM_SUMMARY = /* GraphQL */ `
  fragment TeamSummary on Team {
    id
    name
    slug
  }
`;

/** One personal API token row (the token list, and the row a new token adds). */
export const API_TOKEN_FIELDS = /* GraphQL */ `
  fragment ApiTokenFields on ApiToken {
    id
    name
    prefix
    teamId
    scope
    createdAt
    expiresAt
    lastUsedAt
    revokedAt
  }
`;

/** One invitation row (the invitation list, and the row a new invitation adds). */
export const INVITATION_FIELDS = /* GraphQL */ `
  fragment InvitationFields on Invitation {
    id
    email
    role
    createdAt
    expiresAt
    acceptedAt
    revokedAt
  }
`;

/** A model where it is named: pickers, the registry, an explanation's or a video's model. */
export const MODEL_SUMMARY = /* GraphQL */ `
  fragment ModelSummary on Model {
    id
    name
    version
  }
`;

/** A video where it is named: explanation lists and pickers, the viewer, live reviews. */
export const VIDEO_SUMMARY = /* GraphQL */ `
  fragment VideoSummary on Video {
    id
    title
  }
`;

/** A video's card and details: the dashboard grid and the video page. */
export const VIDEO_FIELDS = withFragments(/* GraphQL */ `
  fragment VideoFields on Video {
    ...VideoSummary
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
      ...UserSummary
    }
  }
`, [VIDEO_SUMMARY, USER_SUMMARY]);

/**
 * An explanation in a list or picker: a video's explanations, review and study sources, the viewer.
 * `reproducesId` lets every list label a reproduction as one (components/viewer/ReproductionOf.tsx).
 */
export const EXPLANATION_SUMMARY = /* GraphQL */ `
  fragment ExplanationSummary on Explanation {
    id
    method
    status
    reproducesId
  }
`;

/**
 * What `explanationLabel` (@fep/shared/methods) names an explanation by: parameters, model, date and
 * author. Spread next to ExplanationSummary wherever explanations are listed or picked (video page,
 * pickers, compare), so two runs of one method on one clip read differently.
 */
export const EXPLANATION_LABEL_FIELDS = withFragments(/* GraphQL */ `
  fragment ExplanationLabelFields on Explanation {
    id
    method
    reproducesId
    params
    createdAt
    model {
      ...ModelSummary
    }
    requestedBy {
      ...UserSummary
    }
  }
`, [MODEL_SUMMARY, USER_SUMMARY]);

/**
 * Where and when a heat map belongs on its video (timestamps and model crop, computed by the API
 * from provenance): what components/viewer/SaliencyOverlay.tsx needs, on every page that draws one.
 */
export const SALIENCY_OVERLAY_FIELDS = /* GraphQL */ `
  fragment SaliencyOverlayFields on SaliencyOverlay {
    frameTimestamps
    modelWidth
    modelHeight
    crop {
      x
      y
      w
      h
    }
  }
`;

/** A rating's scores (the viewer's own rating, and what rating an explanation returns). */
export const RATING_FIELDS = /* GraphQL */ `
  fragment RatingFields on Rating {
    id
    plausibility
    confidence
    comment
  }
`;

/** A study in lists and headers (the team's studies, the study admin and results pages). */
export const STUDY_SUMMARY = /* GraphQL */ `
  fragment StudySummary on Study {
    id
    name
    design
    status
    methods
  }
`;

/** Whether a study's explanations are computed (study list and study admin). */
export const STUDY_READINESS_FIELDS = /* GraphQL */ `
  fragment StudyReadinessFields on StudyReadiness {
    ready
    explanations
    done
  }
`;

/** A rater's progress through a study (their study list, the rater page, after each judgement). */
export const STUDY_PROGRESS_FIELDS = /* GraphQL */ `
  fragment StudyProgressFields on StudyProgress {
    judged
    total
    completed
  }
`;

/** A study as a rater sees it in lists and headers. */
export const RATER_STUDY_SUMMARY = withFragments(/* GraphQL */ `
  fragment RaterStudySummary on RaterStudy {
    id
    name
    design
    status
    progress {
      ...StudyProgressFields
    }
  }
`, [STUDY_PROGRESS_FIELDS]);

/** A live review session in the session list and on its page. */
export const REVIEW_SESSION_SUMMARY = withFragments(/* GraphQL */ `
  fragment ReviewSessionSummary on ReviewSession {
    id
    title
    status
    startedAt
    endedAt
    host {
      ...UserSummary
    }
  }
`, [USER_SUMMARY]);

/** Someone in a live review (presence, comment authors, deciders). */
export const REVIEW_PARTICIPANT_SUMMARY = /* GraphQL */ `
  fragment ReviewParticipantSummary on ReviewParticipant {
    userId
    name
  }
`;

/** The shared playhead of a live review (on join, after a change, in the event stream). */
export const REVIEW_PLAYBACK_FIELDS = /* GraphQL */ `
  fragment ReviewPlaybackFields on ReviewPlayback {
    explanationId
    playing
    timeSec
    updatedAt
  }
`;

/** A live review comment (on join and in the event stream, merged into one list). */
export const REVIEW_COMMENT_FIELDS = withFragments(/* GraphQL */ `
  fragment ReviewCommentFields on ReviewComment {
    id
    explanationId
    body
    timeSec
    createdAt
    author {
      ...ReviewParticipantSummary
    }
    mentions {
      ...ReviewParticipantSummary
    }
  }
`, [REVIEW_PARTICIPANT_SUMMARY]);

/** A live review verdict (on join and in the event stream, merged into one list). */
export const REVIEW_DECISION_FIELDS = withFragments(/* GraphQL */ `
  fragment ReviewDecisionFields on ReviewDecision {
    explanationId
    verdict
    note
    decidedAt
    decidedBy {
      ...ReviewParticipantSummary
      isHost
    }
  }
`, [REVIEW_PARTICIPANT_SUMMARY]);
