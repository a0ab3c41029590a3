import { forbidden, notFound, unauthenticated } from '@fep/shared';
import type { Role } from '@fep/db';
import { can, PERMISSIONS, ROLES, type Permission } from '@fep/shared/permissions';
import type { ApiContext, Caller } from '../context.ts';

/**
 * The permission matrix lives in @fep/shared (packages/shared/src/permissions.ts) so the web app
 * offers controls by the very rules enforced here; docs/permissions.md renders it (a test checks).
 */
export { can, PERMISSIONS, type Permission } from '@fep/shared/permissions';

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


/** The matrix as a Markdown table; docs/permissions.md embeds exactly this (a test checks). */
export function renderPermissionTable(): string {
  const header = `| permission | ${ROLES.join(' | ')} |\n|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map(
    (p) => `| \`${p}\` | ${ROLES.map((r) => (can(r, p) ? '✓' : '—')).join(' | ')} |`,
  );
  return [header, ...rows].join('\n');
}
