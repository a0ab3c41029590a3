'use client';

import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { Role, TeamInvitationsQuery } from '../lib/__generated__/graphql.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { allFieldsShown, fieldError, formString } from '../lib/form.ts';
import { formatDate, invitationState } from '../lib/format.ts';
import type { InvitationState } from '../lib/format.ts';
import { INVITE_MEMBER, REVOKE_INVITATION, TEAM_INVITATIONS } from '../lib/operations/teams.ts';
import { ROLE_LABELS, assignableRoles } from '../lib/roles.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { Badge } from './Badge.tsx';
import { Button } from './Button.tsx';
import { Card } from './Card.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { SecretValue } from './CopyButton.tsx';
import { SelectField, TextField } from './Field.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';

type Invitation = TeamInvitationsQuery['team']['invitations']['nodes'][number];

const STATE_BADGE: Record<InvitationState, { label: string; tone: 'amber' | 'green' | 'neutral' | 'red' }> = {
  pending: { label: 'Pending', tone: 'amber' },
  accepted: { label: 'Accepted', tone: 'green' },
  revoked: { label: 'Revoked', tone: 'neutral' },
  expired: { label: 'Expired', tone: 'red' },
};

/** Invite by email + role, show the one-time link, list and revoke invitations (owners and admins). */
export function TeamInvitations({ teamId, teamName, viewerRole }: { teamId: string; teamName: string; viewerRole: Role }) {
  const list = useQuery(TEAM_INVITATIONS, { id: teamId });
  const invite = useMutation(INVITE_MEMBER);
  const revoke = useMutation(REVOKE_INVITATION);
  const [created, setCreated] = useState<{ email: string; link: string } | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [origin, setOrigin] = useState('');
  useEffect(() => setOrigin(window.location.origin), []);
  const roles = assignableRoles(viewerRole);

  async function onInvite(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const email = formString(form, 'email');
    const role = formString(form, 'role') as Role;
    const res = await invite.run({ input: { teamId, email, role } });
    if (!res) return;
    setCreated({ email: res.inviteMember.invitation.email, link: `${origin}/invite/${encodeURIComponent(res.inviteMember.token)}` });
    list.setData((prev) => (prev ? { team: { ...prev.team, invitations: { ...prev.team.invitations, nodes: [res.inviteMember.invitation, ...prev.team.invitations.nodes] } } } : prev));
    formEl.reset();
  }

  async function onRevoke() {
    if (!revoking) return;
    const res = await revoke.run({ id: revoking.id });
    if (!res) return;
    list.setData((prev) =>
      prev
        ? {
            team: {
              ...prev.team,
              invitations: {
                ...prev.team.invitations,
                nodes: prev.team.invitations.nodes.map((i) => (i.id === res.revokeInvitation.id ? { ...i, revokedAt: res.revokeInvitation.revokedAt ?? new Date().toISOString() } : i)),
              },
            },
          }
        : prev,
    );
    setRevoking(null);
  }

  const err = invite.error;
  const invitations = list.data?.team.invitations.nodes ?? [];
  const pending = invitations.filter((i) => invitationState(i) === 'pending');
  const past = invitations.filter((i) => invitationState(i) !== 'pending');

  return (
    <Card id="invitations" title="Invitations" description={`Invite people to ${teamName} by email. They join with the role you pick.`}>
      <form onSubmit={onInvite} className="grid grid-cols-1 items-start gap-3 sm:grid-cols-[1fr_12rem_auto]" data-testid="invite-form">
        <TextField label="Email address" name="email" type="email" required autoComplete="off" error={fieldError(err, 'email')} data-testid="invite-email-input" />
        <SelectField label="Role" name="role" defaultValue={roles.includes('REVIEWER') ? 'REVIEWER' : roles[0]} error={fieldError(err, 'role')} data-testid="invite-role-select">
          {roles.map((r) => (
            <option key={r} value={r}>
              {ROLE_LABELS[r]}
            </option>
          ))}
        </SelectField>
        <Button type="submit" loading={invite.pending} className="sm:mt-6.5" data-testid="invite-submit">
          Send invite
        </Button>
      </form>

      {err && !(err.code === 'BAD_USER_INPUT' && allFieldsShown(err, ['email', 'role'])) ? (
        <div className="mt-2">
          <Alert tone={err.code === 'RATE_LIMITED' ? 'warning' : 'error'}>{userMessage(err)}</Alert>
        </div>
      ) : null}

      {created ? (
        <div className="mt-4 space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-4" role="status" data-testid="invite-link-panel">
          <p className="text-sm font-medium text-emerald-900">Invitation created for {created.email}.</p>
          <p className="text-sm text-emerald-900">
            Send them this link. It is shown only now; if it gets lost, revoke the invitation and create a new one.
          </p>
          <SecretValue value={created.link} label={`Invitation link for ${created.email}`} testId="invite-link" />
          <div className="text-right">
            <Button variant="ghost" size="sm" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}

      <h3 className="mt-6 text-sm font-semibold text-slate-900">Pending</h3>
      {list.error ? (
        <div className="mt-2">
          <Alert tone="error" action={<Button variant="secondary" size="sm" onClick={() => void list.reload()}>Try again</Button>}>
            {userMessage(list.error)}
          </Alert>
        </div>
      ) : !list.data ? (
        <LoadingRegion label="Loading invitations">
          <div className="mt-2 space-y-2">
            <Skeleton className="h-10 w-full" />
            <Skeleton className="h-10 w-full" />
          </div>
        </LoadingRegion>
      ) : pending.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600" data-testid="no-pending-invitations">
          No open invitations. People you invite show up here until they accept.
        </p>
      ) : (
        <InvitationList items={pending} onRevoke={(i) => { revoke.reset(); setRevoking(i); }} />
      )}

      {past.length > 0 ? (
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium text-slate-700">Accepted, revoked and expired ({past.length})</summary>
          <InvitationList items={past} />
        </details>
      ) : null}

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke invitation?"
        confirmLabel="Revoke"
        pending={revoke.pending}
        error={revoke.error}
        onConfirm={() => void onRevoke()}
        onClose={() => setRevoking(null)}
        testId="revoke-invitation-dialog"
      >
        {revoking ? `The link sent to ${revoking.email} stops working at once.` : ''}
      </ConfirmDialog>
    </Card>
  );
}

function InvitationList({ items, onRevoke }: { items: Invitation[]; onRevoke?: (i: Invitation) => void }) {
  return (
    <ul className="mt-2 divide-y divide-slate-100" data-testid="invitation-list">
      {items.map((i) => {
        const state = invitationState(i);
        return (
          <li key={i.id} className="flex items-center gap-3 py-2 text-sm" data-testid="invitation-row">
            <span className="min-w-0 flex-1 truncate font-medium text-slate-900">{i.email}</span>
            <span className="w-24 text-slate-700">{ROLE_LABELS[i.role]}</span>
            <span className="w-40 text-slate-600">
              {state === 'pending' ? `Expires ${formatDate(i.expiresAt)}` : `Sent ${formatDate(i.createdAt)}`}
            </span>
            <span className="w-20">
              <Badge tone={STATE_BADGE[state].tone}>{STATE_BADGE[state].label}</Badge>
            </span>
            <span className="w-20 text-right">
              {onRevoke && state === 'pending' ? (
                <Button variant="danger" size="sm" onClick={() => onRevoke(i)} aria-label={`Revoke invitation for ${i.email}`}>
                  Revoke
                </Button>
              ) : null}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
