'use client';

import { useRouter } from 'next/navigation';
import { userMessage } from '../lib/graphql-client.ts';
import type { ApiError } from '../lib/graphql-client.ts';
import { loginHref, signupHref, storeTeam } from '../lib/navigation.ts';
import { LOGOUT, VIEWER } from '../lib/operations/auth.ts';
import { ACCEPT_INVITATION } from '../lib/operations/teams.ts';
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

  if (viewer.error) {
    return (
      <AuthCard title="Join a team">
        <Alert tone="error" action={<Button variant="secondary" size="sm" onClick={() => void viewer.reload()}>Try again</Button>}>
          {userMessage(viewer.error)}
        </Alert>
      </AuthCard>
    );
  }

  if (!viewer.data) {
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

  const me = viewer.data.viewer;
  if (!me) {
    return (
      <AuthCard title="Join a team" subtitle="You have been invited to a team on F-EP Studio.">
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
    <AuthCard title="Join a team" subtitle={`Signed in as ${me.user.name} (${me.user.email}).`}>
      {accept.error ? (
        <div className="mb-4">
          <Alert tone={joined ? 'info' : 'error'} testId="accept-error">
            {acceptErrorText(accept.error)}
          </Alert>
        </div>
      ) : null}
      <p className="text-sm text-slate-700">Accept the invitation to see the team&apos;s videos and explanations with the role it was given.</p>
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
