import { z } from 'zod';
import { badInput, forbidden, notFound, AppError } from '@fep/shared';
import type { Db, Role } from '@fep/db';
import { can } from '@fep/shared/permissions';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { hashSecret, newSecret, SESSION_TTL_MS } from './tokens.ts';

/**
 * The signed-in person's own account: profile, password change, and password reset links.
 *
 * There is no mail server, so a reset is a one-time link that someone with authority hands over:
 * a team OWNER/ADMIN (`issuePasswordReset`, in the browser) or the operator (`scripts/reset-password.ts`).
 * The link carries a 256-bit secret in its fragment (`/reset-password#<token>`: never sent to the
 * server in a page request, never in a Referer); only its peppered sha256 is stored; it expires
 * after PASSWORD_RESET_TTL_MS and works once; issuing a new link revokes the user's older ones.
 */
export const PASSWORD_RESET_PREFIX = 'fep_reset_';
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
/** Where the web app redeems a reset token (the token goes in the fragment). */
export const RESET_PATH = '/reset-password';

/** NIST SP 800-63B: at least 8 characters, long passphrases allowed; argon2 caps input cost. */
export const newPasswordSchema = z.string().min(8, 'Use at least 8 characters.').max(256, 'Use at most 256 characters.');

export const updateProfileSchema = z.object({ name: z.string().trim().min(1, 'Enter your name.').max(120, 'Use at most 120 characters.') });

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your current password.').max(256),
  newPassword: newPasswordSchema,
});

export const issuePasswordResetSchema = z.object({ teamId: z.string().min(1), userId: z.string().min(1) });

export const resetPasswordSchema = z.object({
  token: z.string().trim().min(1, 'The reset link is incomplete.').max(200),
  newPassword: newPasswordSchema,
});

/** A browser session, not an API token: a token never changes the password of the account it acts for. */
function requireSession(caller: Caller): string {
  if (!caller.sessionId) throw forbidden('Change the password in a signed-in browser session, not with an API token.');
  return caller.sessionId;
}

export async function updateProfile(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = updateProfileSchema.parse(raw);
  return ctx.db.$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({ where: { id: caller.userId }, select: { name: true } });
    const user = await tx.user.update({ where: { id: caller.userId }, data: { name: input.name } });
    if (before.name !== input.name) {
      await appendAuditEvent(tx, {
        teamId: null,
        actorId: caller.userId,
        action: 'user.profile_updated',
        subjectType: 'User',
        subjectId: caller.userId,
        payload: { from: { name: before.name }, to: { name: input.name } },
      });
    }
    return user;
  });
}

/**
 * Changes the caller's password after verifying the current one (counted per account before the
 * check, like a login), and revokes every other session of the account: whoever else was signed in
 * with the old password is signed out. The calling session stays. Returns how many were revoked.
 */
export async function changePassword(ctx: ApiContext, caller: Caller, raw: unknown) {
  const sessionId = requireSession(caller);
  const input = changePasswordSchema.parse(raw);
  await ctx.rateLimits.passwordChange(caller.userId);
  const user = await ctx.db.user.findUniqueOrThrow({ where: { id: caller.userId } });
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badInput('The current password is not correct.', { fields: { currentPassword: 'Not your current password.' } });
  }
  await ctx.rateLimits.passwordChangeSucceeded(caller.userId);
  if (input.newPassword === input.currentPassword) {
    throw badInput('Choose a password different from the current one.', { fields: { newPassword: 'Same as the current password.' } });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const revoked = await ctx.db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: caller.userId }, data: { passwordHash } });
    const { count } = await tx.session.updateMany({
      where: { userId: caller.userId, revokedAt: null, id: { not: sessionId } },
      data: { revokedAt: new Date() },
    });
    // A reset link issued before the change must not undo it.
    await tx.passwordReset.updateMany({ where: { userId: caller.userId, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: null,
      actorId: caller.userId,
      action: 'user.password_changed',
      subjectType: 'User',
      subjectId: caller.userId,
      payload: { otherSessionsRevoked: count },
    });
    return count;
  });
  return { user: { ...user, passwordHash }, otherSessionsRevoked: revoked };
}

const RANK: Record<Role, number> = { OWNER: 3, ADMIN: 2, REVIEWER: 1, RATER: 1, AUDITOR: 1 };

/**
 * Creates a reset link for `userId` and returns its secret (shown once). Shared by the API and
 * the operator's CLI; `issuer` is null for the CLI. Older unused links of the user are revoked.
 */
export async function createPasswordReset(
  db: Db,
  pepper: string,
  target: { userId: string; email: string },
  issuer: { userId: string; teamId: string } | null,
) {
  const token = newSecret(PASSWORD_RESET_PREFIX);
  const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_MS);
  const reset = await db.$transaction(async (tx) => {
    await tx.passwordReset.updateMany({ where: { userId: target.userId, usedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    const created = await tx.passwordReset.create({
      data: { userId: target.userId, tokenHash: hashSecret(token, pepper), expiresAt, issuedById: issuer?.userId ?? null, teamId: issuer?.teamId ?? null },
    });
    await appendAuditEvent(tx, {
      teamId: issuer?.teamId ?? null,
      actorId: issuer?.userId ?? null,
      action: 'user.password_reset_issued',
      subjectType: 'User',
      subjectId: target.userId,
      payload: { email: target.email, expiresAt: expiresAt.toISOString(), via: issuer ? 'team' : 'operator-cli' },
    });
    return created;
  });
  return { id: reset.id, token, expiresAt, path: `${RESET_PATH}#${token}` };
}

/**
 * An OWNER/ADMIN issues a reset link for a member of their team. The link signs into the whole
 * account, so it is refused unless the issuer manages every team the member belongs to, with a
 * rank at least the member's in each (an ADMIN cannot take over an OWNER). Not for oneself: that
 * is `changePassword`.
 */
export async function issuePasswordReset(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = issuePasswordResetSchema.parse(raw);
  if (input.userId === caller.userId) throw badInput('Change your own password on your profile page instead.');
  const memberships = await ctx.db.membership.findMany({ where: { userId: input.userId }, include: { user: { select: { email: true } } } });
  const here = memberships.find((m) => m.teamId === input.teamId);
  if (!here) throw notFound('Member');
  const mine = await ctx.db.membership.findMany({ where: { userId: caller.userId, teamId: { in: memberships.map((m) => m.teamId) } } });
  const myRole = new Map(mine.map((m) => [m.teamId, m.role]));
  for (const m of memberships) {
    const role = myRole.get(m.teamId);
    if (!role || !can(role, 'team.members.manage') || RANK[role] < RANK[m.role]) {
      throw forbidden(
        m.teamId === input.teamId
          ? `Only an owner can issue a reset link for an owner.`
          : 'This person also belongs to a team you do not manage, so only the operator can reset their password (scripts/reset-password.ts).',
      );
    }
  }
  await ctx.rateLimits.passwordResetIssue(input.teamId);
  const issued = await createPasswordReset(ctx.db, ctx.config.tokenPepper, { userId: input.userId, email: here.user.email }, { userId: caller.userId, teamId: input.teamId });
  return { token: issued.token, path: issued.path, expiresAt: issued.expiresAt, email: here.user.email };
}

/**
 * Redeems a reset link: one use, before it expires. Sets the new password, revokes every session
 * of the account, and signs the browser in with a fresh one. Counted per address before the lookup.
 */
export async function resetPassword(ctx: ApiContext, raw: unknown) {
  const input = resetPasswordSchema.parse(raw);
  await ctx.rateLimits.passwordResetRedeem(ctx.request.ip);
  const invalid = () => new AppError('BAD_USER_INPUT', 'This reset link is not valid: it may have expired, been used already, or been replaced by a newer one. Ask a team admin for a new link.');
  const tokenHash = hashSecret(input.token, ctx.config.tokenPepper);
  const found = await ctx.db.passwordReset.findUnique({ where: { tokenHash } });
  if (!found) throw invalid();
  const passwordHash = await hashPassword(input.newPassword);
  const now = new Date();
  const user = await ctx.db.$transaction(async (tx) => {
    // The guarded update is the single use: of two racing redemptions only one changes the row.
    const claimed = await tx.passwordReset.updateMany({
      where: { id: found.id, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw invalid();
    const updated = await tx.user.update({ where: { id: found.userId }, data: { passwordHash } });
    const { count } = await tx.session.updateMany({ where: { userId: found.userId, revokedAt: null }, data: { revokedAt: now } });
    await appendAuditEvent(tx, {
      teamId: found.teamId,
      actorId: found.userId,
      action: 'user.password_reset',
      subjectType: 'User',
      subjectId: found.userId,
      payload: { resetId: found.id, sessionsRevoked: count },
    });
    return updated;
  });
  const sessionToken = newSecret('');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await ctx.db.session.create({
    data: { userId: user.id, tokenHash: hashSecret(sessionToken, ctx.config.tokenPepper), expiresAt, userAgent: ctx.request.userAgent?.slice(0, 300) },
  });
  ctx.cookies?.setSession(sessionToken, expiresAt);
  return { user };
}

/**
 * The operator's reset link (scripts/reset-password.ts): for any account by email, with no team
 * and no actor in the audit event. `origin` is where people open the app (APP_ORIGIN's first).
 */
export async function createOperatorResetLink(db: Db, pepper: string, rawEmail: string, origin: string) {
  const email = rawEmail.trim().toLowerCase();
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) throw new Error(`No account with the email ${email}.`);
  const issued = await createPasswordReset(db, pepper, { userId: user.id, email: user.email }, null);
  return { url: `${origin.replace(/\/+$/, '')}${issued.path}`, expiresAt: issued.expiresAt, email: user.email };
}
