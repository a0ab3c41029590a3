import { randomBytes } from 'node:crypto';
import type { Db } from '@fep/db';
import { appendAuditEvent } from '../audit/audit.service.ts';
import { hashPassword } from '../auth/password.ts';

export const DEMO_EMAIL = 'demo@fep-studio.local';
export const DEMO_TEAM_SLUG = 'demo';

/**
 * First-start seed: a demo user owning a demo team. Runs once (no-op when the user exists).
 * Its content (a clip and three explanations) comes from `seedDemoContent` (demo-content.ts).
 * The password is random and returned so the start script can print it exactly once.
 */
export async function seedDemo(db: Db, opts: { password?: string } = {}): Promise<{ created: boolean; email: string; password?: string }> {
  const existing = await db.user.findUnique({ where: { email: DEMO_EMAIL } });
  if (existing) return { created: false, email: DEMO_EMAIL };
  const password = opts.password || process.env.FEP_DEMO_PASSWORD || randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  await db.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email: DEMO_EMAIL, name: 'Demo Reviewer', passwordHash } });
    const team = await tx.team.create({ data: { name: 'Demo team', slug: DEMO_TEAM_SLUG } });
    await tx.membership.create({ data: { teamId: team.id, userId: user.id, role: 'OWNER' } });
    await appendAuditEvent(tx, {
      teamId: team.id,
      actorId: user.id,
      action: 'team.created',
      subjectType: 'Team',
      subjectId: team.id,
      payload: { name: team.name, seeded: true },
    });
  });
  return { created: true, email: DEMO_EMAIL, password };
}
