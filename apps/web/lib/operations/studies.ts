import { operation } from '../graphql-client.ts';
import {
  EXPLANATION_SUMMARY,
  MODEL_SUMMARY,
  PAGE_INFO_FIELDS,
  RATER_STUDY_SUMMARY,
  SALIENCY_OVERLAY_FIELDS,
  STUDY_PROGRESS_FIELDS,
  STUDY_READINESS_FIELDS,
  STUDY_SUMMARY,
  USER_CONTACT,
  USER_SUMMARY,
  VIDEO_SUMMARY,
} from './fragments.ts';
import type {
  CloseStudyMutation,
  CloseStudyMutationVariables,
  DeleteStudyMutation,
  DeleteStudyMutationVariables,
  StudyReadinessQuery,
  StudyReadinessQueryVariables,
  UpdateStudyMutation,
  UpdateStudyMutationVariables,
  CreateStudyMutation,
  CreateStudyMutationVariables,
  MyStudiesQuery,
  MyStudiesQueryVariables,
  NextStudyItemQuery,
  NextStudyItemQueryVariables,
  OpenStudyMutation,
  OpenStudyMutationVariables,
  RaterStudyQuery,
  RaterStudyQueryVariables,
  StudiesQuery,
  StudiesQueryVariables,
  StudyBuilderSourcesQuery,
  StudyBuilderSourcesQueryVariables,
  StudyQuery,
  StudyQueryVariables,
  StudyResultsQuery,
  StudyResultsQueryVariables,
  SubmitStudyJudgementMutation,
  SubmitStudyJudgementMutationVariables,
} from '../__generated__/graphql.ts';

export const STUDIES = operation<StudiesQuery, StudiesQueryVariables>(/* GraphQL */ `
  query Studies($teamId: ID!, $first: Int = 25, $after: String, $filter: StudyFilter, $sort: ListSort) {
    studies(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort) {
      nodes {
        ...StudySummary
        blinded
        overlap
        createdAt
        readiness {
          ...StudyReadinessFields
        }
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, STUDY_SUMMARY, STUDY_READINESS_FIELDS]);

export const MY_STUDIES = operation<MyStudiesQuery, MyStudiesQueryVariables>(/* GraphQL */ `
  query MyStudies($teamId: ID!) {
    myStudies(teamId: $teamId, first: 50) {
      nodes {
        ...RaterStudySummary
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, RATER_STUDY_SUMMARY]);

/** What the builder offers: the team's members (raters), explanations, videos and models. */
export const STUDY_BUILDER_SOURCES = operation<StudyBuilderSourcesQuery, StudyBuilderSourcesQueryVariables>(/* GraphQL */ `
  query StudyBuilderSources($teamId: ID!) {
    team(id: $teamId) {
      id
      members(first: 100) {
        nodes {
          id
          role
          user {
            ...UserContact
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
    videos(teamId: $teamId, first: 100) {
      nodes {
        ...VideoSummary
        status
      }
      pageInfo {
        ...PageInfoFields
      }
    }
    models(teamId: $teamId, first: 100) {
      nodes {
        ...ModelSummary
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, USER_CONTACT, EXPLANATION_SUMMARY, VIDEO_SUMMARY, MODEL_SUMMARY]);

export const CREATE_STUDY = operation<CreateStudyMutation, CreateStudyMutationVariables>(/* GraphQL */ `
  mutation CreateStudy($input: CreateStudyInput!) {
    createStudy(input: $input) {
      id
    }
  }
`);

export const STUDY = operation<StudyQuery, StudyQueryVariables>(/* GraphQL */ `
  query Study($id: ID!) {
    study(id: $id) {
      ...StudySummary
      teamId
      instructions
      likertPoints
      anchors
      allowTie
      rankK
      blinded
      seed
      overlap
      raterIds
      attentionChecks
      createdAt
      openedAt
      closedAt
      readiness {
        ...StudyReadinessFields
        pending
        failed
      }
      items(first: 100) {
        nodes {
          id
        }
        pageInfo {
          ...PageInfoFields
        }
      }
      assignments(first: 100) {
        nodes {
          pseudonym
          items
          judged
          completedAt
          rater {
            ...UserSummary
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, STUDY_SUMMARY, STUDY_READINESS_FIELDS, USER_SUMMARY]);

/** Polled by the study page while a draft waits for its explanations (the banner updates live). */
export const STUDY_READINESS = operation<StudyReadinessQuery, StudyReadinessQueryVariables>(/* GraphQL */ `
  query StudyReadiness($id: ID!) {
    study(id: $id) {
      id
      readiness {
        ...StudyReadinessFields
        pending
        failed
      }
    }
  }
`, [STUDY_READINESS_FIELDS]);

export const UPDATE_STUDY = operation<UpdateStudyMutation, UpdateStudyMutationVariables>(/* GraphQL */ `
  mutation UpdateStudy($id: ID!, $input: UpdateStudyInput!) {
    updateStudy(id: $id, input: $input) {
      id
      name
      instructions
      blinded
      seed
      overlap
      raterIds
    }
  }
`);

export const DELETE_STUDY = operation<DeleteStudyMutation, DeleteStudyMutationVariables>(/* GraphQL */ `
  mutation DeleteStudy($id: ID!) {
    deleteStudy(id: $id)
  }
`);

export const OPEN_STUDY = operation<OpenStudyMutation, OpenStudyMutationVariables>(/* GraphQL */ `
  mutation OpenStudy($id: ID!) {
    openStudy(id: $id) {
      id
      status
      openedAt
    }
  }
`);

export const CLOSE_STUDY = operation<CloseStudyMutation, CloseStudyMutationVariables>(/* GraphQL */ `
  mutation CloseStudy($id: ID!) {
    closeStudy(id: $id) {
      id
      status
      closedAt
    }
  }
`);

export const STUDY_RESULTS = operation<StudyResultsQuery, StudyResultsQueryVariables>(/* GraphQL */ `
  query StudyResults($id: ID!) {
    study(id: $id) {
      ...StudySummary
      results {
        design
        judgements
        bootstrap
        methods {
          method
          n
          estimate
          lower
          upper
          reason
          distribution
        }
        alpha {
          level
          alpha
          method
          pairableValues
          reason
        }
        fleissKappa
        fleissKappaReason
        cautions
        bradleyTerry {
          method
          strength
          logStrength
          lower
          upper
          separation
        }
        bradleyTerryFit {
          method
          priorSd
          mleExists
          comparisons
          separatedResamples
          B
          caution
        }
        winRates
        pairedTests {
          methodA
          methodB
          pairs
          n
          statistic
          pValue
          pAdjusted
          test
          reason
        }
        correction
        raters {
          pseudonym
          assigned
          judged
          completion
          attentionChecks
          attentionPassRate
          medianTimeMs
        }
        notes
      }
      export {
        csvUrl
        bundle
      }
    }
  }
`, [STUDY_SUMMARY]);

export const RATER_STUDY = operation<RaterStudyQuery, RaterStudyQueryVariables>(/* GraphQL */ `
  query RaterStudy($studyId: ID!) {
    raterStudy(studyId: $studyId) {
      ...RaterStudySummary
      instructions
      likertPoints
      anchors
      allowTie
      rankK
    }
  }
`, [RATER_STUDY_SUMMARY]);

export const NEXT_STUDY_ITEM = operation<NextStudyItemQuery, NextStudyItemQueryVariables>(/* GraphQL */ `
  query NextStudyItem($studyId: ID!) {
    nextStudyItem(studyId: $studyId) {
      ref
      index
      total
      design
      prompt
      videoUrl
      fps
      frameCount
      options {
        alias
        saliencyUrl
        saliencyShape
        overlay {
          ...SaliencyOverlayFields
        }
        label
      }
    }
  }
`, [SALIENCY_OVERLAY_FIELDS]);

export const SUBMIT_STUDY_JUDGEMENT = operation<SubmitStudyJudgementMutation, SubmitStudyJudgementMutationVariables>(/* GraphQL */ `
  mutation SubmitStudyJudgement($input: StudyJudgementInput!) {
    submitStudyJudgement(input: $input) {
      ...StudyProgressFields
    }
  }
`, [STUDY_PROGRESS_FIELDS]);
