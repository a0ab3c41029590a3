'use client';

import { useRouter } from 'next/navigation';
import { userMessage } from '../lib/graphql-client.ts';
import type { ApiError } from '../lib/graphql-client.ts';
import { loginHref, signupHref, storeTeam } from '../lib/navigation.ts';
import { LOGOUT, VIEWER } from '../lib/operations/auth.ts';
import type { InvitationPreviewQuery } from '../lib/__generated__/graphql.ts';
import { ACCEPT_INVITATION, INVITATION_PREVIEW } from '../lib/operations/teams.ts';
import { ROLE_LABELS } from '../lib/roles.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AuthCard } from './AuthCard.tsx';
import { Button, ButtonLink } from './Button.tsx';
import { Skeleton } from './Skeleton.tsx';

function acceptErrorText(err: ApiError): string {
  if (err.code === 'NOT_FOUND') {
    return 'This invitation link does not work. It may have been revoked, used already, expired, or copied incompletely. Ask the person who invited you for a new one.';
  }
  return userMessage(err);
}

/** `/invite/[token]`: sign in (or sign up) first, then accept and land on the team's videos. */
export function AcceptInvitation({ token }: { token: string }) {
  const router = useRouter();
  const viewer = useQuery(VIEWER, {}, { redirectOnUnauthenticated: false });
  const preview = useQuery(INVITATION_PREVIEW, { token }, { redirectOnUnauthenticated: false });
  const accept = useMutation(ACCEPT_INVITATION, { redirectOnUnauthenticated: false });
  const logout = useMutation(LOGOUT, { redirectOnUnauthenticated: false });
  const here = `/invite/${encodeURIComponent(token)}`;

  async function onAccept() {
    const res = await accept.run({ token });
    if (!res) return;
    const teamId = res.acceptInvitation.team.id;
    storeTeam(teamId);
    router.replace(`/?team=${encodeURIComponent(teamId)}`);
  }

  async function onSwitchAccount() {
    if (await logout.run({})) window.location.assign(loginHref(here));
  }

  const loadError = viewer.error ?? preview.error;
  if (loadError) {
    return (
      <AuthCard title="Join a team">
        <Alert
          tone="error"
          action={
            <Button variant="secondary" size="sm" onClick={() => void Promise.all([viewer.reload(), preview.reload()])}>
              Try again
            </Button>
          }
        >
          {userMessage(loadError)}
        </Alert>
      </AuthCard>
    );
  }

  if (preview.data && !preview.data.invitationPreview) {
    return (
      <AuthCard title="This invitation link does not work">
        <Alert tone="error" testId="invitation-invalid">
          It may have been revoked, used already, expired, or copied incompletely. Ask the person who invited you for a new one.
        </Alert>
        <div className="mt-6">
          <ButtonLink href="/">Go to F-EP Studio</ButtonLink>
        </div>
      </AuthCard>
    );
  }

  if (!viewer.data || !preview.data) {
    return (
      <AuthCard title="Join a team">
        <div role="status" aria-busy="true" className="space-y-3">
          <span className="sr-only">Checking your session</span>
          <Skeleton className="h-4 w-full" />
          <Skeleton className="h-4 w-2/3" />
          <Skeleton className="h-10 w-full" />
        </div>
      </AuthCard>
    );
  }

  const invite = preview.data.invitationPreview!;
  const me = viewer.data.viewer;
  if (!me) {
    return (
      <AuthCard title={`Join ${invite.teamName}`} subtitle="You have been invited to a team on F-EP Studio.">
        <InvitationFacts invite={invite} />
        <p className="text-sm text-slate-700">Sign in, or create an account with the email address the invitation was sent to. You will come back here to accept it.</p>
        <div className="mt-6 flex flex-col gap-2">
          <ButtonLink href={loginHref(here)} variant="primary">
            Sign in to accept
          </ButtonLink>
          <ButtonLink href={signupHref(here)}>Create an account</ButtonLink>
        </div>
      </AuthCard>
    );
  }

  const joined = accept.error?.code === 'CONFLICT';
  return (
    <AuthCard title={`Join ${invite.teamName}`} subtitle={`Signed in as ${me.user.name} (${me.user.email}).`}>
      <InvitationFacts invite={invite} />
      {accept.error ? (
        <div className="mb-4">
          <Alert tone={joined ? 'info' : 'error'} testId="accept-error">
            {acceptErrorText(accept.error)}
          </Alert>
        </div>
      ) : null}
      <p className="text-sm text-slate-700">Accept the invitation to see the team&apos;s videos and explanations as {ROLE_LABELS[invite.role].toLowerCase()}.</p>
      <div className="mt-6 flex flex-col gap-2">
        <Button onClick={() => void onAccept()} loading={accept.pending} data-testid="accept-invitation">
          Accept invitation
        </Button>
        {joined ? <ButtonLink href="/">Go to your videos</ButtonLink> : null}
        <Button variant="ghost" onClick={() => void onSwitchAccount()} loading={logout.pending}>
          Use a different account
        </Button>
      </div>
      {me.memberships.nodes.length > 0 ? (
        <p className="mt-6 text-xs text-slate-600">
          You are already in {me.memberships.nodes.map((m) => `${m.team.name} (${ROLE_LABELS[m.role].toLowerCase()})`).join(', ')}.
        </p>
      ) : null}
    </AuthCard>
  );
}

/** Team, role and inviter: all an invitation link reveals (invitationPreview). */
function InvitationFacts({ invite }: { invite: NonNullable<InvitationPreviewQuery['invitationPreview']> }) {
  return (
    <dl className="mb-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 rounded-md bg-slate-50 p-3 text-sm" data-testid="invitation-facts">
      <dt className="text-slate-600">Team</dt>
      <dd className="font-medium text-slate-900" data-testid="invitation-team">
        {invite.teamName}
      </dd>
      <dt className="text-slate-600">Role</dt>
      <dd className="font-medium text-slate-900" data-testid="invitation-role">
        {ROLE_LABELS[invite.role]}
      </dd>
      <dt className="text-slate-600">Invited by</dt>
      <dd className="font-medium text-slate-900" data-testid="invitation-inviter">
        {invite.invitedByName}
      </dd>
    </dl>
  );
}
