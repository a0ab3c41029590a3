import { forbidden, notFound, unauthenticated } from '@fep/shared';
import type { Role } from '@fep/db';
import type { ApiContext, Caller } from '../context.ts';

/**
 * The permission matrix — the one place that says which team role may do what.
 * docs/permissions.md renders the same table for people; a test keeps the two in step.
 * AUDITOR reads everything of its team and changes nothing.
 */
const ALL: Role[] = ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'];
export const PERMISSIONS = {
  'team.read': ALL,
  'team.rename': ['OWNER', 'ADMIN'],
  'team.members.manage': ['OWNER', 'ADMIN'],
  'audit.read': ['OWNER', 'ADMIN', 'AUDITOR'],
  /** Generating an audit report records the report; it changes none of the team's data. */
  'report.generate': ['OWNER', 'ADMIN', 'AUDITOR'],
  'video.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'video.write': ['OWNER', 'ADMIN', 'REVIEWER'],
  'model.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'model.write': ['OWNER', 'ADMIN'],
  'model.upload': ['OWNER', 'ADMIN', 'REVIEWER'],
  'explanation.read': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
  'explanation.request': ['OWNER', 'ADMIN', 'REVIEWER'],
  'feedback.write': ['OWNER', 'ADMIN', 'REVIEWER'],
  'study.manage': ['OWNER', 'ADMIN', 'REVIEWER'],
  'study.participate': ['OWNER', 'ADMIN', 'REVIEWER', 'RATER'],
  'review.host': ['OWNER', 'ADMIN', 'REVIEWER'],
  'review.join': ['OWNER', 'ADMIN', 'REVIEWER', 'AUDITOR'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function requireCaller(ctx: ApiContext): Caller {
  if (!ctx.caller) throw unauthenticated();
  return ctx.caller;
}

/** The caller's role in a team, or null if not a member (cached per request). */
export async function roleIn(ctx: ApiContext, teamId: string): Promise<Role | null> {
  const caller = requireCaller(ctx);
  // A team-restricted API token acts only inside its team.
  if (caller.tokenTeamId && caller.tokenTeamId !== teamId) return null;
  const cached = ctx.roleCache.get(teamId);
  if (cached !== undefined) return cached;
  const membership = await ctx.db.membership.findUnique({
    where: { teamId_userId: { teamId, userId: caller.userId } },
    select: { role: true },
  });
  const role = membership?.role ?? null;
  ctx.roleCache.set(teamId, role);
  return role;
}

/**
 * Team-scoped access for operations that name a team: not a member → FORBIDDEN,
 * member without the permission → FORBIDDEN.
 */
export async function authorizeTeam(ctx: ApiContext, teamId: string, permission: Permission) {
  const caller = requireCaller(ctx);
  const role = await roleIn(ctx, teamId);
  if (!role) throw forbidden('You are not a member of this team.');
  if (!can(role, permission)) throw forbidden(`Your role (${role}) cannot do this.`);
  return { caller, role };
}

/**
 * Access to one object by id: an object of a team the caller is not in is reported as
 * NOT_FOUND, exactly like a missing one, so ids never confirm existence across teams.
 */
export async function authorizeObject(
  ctx: ApiContext,
  what: string,
  teamId: string | null | undefined,
  permission: Permission,
) {
  const caller = requireCaller(ctx);
  if (!teamId) throw notFound(what);
  const role = await roleIn(ctx, teamId);
  if (!role) throw notFound(what);
  if (!can(role, permission)) throw forbidden(`Your role (${role}) cannot do this.`);
  return { caller, role };
}

const ROLE_ORDER: Role[] = ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'];

/** The matrix as a Markdown table; docs/permissions.md embeds exactly this (a test checks). */
export function renderPermissionTable(): string {
  const header = `| permission | ${ROLE_ORDER.join(' | ')} |\n|---|${ROLE_ORDER.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map(
    (p) => `| \`${p}\` | ${ROLE_ORDER.map((r) => (can(r, p) ? '✓' : '—')).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}
