/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type ChangeRoleInput = {
  role: Role;
  teamId: string;
  userId: string;
};

export type CreateApiTokenInput = {
  /** Days until expiry (1–365); omit for no expiry. */
  expiresInDays?: number | null | undefined;
  name: string;
  /** Restrict the token to one team (optional). */
  teamId?: string | null | undefined;
};

export type CreateTeamInput = {
  name: string;
};

export type InviteMemberInput = {
  email: string;
  role: Role;
  teamId: string;
};

export type LoginInput = {
  email: string;
  password: string;
};

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

export type VideoStatus =
  | 'FAILED'
  | 'PROCESSING'
  | 'READY';

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { user: { id: string, email: string, name: string }, memberships: Array<{ id: string, role: Role, team: { id: string, name: string, slug: string } }> } | null };

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { user: { id: string, email: string, name: string } } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { login: { user: { id: string, email: string, name: string } } };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean };

export type ApiTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiTokensQuery = { apiTokens: Array<{ id: string, name: string, prefix: string, teamId: string | null, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null }> };

export type CreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type CreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, name: string, prefix: string, teamId: string | null, createdAt: string, expiresAt: string | null, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: { id: string, revokedAt: string | null } };

export type TeamQueryVariables = Exact<{
  id: string;
}>;


export type TeamQuery = { team: { id: string, name: string, slug: string, createdAt: string, viewerRole: Role, members: Array<{ id: string, role: Role, createdAt: string, user: { id: string, name: string, email: string } }> } };

export type TeamInvitationsQueryVariables = Exact<{
  id: string;
}>;


export type TeamInvitationsQuery = { team: { id: string, invitations: Array<{ id: string, email: string, role: Role, createdAt: string, expiresAt: string, acceptedAt: string | null, revokedAt: string | null }> } };

export type CreateTeamMutationVariables = Exact<{
  input: CreateTeamInput;
}>;


export type CreateTeamMutation = { createTeam: { id: string, name: string, slug: string, viewerRole: Role } };

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
}>;


export type VideosQuery = { videos: Array<{ id: string, title: string, filename: string, sizeBytes: number, status: VideoStatus, error: string | null, durationSec: number | null, width: number | null, height: number | null, url: string, createdAt: string, uploadedBy: { id: string, name: string } }> };
