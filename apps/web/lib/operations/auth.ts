import { operation } from '../graphql-client.ts';
import { API_TOKEN_FIELDS, PAGE_INFO_FIELDS, TEAM_SUMMARY, USER_CONTACT } from './fragments.ts';
import type {
  CreateApiTokenMutation,
  CreateApiTokenMutationVariables,
  ApiTokensQuery,
  ApiTokensQueryVariables,
  ChangePasswordMutation,
  ChangePasswordMutationVariables,
  IssuePasswordResetMutation,
  IssuePasswordResetMutationVariables,
  ResetPasswordMutation,
  ResetPasswordMutationVariables,
  UpdateProfileMutation,
  UpdateProfileMutationVariables,
  LoginMutation,
  LoginMutationVariables,
  LogoutMutation,
  LogoutMutationVariables,
  RevokeApiTokenMutation,
  RevokeApiTokenMutationVariables,
  SignUpMutation,
  SignUpMutationVariables,
  ViewerQuery,
  ViewerQueryVariables,
} from '../__generated__/graphql.ts';

export const VIEWER = operation<ViewerQuery, ViewerQueryVariables>(/* GraphQL */ `
  query Viewer {
    viewer {
      user {
        ...UserContact
      }
      memberships(first: 100) {
        nodes {
          id
          role
          team {
            ...TeamSummary
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, USER_CONTACT, TEAM_SUMMARY]);

export const SIGN_UP = operation<SignUpMutation, SignUpMutationVariables>(/* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      user {
        ...UserContact
      }
    }
  }
`, [USER_CONTACT]);

export const LOGIN = operation<LoginMutation, LoginMutationVariables>(/* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user {
        ...UserContact
      }
    }
  }
`, [USER_CONTACT]);

export const LOGOUT = operation<LogoutMutation, LogoutMutationVariables>(/* GraphQL */ `
  mutation Logout {
    logout
  }
`);

export const API_TOKENS = operation<ApiTokensQuery, ApiTokensQueryVariables>(/* GraphQL */ `
  query ApiTokens {
    apiTokens(first: 100) {
      nodes {
        ...ApiTokenFields
      }
      pageInfo {
        ...PageInfoFields
      }
    }
  }
`, [PAGE_INFO_FIELDS, API_TOKEN_FIELDS]);

export const CREATE_API_TOKEN = operation<CreateApiTokenMutation, CreateApiTokenMutationVariables>(/* GraphQL */ `
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token
      apiToken {
        ...ApiTokenFields
      }
    }
  }
`, [API_TOKEN_FIELDS]);

export const REVOKE_API_TOKEN = operation<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>(/* GraphQL */ `
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

export const UPDATE_PROFILE = operation<UpdateProfileMutation, UpdateProfileMutationVariables>(/* GraphQL */ `
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      ...UserContact
    }
  }
`, [USER_CONTACT]);

export const CHANGE_PASSWORD = operation<ChangePasswordMutation, ChangePasswordMutationVariables>(/* GraphQL */ `
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      otherSessionsRevoked
    }
  }
`);

export const ISSUE_PASSWORD_RESET = operation<IssuePasswordResetMutation, IssuePasswordResetMutationVariables>(/* GraphQL */ `
  mutation IssuePasswordReset($input: IssuePasswordResetInput!) {
    issuePasswordReset(input: $input) {
      path
      expiresAt
      email
    }
  }
`);

export const RESET_PASSWORD = operation<ResetPasswordMutation, ResetPasswordMutationVariables>(/* GraphQL */ `
  mutation ResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      user {
        ...UserContact
      }
    }
  }
`, [USER_CONTACT]);
