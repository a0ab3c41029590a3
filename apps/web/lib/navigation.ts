/** Redirect targets and the selected team, shared by the auth pages and the signed-in shell. */

/**
 * Only same-origin paths are allowed as `?next=` targets, so a crafted link cannot send people
 * to another site after signing in (open-redirect). Anything else falls back to "/".
 */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || typeof raw !== 'string') return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f]/.test(raw)) return '/';
  return raw;
}

export function loginHref(next?: string | null): string {
  const target = safeNextPath(next);
  return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}

export function signupHref(next?: string | null): string {
  const target = safeNextPath(next);
  return target === '/' ? '/signup' : `/signup?next=${encodeURIComponent(target)}`;
}

export const SELECTED_TEAM_KEY = 'fep:selectedTeam';

/**
 * The team to show: the URL's `?team=` when the viewer belongs to it, else the one remembered in
 * localStorage, else the first team. Null when the viewer has no team.
 */
export function resolveTeamId(
  teamIds: readonly string[],
  fromUrl: string | null | undefined,
  fromStorage: string | null | undefined,
): string | null {
  if (fromUrl && teamIds.includes(fromUrl)) return fromUrl;
  if (fromStorage && teamIds.includes(fromStorage)) return fromStorage;
  return teamIds[0] ?? null;
}

export function readStoredTeam(): string | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage.getItem(SELECTED_TEAM_KEY);
  } catch {
    return null;
  }
}

export function storeTeam(teamId: string): void {
  try {
    window.localStorage.setItem(SELECTED_TEAM_KEY, teamId);
  } catch {
    // Storage can be disabled (private mode, policy); the URL still carries the team.
  }
}
