import type { Role } from '../../lib/__generated__/graphql.ts';
import { can } from '../../lib/roles.ts';
import type { NavItem } from '../../lib/roles.ts';

/** Studies (managers and raters) and live reviews (members who may join) for the main nav. */
export function studyNavItems(teamId: string | null, role: Role | null | undefined): NavItem[] {
  if (!teamId) return [];
  const q = `?team=${encodeURIComponent(teamId)}`;
  const items: NavItem[] = [];
  if (can(role, 'study.manage') || can(role, 'study.participate')) items.push({ href: `/studies${q}`, label: 'Studies' });
  if (can(role, 'review.join')) items.push({ href: `/review${q}`, label: 'Reviews' });
  return items;
}
