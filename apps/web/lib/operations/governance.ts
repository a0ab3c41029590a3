import { operation } from '../graphql-client.ts';
import { PAGE_INFO_FIELDS, USER_SUMMARY } from './fragments.ts';
import type {
  AuditEventsQuery,
  AuditEventsQueryVariables,
  ReproduceExplanationMutation,
  ReproduceExplanationMutationVariables,
  VerifyAuditChainQuery,
  VerifyAuditChainQueryVariables,
} from '../__generated__/graphql.ts';

/** Re-runs an explanation from its provenance; the answer is the new (queued) reproduction. */
export const REPRODUCE_EXPLANATION = operation<ReproduceExplanationMutation, ReproduceExplanationMutationVariables>(/* GraphQL */ `
  mutation ReproduceExplanation($id: ID!) {
    reproduceExplanation(id: $id) {
      id
      status
      reproducesId
    }
  }
`);

/** One page of the team's audit log (oldest first), with the page's filters. */
export const AUDIT_EVENTS = operation<AuditEventsQuery, AuditEventsQueryVariables>(/* GraphQL */ `
  query AuditEvents($teamId: ID!, $first: Int, $after: String, $action: String, $actorId: ID, $since: DateTime, $until: DateTime) {
    auditEvents(teamId: $teamId, first: $first, after: $after, action: $action, actorId: $actorId, since: $since, until: $until) {
      nodes {
        id
        seq
        action
        subjectType
        subjectId
        createdAt
        hash
        actor {
          ...UserSummary
        }
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [USER_SUMMARY, PAGE_INFO_FIELDS]);

export const VERIFY_AUDIT_CHAIN = operation<VerifyAuditChainQuery, VerifyAuditChainQueryVariables>(/* GraphQL */ `
  query VerifyAuditChain($teamId: ID!) {
    verifyAuditChain(teamId: $teamId) {
      ok
      checked
      firstBrokenEventId
    }
  }
`);
