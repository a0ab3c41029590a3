import { operation } from '../graphql-client.ts';
import { INVITATION_FIELDS, PAGE_INFO_FIELDS, TEAM_SUMMARY, USER_CONTACT } from './fragments.ts';
import type {
  AcceptInvitationMutation,
  AcceptInvitationMutationVariables,
  ChangeMemberRoleMutation,
  ChangeMemberRoleMutationVariables,
  CreateTeamMutation,
  CreateTeamMutationVariables,
  InvitationPreviewQuery,
  InvitationPreviewQueryVariables,
  InviteMemberMutation,
  InviteMemberMutationVariables,
  RemoveMemberMutation,
  RemoveMemberMutationVariables,
  RenameTeamMutation,
  RenameTeamMutationVariables,
  RevokeInvitationMutation,
  RevokeInvitationMutationVariables,
  TeamQuery,
  TeamQueryVariables,
  TeamInvitationsQuery,
  TeamInvitationsQueryVariables,
} from '../__generated__/graphql.ts';

export const TEAM = operation<TeamQuery, TeamQueryVariables>(/* GraphQL */ `
  query Team($id: ID!) {
    team(id: $id) {
      ...TeamSummary
      createdAt
      viewerRole
      members(first: 100) {
        nodes {
          id
          role
          createdAt
          user {
            ...UserContact
          }
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, TEAM_SUMMARY, USER_CONTACT]);

/** Separate from TEAM: only owners/admins may read invitations, and a refusal must not hide the members. */
export const TEAM_INVITATIONS = operation<TeamInvitationsQuery, TeamInvitationsQueryVariables>(/* GraphQL */ `
  query TeamInvitations($id: ID!) {
    team(id: $id) {
      id
      invitations(first: 100) {
        nodes {
          ...InvitationFields
        }
        pageInfo {
          ...PageInfoFields
        }
      }
    }
  }
`, [PAGE_INFO_FIELDS, INVITATION_FIELDS]);

export const CREATE_TEAM = operation<CreateTeamMutation, CreateTeamMutationVariables>(/* GraphQL */ `
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      ...TeamSummary
      viewerRole
    }
  }
`, [TEAM_SUMMARY]);

export const RENAME_TEAM = operation<RenameTeamMutation, RenameTeamMutationVariables>(/* GraphQL */ `
  mutation RenameTeam($teamId: ID!, $name: String!) {
    renameTeam(teamId: $teamId, name: $name) {
      ...TeamSummary
    }
  }
`, [TEAM_SUMMARY]);

export const INVITE_MEMBER = operation<InviteMemberMutation, InviteMemberMutationVariables>(/* GraphQL */ `
  mutation InviteMember($input: InviteMemberInput!) {
    inviteMember(input: $input) {
      token
      invitation {
        ...InvitationFields
      }
    }
  }
`, [INVITATION_FIELDS]);

export const REVOKE_INVITATION = operation<RevokeInvitationMutation, RevokeInvitationMutationVariables>(/* GraphQL */ `
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(id: $id) {
      id
      revokedAt
    }
  }
`);

/** Public: what an invitation link says before sign-in (null when the link cannot be used). */
export const INVITATION_PREVIEW = operation<InvitationPreviewQuery, InvitationPreviewQueryVariables>(/* GraphQL */ `
  query InvitationPreview($token: String!) {
    invitationPreview(token: $token) {
      teamName
      role
      invitedByName
      expiresAt
    }
  }
`);

export const ACCEPT_INVITATION = operation<AcceptInvitationMutation, AcceptInvitationMutationVariables>(/* GraphQL */ `
  mutation AcceptInvitation($token: String!) {
    acceptInvitation(token: $token) {
      id
      role
      team {
        id
        name
      }
    }
  }
`);

export const CHANGE_MEMBER_ROLE = operation<ChangeMemberRoleMutation, ChangeMemberRoleMutationVariables>(/* GraphQL */ `
  mutation ChangeMemberRole($input: ChangeRoleInput!) {
    changeMemberRole(input: $input) {
      id
      role
    }
  }
`);

export const REMOVE_MEMBER = operation<RemoveMemberMutation, RemoveMemberMutationVariables>(/* GraphQL */ `
  mutation RemoveMember($teamId: ID!, $userId: ID!) {
    removeMember(teamId: $teamId, userId: $userId)
  }
`);
