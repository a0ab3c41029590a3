import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { forbidden, notFound, unauthenticated } from '@fep/shared';
import type { Role, TokenScope } from '@fep/db';
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

/** Token scopes, narrowest first: each includes the ones before it. */
export const TOKEN_SCOPES = ['READ', 'WRITE', 'ADMIN'] as const satisfies readonly TokenScope[];

/** Whether a caller's scope covers `needed` (a session holds every scope). */
export function scopeCovers(held: TokenScope | undefined, needed: TokenScope): boolean {
  return held === undefined || TOKEN_SCOPES.indexOf(held) >= TOKEN_SCOPES.indexOf(needed);
}

/**
 * The token scope each root operation needs. Every query and subscription needs READ (any token);
 * every mutation needs WRITE unless listed here. ADMIN: token management and team administration
 * (the team's name, members, roles and invitations, and the account's own memberships).
 * `logout` changes nothing for a token and stays open. Applied to the schema by `enforceTokenScopes`.
 */
export const MUTATION_SCOPES: Record<string, TokenScope> = {
  logout: 'READ',
  createApiToken: 'ADMIN',
  revokeApiToken: 'ADMIN',
  createTeam: 'ADMIN',
  renameTeam: 'ADMIN',
  inviteMember: 'ADMIN',
  revokeInvitation: 'ADMIN',
  acceptInvitation: 'ADMIN',
  changeMemberRole: 'ADMIN',
  removeMember: 'ADMIN',
  updateProfile: 'ADMIN',
  changePassword: 'ADMIN',
  issuePasswordReset: 'ADMIN',
};

/**
 * Permissions that change team data, for routes outside GraphQL (tus uploads, model upload): a
 * token needs WRITE for these and ADMIN for team administration. Read permissions need READ.
 */
const PERMISSION_SCOPES: Partial<Record<Permission, TokenScope>> = {
  'team.rename': 'ADMIN',
  'team.members.manage': 'ADMIN',
  'video.write': 'WRITE',
  'model.write': 'WRITE',
  'model.upload': 'WRITE',
  'explanation.request': 'WRITE',
  'feedback.write': 'WRITE',
  'study.manage': 'WRITE',
  'review.host': 'WRITE',
  'report.generate': 'WRITE',
};

export function requireScope(caller: Caller, needed: TokenScope): void {
  if (!scopeCovers(caller.tokenScope, needed)) {
    throw forbidden(`This API token's scope (${caller.tokenScope}) does not allow this; it needs ${needed}.`);
  }
}

/**
 * Wraps every Mutation resolver with its scope check (MUTATION_SCOPES; WRITE otherwise), so HTTP and
 * graphql-ws run the same rule. Queries and subscriptions need only READ, which every token holds.
 */
export function enforceTokenScopes(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const needed = MUTATION_SCOPES[field.name] ?? 'WRITE';
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (parent, args, ctx: ApiContext, info) => {
      if (ctx.caller) requireScope(ctx.caller, needed);
      return resolve(parent, args, ctx, info);
    };
  }
  return schema;
}

/**
 * Token management (list, create, revoke) needs a session or an ADMIN token, and a token reaches
 * only tokens no broader than itself: a team-restricted token only those restricted to its team.
 */
export function tokenReach(caller: Caller): { teamId?: string } {
  if (caller.tokenId) {
    requireScope(caller, 'ADMIN');
    if (caller.tokenTeamId) return { teamId: caller.tokenTeamId };
  }
  return {};
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
  requireScope(caller, PERMISSION_SCOPES[permission] ?? 'READ');
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
  requireScope(caller, PERMISSION_SCOPES[permission] ?? 'READ');
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
