import { describe, expect, it } from 'vitest';
import { PERMISSIONS as API_PERMISSIONS } from '../../../graphql/src/auth/permissions.ts';
import { PERMISSIONS, assignableRoles, can, canEditMember, canManageMembers, navItemsFor } from './roles.ts';

describe('role rules', () => {
  it('uses the API permission matrix itself', () => {
    expect(PERMISSIONS).toBe(API_PERMISSIONS);
    expect(can('RATER', 'video.read')).toBe(false);
    expect(can('AUDITOR', 'video.read')).toBe(true);
    expect(can(null, 'team.read')).toBe(false);
  });

  it('lets only owners and admins manage members', () => {
    expect(canManageMembers('OWNER')).toBe(true);
    expect(canManageMembers('ADMIN')).toBe(true);
    for (const r of ['REVIEWER', 'RATER', 'AUDITOR'] as const) expect(canManageMembers(r)).toBe(false);
    expect(canManageMembers(null)).toBe(false);
  });

  it('never lets admins hand out or touch the owner role', () => {
    expect(assignableRoles('OWNER')).toContain('OWNER');
    expect(assignableRoles('ADMIN')).not.toContain('OWNER');
    expect(assignableRoles('ADMIN')).toContain('ADMIN');
    expect(assignableRoles('RATER')).toEqual([]);
    expect(canEditMember({ userId: 'a', role: 'ADMIN' }, { userId: 'b', role: 'OWNER' })).toBe(false);
    expect(canEditMember({ userId: 'a', role: 'ADMIN' }, { userId: 'b', role: 'RATER' })).toBe(true);
    expect(canEditMember({ userId: 'a', role: 'OWNER' }, { userId: 'a', role: 'OWNER' })).toBe(false);
    expect(canEditMember({ userId: 'a', role: 'REVIEWER' }, { userId: 'b', role: 'RATER' })).toBe(false);
  });

  it('builds a nav that depends on team and role', () => {
    expect(navItemsFor(null, null).map((i) => i.href)).toEqual(['/settings/tokens']);
    const admin = navItemsFor('t 1', 'ADMIN');
    expect(admin.map((i) => i.href)).toEqual(['/?team=t%201', '/teams/t%201', '/settings/tokens']);
    expect(admin[1]!.label).toBe('Members & invitations');
    // Raters cannot read videos (permissions.ts), so the nav does not offer them.
    expect(navItemsFor('t1', 'RATER').map((i) => i.label)).toEqual(['Members', 'API tokens']);
  });
});
