import { operation } from '../graphql-client.ts';
import { MODEL_SUMMARY, PAGE_INFO_FIELDS, USER_SUMMARY } from './fragments.ts';
import type {
  AuditReportsQuery,
  AuditReportsQueryVariables,
  GenerateAuditReportMutation,
  GenerateAuditReportMutationVariables,
  ModelCardHistoryQuery,
  ModelCardHistoryQueryVariables,
  ModelRegistryQuery,
  ModelRegistryQueryVariables,
  ModelsQuery,
  ModelsQueryVariables,
  UpdateModelCardMutation,
  UpdateModelCardMutationVariables,
} from '../__generated__/graphql.ts';

export const MODELS = operation<ModelsQuery, ModelsQueryVariables>(/* GraphQL */ `
  query Models($teamId: ID!) {
    models(teamId: $teamId, first: 100) {
      nodes {
        ...ModelSummary
        labels
        builtin
        weightsSha256
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, MODEL_SUMMARY]);

export const MODEL_REGISTRY = operation<ModelRegistryQuery, ModelRegistryQueryVariables>(/* GraphQL */ `
  query ModelRegistry($teamId: ID!, $first: Int = 20, $after: String, $filter: ModelFilter, $sort: ListSort) {
    models(teamId: $teamId, first: $first, after: $after, filter: $filter, sort: $sort) {
      nodes {
        ...ModelSummary
        format
        labels
        builtin
        weightsSha256
        manifest
        modelCard
        createdAt
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, MODEL_SUMMARY]);

export const MODEL_CARD_HISTORY = operation<ModelCardHistoryQuery, ModelCardHistoryQueryVariables>(/* GraphQL */ `
  query ModelCardHistory($teamId: ID!, $modelId: ID!) {
    modelCardHistory(teamId: $teamId, modelId: $modelId, first: 50) {
      nodes {
        id
        revision
        card
        createdAt
        author {
          ...UserSummary
        }
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, USER_SUMMARY]);

export const UPDATE_MODEL_CARD = operation<UpdateModelCardMutation, UpdateModelCardMutationVariables>(/* GraphQL */ `
  mutation UpdateModelCard($teamId: ID!, $modelId: ID!, $input: ModelCardInput!) {
    updateModelCard(teamId: $teamId, modelId: $modelId, input: $input) {
      id
      revision
    }
  }
`);

export const AUDIT_REPORTS = operation<AuditReportsQuery, AuditReportsQueryVariables>(/* GraphQL */ `
  query AuditReports($teamId: ID!) {
    auditReports(teamId: $teamId, first: 50) {
      nodes {
        id
        title
        modelId
        createdAt
        files {
          name
          sha256
          bytes
          url
        }
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS]);

export const GENERATE_AUDIT_REPORT = operation<GenerateAuditReportMutation, GenerateAuditReportMutationVariables>(/* GraphQL */ `
  mutation GenerateAuditReport($teamId: ID!, $modelId: ID!) {
    generateAuditReport(teamId: $teamId, modelId: $modelId) {
      id
    }
  }
`);
