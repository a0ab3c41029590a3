'use client';

import { useState } from 'react';
import type { Role, TeamQuery } from '../lib/__generated__/graphql.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { formatDate } from '../lib/format.ts';
import { CHANGE_MEMBER_ROLE, REMOVE_MEMBER } from '../lib/operations/teams.ts';
import { ROLE_LABELS, assignableRoles, canEditMember } from '../lib/roles.ts';
import { useMutation } from '../lib/use-api.ts';
import { Badge } from './Badge.tsx';
import { Button } from './Button.tsx';
import { Card } from './Card.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { PasswordResetDialog } from './PasswordResetDialog.tsx';

type Team = TeamQuery['team'];
type Member = Team['members']['nodes'][number];

export function TeamMembers({
  team,
  viewerId,
  onChanged,
  onRemoved,
}: {
  team: Team;
  viewerId: string;
  onChanged: (memberId: string, role: Role) => void;
  onRemoved: (memberId: string) => void;
}) {
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resetting, setResetting] = useState<Member | null>(null);
  const remove = useMutation(REMOVE_MEMBER);

  async function confirmRemove() {
    if (!removing) return;
    const ok = await remove.run({ teamId: team.id, userId: removing.user.id });
    if (ok) {
      onRemoved(removing.id);
      setRemoving(null);
    }
  }

  const members = [...team.members.nodes].sort((a, b) => a.user.name.localeCompare(b.user.name));

  return (
    <Card id="members" title="Members" description={`${team.members.nodes.length}${team.members.pageInfo.hasNextPage ? '+' : ''} ${team.members.nodes.length === 1 ? 'person' : 'people'} in ${team.name}.`}>
      {/* On a narrow screen the table scrolls inside its own box; the page never scrolls sideways (relative: the
          sr-only caption and headers, absolutely positioned, are clipped with it instead of widening the page). */}
      <div className="relative overflow-x-auto">
      <table className="w-full min-w-[36rem] table-fixed text-left text-sm" data-testid="members-table">
        <caption className="sr-only">Members of {team.name} and their roles</caption>
        <thead className="text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="w-2/5 pb-2 font-medium">Person</th>
            <th scope="col" className="w-1/4 pb-2 font-medium">Role</th>
            <th scope="col" className="pb-2 font-medium">Joined</th>
            <th scope="col" className="w-48 pb-2 font-medium"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {members.map((m) => (
            <MemberRow
              key={m.id}
              teamId={team.id}
              member={m}
              isViewer={m.user.id === viewerId}
              editable={canEditMember({ userId: viewerId, role: team.viewerRole }, { userId: m.user.id, role: m.role })}
              roles={assignableRoles(team.viewerRole)}
              onChanged={onChanged}
              onRemove={() => {
                remove.reset();
                setRemoving(m);
              }}
              onResetPassword={() => setResetting(m)}
            />
          ))}
        </tbody>
      </table>
      </div>
      <PasswordResetDialog
        teamId={team.id}
        member={resetting ? { id: resetting.user.id, name: resetting.user.name, email: resetting.user.email } : null}
        onClose={() => setResetting(null)}
      />
      <ConfirmDialog
        open={removing !== null}
        title="Remove member?"
        confirmLabel="Remove"
        pending={remove.pending}
        error={remove.error}
        onConfirm={() => void confirmRemove()}
        onClose={() => setRemoving(null)}
        testId="remove-member-dialog"
      >
        {removing ? `${removing.user.name} (${removing.user.email}) loses access to ${team.name} right away. Their past work stays in the audit trail.` : ''}
      </ConfirmDialog>
    </Card>
  );
}

function MemberRow({
  teamId,
  member: m,
  isViewer,
  editable,
  roles,
  onChanged,
  onRemove,
  onResetPassword,
}: {
  teamId: string;
  member: Member;
  isViewer: boolean;
  editable: boolean;
  roles: Role[];
  onChanged: (memberId: string, role: Role) => void;
  onRemove: () => void;
  onResetPassword: () => void;
}) {
  const change = useMutation(CHANGE_MEMBER_ROLE);
  const selectId = `role-${m.id}`;
  // Keep the member's current role selectable even when the viewer may not hand it out.
  const options = roles.includes(m.role) ? roles : [m.role, ...roles];

  async function onRole(role: Role) {
    const res = await change.run({ input: { teamId, userId: m.user.id, role } });
    if (res) onChanged(m.id, res.changeMemberRole.role);
  }

  return (
    <tr data-testid="member-row">
      <td className="py-3 pr-3 align-top">
        <p className="truncate font-medium text-slate-900">
          {m.user.name}
          {isViewer ? <span className="ml-1 font-normal text-slate-600">(you)</span> : null}
        </p>
        <p className="truncate text-xs text-slate-600">{m.user.email}</p>
      </td>
      <td className="py-3 pr-3 align-top">
        {editable ? (
          <>
            <label htmlFor={selectId} className="sr-only">
              Role of {m.user.name}
            </label>
            <select
              id={selectId}
              value={m.role}
              disabled={change.pending}
              onChange={(e) => void onRole(e.target.value as Role)}
              className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm"
              data-testid="member-role-select"
            >
              {options.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            {change.error ? (
              <p role="alert" className="mt-1 text-xs text-red-700">
                {userMessage(change.error)}
              </p>
            ) : null}
          </>
        ) : (
          <Badge tone={m.role === 'OWNER' ? 'indigo' : 'neutral'}>{ROLE_LABELS[m.role]}</Badge>
        )}
      </td>
      <td className="py-3 pr-3 align-top text-slate-600">{formatDate(m.createdAt)}</td>
      <td className="py-3 text-right align-top">
        {editable ? (
          <div className="flex justify-end gap-2">
            <Button variant="secondary" size="sm" onClick={onResetPassword} aria-label={`Password reset link for ${m.user.name}`} data-testid="member-reset-password">
              Reset link
            </Button>
            <Button variant="danger" size="sm" onClick={onRemove} aria-label={`Remove ${m.user.name}`}>
              Remove
            </Button>
          </div>
        ) : null}
      </td>
    </tr>
  );
}
