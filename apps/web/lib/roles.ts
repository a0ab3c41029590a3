/**
 * What the UI offers to whom. The API is the authority (it answers FORBIDDEN); these rules only
 * decide which controls to show, so people are not offered actions that will be refused.
 * Roles are the `Role` enum of graphql/src/common/base.graphql.
 */
import { can, ROLES as SHARED_ROLES } from '@fep/shared/permissions';
import type { Role } from './__generated__/graphql.ts';

export const ROLES: readonly Role[] = SHARED_ROLES;

export const ROLE_LABELS: Record<Role, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  REVIEWER: 'Reviewer',
  RATER: 'Rater',
  AUDITOR: 'Auditor',
};

// The API's own permission matrix (packages/shared/src/permissions.ts), not a copy.
export { can, PERMISSIONS, type Permission } from '@fep/shared/permissions';

/** Owners and admins manage members and invitations. */
export function canManageMembers(role: Role | null | undefined): boolean {
  return can(role, 'team.members.manage');
}

/** Roles the viewer may hand out: owners any role, admins any role below owner. */
export function assignableRoles(viewerRole: Role | null | undefined): Role[] {
  if (viewerRole === 'OWNER') return [...ROLES];
  if (viewerRole === 'ADMIN') return ROLES.filter((r) => r !== 'OWNER');
  return [];
}

/**
 * Whether the viewer gets role/remove controls for a member: managers only, never on themselves
 * (that would lock them out), and admins not on owners.
 */
export function canEditMember(
  viewer: { userId: string; role: Role | null | undefined },
  member: { userId: string; role: Role },
): boolean {
  if (!canManageMembers(viewer.role)) return false;
  if (viewer.userId === member.userId) return false;
  if (viewer.role === 'ADMIN' && member.role === 'OWNER') return false;
  return true;
}

export interface NavItem {
  href: string;
  label: string;
}

/** The signed-in navigation for one team, filtered by the viewer's role in it. */
export function navItemsFor(teamId: string | null, role: Role | null | undefined): NavItem[] {
  const items: NavItem[] = [];
  if (teamId) {
    if (can(role, 'video.read')) items.push({ href: `/?team=${encodeURIComponent(teamId)}`, label: 'Videos' });
    items.push({
      href: `/teams/${encodeURIComponent(teamId)}`,
      label: canManageMembers(role) ? 'Members & invitations' : 'Members',
    });
  }
  items.push({ href: '/settings/tokens', label: 'API tokens' });
  return items;
}
