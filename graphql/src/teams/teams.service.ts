import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { badInput, conflict, forbidden, notFound } from '@fep/shared';
import type { Role } from '@fep/db';
import { appendAuditEvent } from '../audit/audit.service.ts';
import { emailSchema } from '../auth/auth.service.ts';
import { INVITATION_TTL_MS, hashSecret, newSecret } from '../auth/tokens.ts';
import type { ApiContext, Caller } from '../context.ts';
import { byCreatedAt, mapNodes, page, type PageArgs } from '../common/pagination.ts';

const ROLES = ['OWNER', 'ADMIN', 'REVIEWER', 'RATER', 'AUDITOR'] as const;
const teamName = z.string().trim().min(1, 'Name the team.').max(80, 'Use at most 80 characters.');

export const createTeamSchema = z.object({ name: teamName });
export const inviteSchema = z.object({ teamId: z.string().min(1), email: emailSchema, role: z.enum(ROLES) });
export const changeRoleSchema = z.object({ teamId: z.string().min(1), userId: z.string().min(1), role: z.enum(ROLES) });

function slugify(name: string): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `${base || 'team'}-${randomBytes(3).toString('hex')}`;
}

/** The caller's teams, paged in the order they joined (by membership). */
export async function listTeams(ctx: ApiContext, caller: Caller, args: PageArgs) {
  const filter = { userId: caller.userId, ...(caller.tokenTeamId ? { teamId: caller.tokenTeamId } : {}) };
  const memberships = await page(args, byCreatedAt('asc'), (p) =>
    ctx.db.membership.findMany({ where: { AND: [filter, p.where] }, include: { team: true }, orderBy: p.orderBy, take: p.take }),
  );
  return mapNodes(memberships, (m) => m.team);
}

export async function getTeam(ctx: ApiContext, teamId: string) {
  const team = await ctx.db.team.findUnique({ where: { id: teamId } });
  if (!team) throw notFound('Team');
  return team;
}

/** Creating or joining a team lies outside any one team: a team-restricted token cannot. */
function assertUnrestricted(caller: Caller) {
  if (caller.tokenTeamId) throw forbidden('A team-restricted API token acts only inside its team.');
}

/** A unique-constraint violation (Prisma P2002): a racing caller got there first. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown })?.code === 'P2002';
}

export async function createTeam(ctx: ApiContext, caller: Caller, raw: unknown) {
  assertUnrestricted(caller);
  const input = createTeamSchema.parse(raw);
  return ctx.db.$transaction(async (tx) => {
    const team = await tx.team.create({ data: { name: input.name, slug: slugify(input.name) } });
    await tx.membership.create({ data: { teamId: team.id, userId: caller.userId, role: 'OWNER' } });
    await appendAuditEvent(tx, {
      teamId: team.id,
      actorId: caller.userId,
      action: 'team.created',
      subjectType: 'Team',
      subjectId: team.id,
      payload: { name: team.name },
    });
    return team;
  });
}

export async function renameTeam(ctx: ApiContext, caller: Caller, teamId: string, rawName: unknown) {
  const name = teamName.parse(rawName);
  return ctx.db.$transaction(async (tx) => {
    const team = await tx.team.update({ where: { id: teamId }, data: { name } });
    await appendAuditEvent(tx, {
      teamId,
      actorId: caller.userId,
      action: 'team.renamed',
      subjectType: 'Team',
      subjectId: teamId,
      payload: { name },
    });
    return team;
  });
}

export function listMembers(ctx: ApiContext, teamId: string, args: PageArgs) {
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.membership.findMany({ where: { AND: [{ teamId }, p.where] }, include: { user: true }, orderBy: p.orderBy, take: p.take }),
  );
}

export function listInvitations(ctx: ApiContext, teamId: string, args: PageArgs) {
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.invitation.findMany({ where: { AND: [{ teamId, acceptedAt: null, revokedAt: null }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** Only an OWNER may hand out or take away OWNER. */
function assertCanAssign(actorRole: Role, targetRole: Role, currentRole?: Role) {
  if ((targetRole === 'OWNER' || currentRole === 'OWNER') && actorRole !== 'OWNER') {
    throw forbidden('Only an owner can grant or change the owner role.');
  }
}

export async function inviteMember(ctx: ApiContext, caller: Caller, raw: unknown, actorRole: Role) {
  const input = inviteSchema.parse(raw);
  assertCanAssign(actorRole, input.role);
  await ctx.rateLimits.invitation(input.teamId);
  const existingMember = await ctx.db.membership.findFirst({
    where: { teamId: input.teamId, user: { email: input.email } },
  });
  if (existingMember) throw conflict('This person is already a member of the team.');
  const token = newSecret('inv_');
  const invitation = await ctx.db.$transaction(async (tx) => {
    const created = await tx.invitation.create({
      data: {
        teamId: input.teamId,
        email: input.email,
        role: input.role,
        tokenHash: hashSecret(token, ctx.config.tokenPepper),
        invitedById: caller.userId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      },
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId,
      actorId: caller.userId,
      action: 'invitation.created',
      subjectType: 'Invitation',
      subjectId: created.id,
      payload: { email: input.email, role: input.role },
    });
    return created;
  });
  return { invitation, token };
}

export async function getInvitationTeam(ctx: ApiContext, invitationId: string) {
  const inv = await ctx.db.invitation.findUnique({ where: { id: invitationId }, select: { teamId: true } });
  return inv?.teamId ?? null;
}

export async function revokeInvitation(ctx: ApiContext, caller: Caller, invitationId: string) {
  return ctx.db.$transaction(async (tx) => {
    const inv = await tx.invitation.update({ where: { id: invitationId }, data: { revokedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: inv.teamId,
      actorId: caller.userId,
      action: 'invitation.revoked',
      subjectType: 'Invitation',
      subjectId: inv.id,
    });
    return inv;
  });
}

/** The token is the capability; it must match the signed-in user's email too. */
/**
 * Public (no sign-in): the team's name, the role and the inviter's name for a link that can still be
 * accepted. Every other token — unknown, malformed, revoked, used, expired — gets null, the same
 * answer, so a token reveals nothing unless it would work.
 */
export async function invitationPreview(ctx: ApiContext, rawToken: unknown) {
  const token = z.string().min(8).max(200).safeParse(rawToken);
  if (!token.success) return null;
  const inv = await ctx.db.invitation.findUnique({
    where: { tokenHash: hashSecret(token.data, ctx.config.tokenPepper) },
    include: { team: { select: { name: true } }, invitedBy: { select: { name: true } } },
  });
  if (!inv || inv.revokedAt || inv.acceptedAt || inv.expiresAt <= new Date()) return null;
  return { teamName: inv.team.name, role: inv.role, invitedByName: inv.invitedBy.name, expiresAt: inv.expiresAt };
}

export async function acceptInvitation(ctx: ApiContext, caller: Caller, rawToken: unknown) {
  assertUnrestricted(caller);
  const token = z.string().min(8).max(200).parse(rawToken);
  const inv = await ctx.db.invitation.findUnique({ where: { tokenHash: hashSecret(token, ctx.config.tokenPepper) } });
  if (!inv || inv.revokedAt) throw notFound('Invitation');
  if (inv.acceptedAt) throw conflict('This invitation has already been used.');
  if (inv.expiresAt <= new Date()) throw badInput('This invitation has expired. Ask for a new one.');
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: caller.userId } });
  if (user.email !== inv.email) throw forbidden('This invitation was sent to a different email address.');
  const accept = ctx.db.$transaction(async (tx) => {
    // Claim the invitation first: the row lock makes a racing accept wait, then match nothing.
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, acceptedAt: null, revokedAt: null },
      data: { acceptedAt: new Date(), acceptedById: user.id },
    });
    if (claimed.count === 0) throw conflict('This invitation has already been used.');
    const existing = await tx.membership.findUnique({ where: { teamId_userId: { teamId: inv.teamId, userId: user.id } } });
    if (existing) throw conflict('You are already a member of this team.');
    const membership = await tx.membership.create({
      data: { teamId: inv.teamId, userId: user.id, role: inv.role },
      include: { user: true, team: true },
    });
    await appendAuditEvent(tx, {
      teamId: inv.teamId,
      actorId: user.id,
      action: 'invitation.accepted',
      subjectType: 'Membership',
      subjectId: membership.id,
      payload: { role: inv.role, invitationId: inv.id },
    });
    return membership;
  });
  return accept.catch((err: unknown) => {
    if (isUniqueViolation(err)) throw conflict('You are already a member of this team.');
    throw err;
  });
}

type Tx = Parameters<Parameters<ApiContext['db']['$transaction']>[0]>[0];

/**
 * Locks the team's OWNER memberships (SELECT … FOR UPDATE) for the rest of the transaction, so two
 * owners demoting or removing each other at once run one after the other: the second sees the
 * first's change and gets CONFLICT instead of leaving the team with no owner. Returns the
 * membership to change, re-read under the lock, and the actor's current role.
 */
async function lockOwners(tx: Tx, teamId: string, userId: string, actorId: string) {
  const owners = await tx.$queryRaw<{ userId: string }[]>`
    SELECT "userId" FROM "Membership" WHERE "teamId" = ${teamId} AND "role" = 'OWNER' FOR UPDATE`;
  const current = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId } } });
  if (!current) throw notFound('Member');
  const actor = await tx.membership.findUnique({ where: { teamId_userId: { teamId, userId: actorId } }, select: { role: true } });
  return { owners: owners.map((o) => o.userId), current, actorRole: actor?.role ?? null };
}

function assertNotLastOwner(owners: string[], userId: string) {
  if (owners.length === 1 && owners[0] === userId) {
    throw conflict('A team needs at least one owner. Make someone else owner first.');
  }
}

/** The actor's role may have changed while it waited for the lock. */
function assertStillManager(authorisedRole: Role, actorRole: Role | null): Role {
  if (actorRole !== authorisedRole) throw conflict('Your role in this team changed meanwhile. Reload and try again.');
  return actorRole;
}

export async function changeMemberRole(ctx: ApiContext, caller: Caller, raw: unknown, actorRole: Role) {
  const input = changeRoleSchema.parse(raw);
  return ctx.db.$transaction(async (tx) => {
    const locked = await lockOwners(tx, input.teamId, input.userId, caller.userId);
    const current = locked.current;
    if (current.role === 'OWNER' && input.role !== 'OWNER') assertNotLastOwner(locked.owners, input.userId);
    assertCanAssign(assertStillManager(actorRole, locked.actorRole), input.role, current.role);
    const membership = await tx.membership.update({
      where: { id: current.id },
      data: { role: input.role },
      include: { user: true, team: true },
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId,
      actorId: caller.userId,
      action: 'member.role_changed',
      subjectType: 'Membership',
      subjectId: current.id,
      payload: { userId: input.userId, from: current.role, to: input.role },
    });
    return membership;
  });
}

export async function removeMember(ctx: ApiContext, caller: Caller, teamId: string, userId: string, actorRole: Role) {
  await ctx.db.$transaction(async (tx) => {
    const locked = await lockOwners(tx, teamId, userId, caller.userId);
    const current = locked.current;
    if (current.role === 'OWNER') assertNotLastOwner(locked.owners, userId);
    assertCanAssign(assertStillManager(actorRole, locked.actorRole), current.role, current.role);
    await tx.membership.delete({ where: { id: current.id } });
    await appendAuditEvent(tx, {
      teamId,
      actorId: caller.userId,
      action: 'member.removed',
      subjectType: 'Membership',
      subjectId: current.id,
      payload: { userId, role: current.role },
    });
  });
  return true;
}
