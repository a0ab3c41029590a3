/**
 * `npx tsx scripts/reset-password.ts <email>` (or `npm run reset-password -- <email>`): prints a
 * one-time password reset link for an account, for the operator of a server without mail.
 *
 * Reads the same configuration as `npm start` (DATABASE_URL or the embedded PGlite under DATA_DIR,
 * TOKEN_PEPPER or $DATA_DIR/token-pepper, APP_ORIGIN/HOST/PORT for the link). With embedded PGlite
 * only one process may open the database: stop the server first. The link works once, for an hour;
 * it replaces any earlier link for the account, and is audited (`user.password_reset_issued`,
 * no actor, `via: operator-cli`). Hand it over through a channel you trust.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@fep/db';
import { createOperatorResetLink } from '@fep/api';
import { loadConfig } from '@fep/shared';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const email = process.argv[2];
if (!email || email.startsWith('-')) {
  console.error('Usage: npx tsx scripts/reset-password.ts <email>');
  process.exit(2);
}
if (!process.env.TOKEN_PEPPER) {
  const file = path.join(loadConfig().dataDir, 'token-pepper');
  if (existsSync(file)) process.env.TOKEN_PEPPER = readFileSync(file, 'utf8').trim();
}
const config = loadConfig();
if (config.production && !process.env.TOKEN_PEPPER) {
  console.error('TOKEN_PEPPER is required when NODE_ENV=production (the link would not match the server).');
  process.exit(2);
}
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const link = await createOperatorResetLink(db.prisma, config.tokenPepper, email, config.appOrigins[0]!);
  console.log(`Password reset link for ${link.email} (works once, until ${link.expiresAt.toISOString()}):\n${link.url}`);
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
