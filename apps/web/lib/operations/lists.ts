import { operation } from '../graphql-client.ts';
import { EXPLANATION_LABEL_FIELDS, EXPLANATION_SUMMARY, PAGE_INFO_FIELDS, USER_SUMMARY, VIDEO_SUMMARY } from './fragments.ts';
import type { ExplanationPickerQuery, ExplanationPickerQueryVariables, TeamPeopleQuery, TeamPeopleQueryVariables } from '../__generated__/graphql.ts';

/** The team's members by name: the "author" filter of every list. */
export const TEAM_PEOPLE = operation<TeamPeopleQuery, TeamPeopleQueryVariables>(/* GraphQL */ `
  query TeamPeople($id: ID!) {
    team(id: $id) {
      id
      members(first: 100) {
        nodes {
          id
          user {
            ...UserSummary
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, USER_SUMMARY]);

/** A page of the team's explanations for a picker (review creation, study builder), narrowed and sorted. */
export const EXPLANATION_PICKER = operation<ExplanationPickerQuery, ExplanationPickerQueryVariables>(/* GraphQL */ `
  query ExplanationPicker($teamId: ID!, $first: Int = 50, $after: String, $filter: ExplanationFilter, $sort: ListSort) {
    explanations(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort) {
      nodes {
        ...ExplanationSummary
        ...ExplanationLabelFields
        video {
          ...VideoSummary
        }
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, EXPLANATION_SUMMARY, EXPLANATION_LABEL_FIELDS, VIDEO_SUMMARY]);
