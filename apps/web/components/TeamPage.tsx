'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { fieldError, formString } from '../lib/form.ts';
import { RENAME_TEAM, TEAM } from '../lib/operations/teams.ts';
import { ROLE_LABELS, can, canManageMembers } from '../lib/roles.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Button, ButtonLink } from './Button.tsx';
import { Card, PageHeader } from './Card.tsx';
import { EmptyState } from './EmptyState.tsx';
import { TextField } from './Field.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';
import { TeamInvitations } from './TeamInvitations.tsx';
import { TeamMembers } from './TeamMembers.tsx';
import { useViewer } from './ViewerContext.tsx';

function TeamSkeleton() {
  return (
    <LoadingRegion label="Loading team">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-7 w-56" />
        <Skeleton className="h-4 w-72" />
      </div>
      <div className="space-y-6">
        <Skeleton className="h-64 w-full" />
        <Skeleton className="h-48 w-full" />
      </div>
    </LoadingRegion>
  );
}

/** `/teams/[id]`: members with roles, invitations (owners/admins), team name. */
export function TeamPage({ teamId }: { teamId: string }) {
  const router = useRouter();
  return (
    <AppShell teamHint={teamId} skeleton={<TeamSkeleton />} onTeamChange={(id) => router.push(`/teams/${encodeURIComponent(id)}`)}>
      <TeamDetails teamId={teamId} />
    </AppShell>
  );
}

function TeamDetails({ teamId }: { teamId: string }) {
  const { user, refresh } = useViewer();
  const q = useQuery(TEAM, { id: teamId });

  if (q.error) {
    if (q.error.code === 'NOT_FOUND' || q.error.code === 'FORBIDDEN') {
      return (
        <EmptyState title="Team not available" action={<ButtonLink href="/">Back to your videos</ButtonLink>}>
          This team does not exist, or you are not a member of it. Ask one of its owners for an invitation.
        </EmptyState>
      );
    }
    return (
      <Alert tone="error" title="We could not load this team" action={<Button variant="secondary" size="sm" onClick={() => void q.reload()}>Try again</Button>}>
        {userMessage(q.error)}
      </Alert>
    );
  }
  if (!q.data) return <TeamSkeleton />;

  const team = q.data.team;
  const manager = canManageMembers(team.viewerRole);

  return (
    <>
      <PageHeader
        title={team.name}
        description={`Your role: ${ROLE_LABELS[team.viewerRole]}.${manager ? '' : ' Owners and admins manage members and invitations.'}`}
        actions={
          can(team.viewerRole, 'video.read') || can(team.viewerRole, 'audit.read') ? (
            <>
              {can(team.viewerRole, 'audit.read') ? (
                <ButtonLink href={`/teams/${encodeURIComponent(team.id)}/audit`} variant="secondary">
                  Audit log
                </ButtonLink>
              ) : null}
              {can(team.viewerRole, 'video.read') ? <ButtonLink href={`/?team=${encodeURIComponent(team.id)}`}>View videos</ButtonLink> : null}
            </>
          ) : undefined
        }
      />
      <div className="space-y-6">
        <TeamMembers
          team={team}
          viewerId={user.id}
          onChanged={(memberId, role) =>
            q.setData((prev) => (prev ? { team: { ...prev.team, members: { ...prev.team.members, nodes: prev.team.members.nodes.map((m) => (m.id === memberId ? { ...m, role } : m)) } } } : prev))
          }
          onRemoved={(memberId) =>
            q.setData((prev) => (prev ? { team: { ...prev.team, members: { ...prev.team.members, nodes: prev.team.members.nodes.filter((m) => m.id !== memberId) } } } : prev))
          }
        />
        {manager ? <TeamInvitations teamId={team.id} teamName={team.name} viewerRole={team.viewerRole} /> : null}
        {manager ? (
          <RenameTeam
            teamId={team.id}
            name={team.name}
            onRenamed={(name) => {
              q.setData((prev) => (prev ? { team: { ...prev.team, name } } : prev));
              void refresh();
            }}
          />
        ) : null}
      </div>
    </>
  );
}

function RenameTeam({ teamId, name, onRenamed }: { teamId: string; name: string; onRenamed: (name: string) => void }) {
  const rename = useMutation(RENAME_TEAM);
  const [saved, setSaved] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    const res = await rename.run({ teamId, name: formString(new FormData(e.currentTarget), 'name') });
    if (res) {
      onRenamed(res.renameTeam.name);
      setSaved(true);
    }
  }

  const inline = fieldError(rename.error, 'name');
  return (
    <Card id="team-settings" title="Team name">
      <form onSubmit={onSubmit} className="grid max-w-xl grid-cols-[1fr_auto] items-start gap-3">
        <TextField label="Name" name="name" defaultValue={name} required maxLength={80} error={inline} />
        <Button type="submit" variant="secondary" loading={rename.pending} className="mt-6.5">
          Save
        </Button>
      </form>
      {rename.error && !inline ? <Alert tone="error">{userMessage(rename.error)}</Alert> : null}
      <p className="min-h-5 text-sm text-emerald-800" role="status">
        {saved ? 'Saved.' : ''}
      </p>
    </Card>
  );
}
