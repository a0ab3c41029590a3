import { z } from 'zod';
import { AppError, badInput, conflict, forbidden, notFound, unauthenticated } from '@fep/shared';
import type { Db } from '@fep/db';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';
import { byCreatedAt, page, type PageArgs } from '../common/pagination.ts';
import { scopeCovers, tokenReach, TOKEN_SCOPES } from './permissions.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.ts';
import { API_TOKEN_PREFIX, SESSION_TTL_MS, hashSecret, newSecret } from './tokens.ts';

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email({ message: 'Enter a valid email address.' }));

export const signUpSchema = z.object({
  email: emailSchema,
  // NIST SP 800-63B: at least 8 characters, long passphrases allowed; argon2 caps input cost.
  password: z.string().min(8, 'Use at least 8 characters.').max(256, 'Use at most 256 characters.'),
  name: z.string().trim().min(1, 'Enter your name.').max(120),
});

export const loginSchema = z.object({ email: emailSchema, password: z.string().min(1).max(256) });

export const createApiTokenSchema = z.object({
  name: z.string().trim().min(1, 'Name the token.').max(80),
  teamId: z.string().min(1).nullish(),
  scope: z.enum(TOKEN_SCOPES).nullish(),
  expiresInDays: z.number().int().min(1).max(365).nullish(),
});

async function startSession(ctx: ApiContext, userId: string) {
  const token = newSecret('');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const session = await ctx.db.session.create({
    data: {
      userId,
      tokenHash: hashSecret(token, ctx.config.tokenPepper),
      expiresAt,
      userAgent: ctx.request.userAgent?.slice(0, 300),
    },
  });
  ctx.cookies?.setSession(token, expiresAt);
  return session;
}

export async function signUp(ctx: ApiContext, raw: unknown) {
  const input = signUpSchema.parse(raw);
  await ctx.rateLimits.signUp(ctx.request.ip);
  const passwordHash = await hashPassword(input.password);
  const existing = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw conflict('An account with this email already exists.');
  const user = await ctx.db.$transaction(async (tx) => {
    const created = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash } }).catch((err: unknown) => {
      // A racing sign-up with the same email won: the unique index decides, not the check above.
      if ((err as { code?: unknown })?.code === 'P2002') throw conflict('An account with this email already exists.');
      throw err;
    });
    await appendAuditEvent(tx, {
      teamId: null,
      actorId: created.id,
      action: 'user.signed_up',
      subjectType: 'User',
      subjectId: created.id,
      payload: { email: created.email },
    });
    return created;
  });
  await startSession(ctx, user.id);
  return { user };
}

export async function login(ctx: ApiContext, raw: unknown) {
  const input = loginSchema.parse(raw);
  // Counted before the password is verified: parallel attempts cannot all pass (rate-limit.ts).
  await ctx.rateLimits.loginAttempt(input.email, ctx.request.ip);
  const user = await ctx.db.user.findUnique({ where: { email: input.email } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok) throw new AppError('UNAUTHENTICATED', 'Email or password is incorrect.');
  await ctx.rateLimits.loginSucceeded(input.email, ctx.request.ip);
  await startSession(ctx, user.id);
  await appendAuditEvent(ctx.db, {
    teamId: null,
    actorId: user.id,
    action: 'user.logged_in',
    subjectType: 'User',
    subjectId: user.id,
  });
  return { user };
}

export async function logout(ctx: ApiContext): Promise<boolean> {
  if (ctx.caller?.sessionId) {
    await ctx.db.session.update({ where: { id: ctx.caller.sessionId }, data: { revokedAt: new Date() } });
  }
  ctx.cookies?.clearSession();
  return true;
}

/**
 * Resolves the caller from a bearer token or the session cookie. A presented bearer token that
 * is unknown, revoked or expired is an error (the client meant to authenticate); a stale
 * cookie simply means "signed out".
 */
export async function resolveCaller(
  db: Db,
  pepper: string,
  creds: { bearer?: string; sessionToken?: string },
): Promise<Caller | null> {
  if (creds.bearer !== undefined) {
    const token = await db.apiToken.findUnique({ where: { tokenHash: hashSecret(creds.bearer, pepper) } });
    if (!token) throw unauthenticated('The API token is not valid.');
    if (token.revokedAt) throw unauthenticated('The API token has been revoked.');
    if (token.expiresAt && token.expiresAt <= new Date()) throw unauthenticated('The API token has expired.');
    // lastUsedAt is advisory; don't write on every request.
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > 60_000) {
      await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date() } });
    }
    return { userId: token.userId, tokenId: token.id, tokenTeamId: token.teamId, tokenScope: token.scope };
  }
  if (creds.sessionToken) {
    const session = await db.session.findUnique({ where: { tokenHash: hashSecret(creds.sessionToken, pepper) } });
    if (!session || session.revokedAt || session.expiresAt <= new Date()) return null;
    return { userId: session.userId, sessionId: session.id };
  }
  return null;
}

export async function viewer(ctx: ApiContext) {
  if (!ctx.caller) return null;
  const user = await ctx.db.user.findUnique({ where: { id: ctx.caller.userId } });
  if (!user) return null;
  return { user };
}

/** The signed-in user's memberships (only the token's team for a team-restricted token), oldest first. */
export function viewerMemberships(ctx: ApiContext, caller: Caller, args: PageArgs) {
  const filter = { userId: caller.userId, ...(caller.tokenTeamId ? { teamId: caller.tokenTeamId } : {}) };
  return page(args, byCreatedAt('asc'), (p) =>
    ctx.db.membership.findMany({ where: { AND: [filter, p.where] }, include: { team: true }, orderBy: p.orderBy, take: p.take }),
  );
}

/** The caller's tokens within its reach (permissions.ts `tokenReach`), newest first. */
export async function listApiTokens(ctx: ApiContext, caller: Caller, args: PageArgs) {
  const reach = tokenReach(caller);
  return page(args, byCreatedAt('desc'), (p) =>
    ctx.db.apiToken.findMany({ where: { AND: [{ userId: caller.userId, ...reach }, p.where] }, orderBy: p.orderBy, take: p.take }),
  );
}

/** A token never mints a broader one: same team restriction (if it has one), scope within its own. */
export async function createApiToken(ctx: ApiContext, caller: Caller, raw: unknown) {
  const input = createApiTokenSchema.parse(raw);
  const scope = input.scope ?? 'READ';
  const reach = tokenReach(caller);
  if (reach.teamId && input.teamId !== reach.teamId) {
    throw forbidden('A team-restricted API token can only create tokens restricted to the same team.');
  }
  if (!scopeCovers(caller.tokenScope, scope)) throw forbidden('An API token cannot create a token with a broader scope.');
  if (input.teamId) {
    const m = await ctx.db.membership.findUnique({
      where: { teamId_userId: { teamId: input.teamId, userId: caller.userId } },
    });
    if (!m) throw badInput('You can only restrict a token to a team you belong to.', { fields: { teamId: 'Not your team.' } });
  }
  const token = newSecret(API_TOKEN_PREFIX);
  const apiToken = await ctx.db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        userId: caller.userId,
        teamId: input.teamId ?? null,
        scope,
        name: input.name,
        prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
        tokenHash: hashSecret(token, ctx.config.tokenPepper),
        expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null,
      },
    });
    await appendAuditEvent(tx, {
      teamId: input.teamId ?? null,
      actorId: caller.userId,
      action: 'api_token.created',
      subjectType: 'ApiToken',
      subjectId: created.id,
      payload: { name: created.name, scope, expiresAt: created.expiresAt },
    });
    return created;
  });
  return { apiToken, token };
}

export async function revokeApiToken(ctx: ApiContext, caller: Caller, id: string) {
  const reach = tokenReach(caller);
  const token = await ctx.db.apiToken.findUnique({ where: { id } });
  // Out of reach is reported exactly like missing.
  if (!token || token.userId !== caller.userId || (reach.teamId && token.teamId !== reach.teamId)) throw notFound('API token');
  if (token.revokedAt) return token;
  return ctx.db.$transaction(async (tx) => {
    const updated = await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await appendAuditEvent(tx, {
      teamId: token.teamId,
      actorId: caller.userId,
      action: 'api_token.revoked',
      subjectType: 'ApiToken',
      subjectId: id,
    });
    return updated;
  });
}
