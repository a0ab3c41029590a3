import { operation } from '../graphql-client.ts';
import type {
  CloseStudyMutation,
  CloseStudyMutationVariables,
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
  query Studies($teamId: ID!) {
    studies(teamId: $teamId) {
      id
      name
      design
      status
      blinded
      overlap
      methods
      createdAt
      readiness {
        ready
        explanations
        done
      }
    }
  }
`);

export const MY_STUDIES = operation<MyStudiesQuery, MyStudiesQueryVariables>(/* GraphQL */ `
  query MyStudies($teamId: ID!) {
    myStudies(teamId: $teamId) {
      id
      name
      design
      status
      progress {
        judged
        total
        completed
      }
    }
  }
`);

/** What the builder offers: the team's members (raters), explanations, videos and models. */
export const STUDY_BUILDER_SOURCES = operation<StudyBuilderSourcesQuery, StudyBuilderSourcesQueryVariables>(/* GraphQL */ `
  query StudyBuilderSources($teamId: ID!) {
    team(id: $teamId) {
      id
      members {
        id
        role
        user {
          id
          name
          email
        }
      }
    }
    explanations(teamId: $teamId) {
      id
      method
      status
      video {
        id
        title
      }
    }
    videos(teamId: $teamId) {
      id
      title
      status
    }
    models(teamId: $teamId) {
      id
      name
      version
    }
  }
`);

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
      id
      teamId
      name
      instructions
      design
      likertPoints
      anchors
      allowTie
      rankK
      blinded
      seed
      overlap
      status
      methods
      raterIds
      attentionChecks
      createdAt
      openedAt
      closedAt
      readiness {
        ready
        explanations
        done
        pending
        failed
      }
      items {
        id
      }
      assignments {
        pseudonym
        items
        judged
        completedAt
        rater {
          id
          name
        }
      }
    }
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
      id
      name
      design
      status
      methods
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
          distribution
        }
        alpha {
          level
          alpha
          method
        }
        fleissKappa
        bradleyTerry {
          method
          strength
          logStrength
          lower
          upper
        }
        winRates
        pairedTests {
          methodA
          methodB
          n
          statistic
          pValue
          pAdjusted
          test
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
`);

export const RATER_STUDY = operation<RaterStudyQuery, RaterStudyQueryVariables>(/* GraphQL */ `
  query RaterStudy($studyId: ID!) {
    raterStudy(studyId: $studyId) {
      id
      name
      instructions
      design
      likertPoints
      anchors
      allowTie
      rankK
      status
      progress {
        judged
        total
        completed
      }
    }
  }
`);

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
        windowStartSec
        label
      }
    }
  }
`);

export const SUBMIT_STUDY_JUDGEMENT = operation<SubmitStudyJudgementMutation, SubmitStudyJudgementMutationVariables>(/* GraphQL */ `
  mutation SubmitStudyJudgement($input: StudyJudgementInput!) {
    submitStudyJudgement(input: $input) {
      judged
      total
      completed
    }
  }
`);
