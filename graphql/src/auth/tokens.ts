import { createHash, randomBytes } from 'node:crypto';

/** 256-bit random secrets, base64url. Only their sha256 is ever stored. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string, pepper: string): string {
  return createHash('sha256').update(pepper).update('\0').update(secret).digest('hex');
}

export const SESSION_COOKIE = 'fep_session';
export const API_TOKEN_PREFIX = 'fep_pat_';
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;
