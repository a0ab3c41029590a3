'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useDismiss } from '../lib/use-dismiss.ts';
import { userMessage } from '../lib/graphql-client.ts';
import { loginHref, readStoredTeam, resolveTeamId, storeTeam } from '../lib/navigation.ts';
import { LOGOUT, VIEWER } from '../lib/operations/auth.ts';
import { ROLE_LABELS, can, navItemsFor } from '../lib/roles.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { NotificationBell } from './NotificationBell.tsx';
import { Skeleton } from './Skeleton.tsx';
import { studyNavItems } from './study/nav.ts';
import { ViewerContext } from './ViewerContext.tsx';
import type { ViewerContextValue } from './ViewerContext.tsx';

/**
 * The layout of every signed-in page: header (brand, team switcher, role-aware nav, user menu) and
 * a main column. Loads the viewer once; signed-out visitors are sent to /login?next=<here>.
 */
export function AppShell({
  teamHint,
  onTeamChange,
  skeleton,
  children,
}: {
  /** The team the page is about (e.g. `?team=` or the [id] segment), if it names one. */
  teamHint?: string | null;
  /** What switching team does; default: open that team's videos. */
  onTeamChange?: (teamId: string) => void;
  /** Shown in the main column while the viewer loads; give it the page's final shape. */
  skeleton?: ReactNode;
  children: ReactNode;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const viewerQuery = useQuery(VIEWER, {}, { redirectOnUnauthenticated: false });
  const viewer = viewerQuery.data?.viewer;
  const signedOut = viewerQuery.data !== undefined && viewer === null;

  useEffect(() => {
    if (signedOut) {
      router.replace(loginHref(window.location.pathname + window.location.search));
    }
  }, [signedOut, router]);

  const [stored, setStored] = useState<string | null>(null);
  useEffect(() => setStored(readStoredTeam()), []);

  const memberships = useMemo(() => viewer?.memberships.nodes ?? [], [viewer]);
  const teamId = resolveTeamId(
    memberships.map((m) => m.team.id),
    teamHint,
    stored,
  );
  const role = memberships.find((m) => m.team.id === teamId)?.role ?? null;

  useEffect(() => {
    if (teamId) storeTeam(teamId);
  }, [teamId]);

  const rememberTeam = useCallback((id: string) => {
    storeTeam(id);
    setStored(id);
  }, []);

  const switchTeam = useCallback(
    (id: string) => {
      rememberTeam(id);
      if (onTeamChange) onTeamChange(id);
      else router.push(`/?team=${encodeURIComponent(id)}`);
    },
    [onTeamChange, rememberTeam, router],
  );

  const ctx = useMemo<ViewerContextValue | null>(
    () =>
      viewer
        ? { user: viewer.user, memberships, teamId, role, refresh: viewerQuery.reload, rememberTeam }
        : null,
    [viewer, memberships, teamId, role, viewerQuery.reload, rememberTeam],
  );

  let main: ReactNode;
  if (viewerQuery.error && !viewer) {
    main = (
      <Alert
        tone="error"
        title="We could not load your account"
        action={
          <Button variant="secondary" size="sm" onClick={() => void viewerQuery.reload()}>
            Try again
          </Button>
        }
      >
        {userMessage(viewerQuery.error)}
      </Alert>
    );
  } else if (!ctx) {
    main = skeleton ?? <Skeleton className="h-64 w-full" />;
  } else {
    main = children;
  }

  const models = teamId && can(role, 'model.read') ? [{ href: `/models?team=${encodeURIComponent(teamId)}`, label: 'Models' }] : [];
  const nav = ctx ? [...navItemsFor(teamId, role), ...models, ...studyNavItems(teamId, role)] : [];
  const [menuOpen, setMenuOpen] = useState(false);
  // A navigation closes the narrow-screen menu.
  useEffect(() => setMenuOpen(false), [pathname]);

  return (
    <div className="flex min-h-screen flex-col">
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white">
        <div className="relative mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
          <Link href="/" className="shrink-0 text-base font-semibold tracking-tight text-slate-900">
            F-EP Studio
          </Link>
          {ctx ? (
            <TeamSwitcher memberships={memberships} teamId={teamId} onChange={switchTeam} />
          ) : (
            <Skeleton className="h-9 w-28 sm:w-48" />
          )}
          {nav.length ? (
          <button
            type="button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((o) => !o)}
            className="ml-auto flex h-9 shrink-0 items-center gap-1.5 rounded-md px-2 text-sm font-medium text-slate-800 hover:bg-slate-100 xl:hidden"
            data-testid="nav-menu-button"
          >
            <svg aria-hidden="true" viewBox="0 0 20 20" className="h-5 w-5" fill="currentColor">
              <path d="M3 5h14v1.5H3zM3 9.25h14v1.5H3zM3 13.5h14V15H3z" />
            </svg>
            <span className="sr-only sm:not-sr-only">Menu</span>
          </button>
          ) : null}
          {/* One nav: a row from xl (1280 px) up; below that a panel under the header, opened by the Menu button. */}
          <nav
            id="main-nav"
            aria-label="Main"
            className={`${
              menuOpen ? 'flex' : 'hidden'
            } absolute inset-x-0 top-14 flex-col gap-1 border-b border-slate-200 bg-white px-4 py-2 shadow-md xl:static xl:flex xl:min-w-0 xl:flex-1 xl:flex-row xl:items-center xl:border-0 xl:p-0 xl:shadow-none`}
          >
            {nav.map((item) => {
              const path = item.href.split('?')[0];
              const active = path === '/' ? pathname === '/' : pathname.startsWith(path ?? '');
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? 'page' : undefined}
                  onClick={() => setMenuOpen(false)}
                  className={`rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap ${
                    active ? 'bg-slate-100 text-slate-900' : 'text-slate-600 hover:bg-slate-50 hover:text-slate-900'
                  }`}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
          {ctx ? <NotificationBell /> : null}
          {ctx ? <UserMenu name={ctx.user.name} email={ctx.user.email} roleLabel={role ? ROLE_LABELS[role] : null} /> : <Skeleton className="ml-auto h-9 w-11" />}
        </div>
      </header>
      <main id="main" className="mx-auto w-full min-w-0 max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        {ctx ? <ViewerContext.Provider value={ctx}>{main}</ViewerContext.Provider> : main}
      </main>
    </div>
  );
}

function TeamSwitcher({
  memberships,
  teamId,
  onChange,
}: {
  memberships: ViewerContextValue['memberships'];
  teamId: string | null;
  onChange: (id: string) => void;
}) {
  if (memberships.length === 0) {
    return <span className="w-28 shrink-0 text-sm text-slate-600 sm:w-48">No team yet</span>;
  }
  return (
    <div className="w-28 shrink-0 sm:w-48">
      <label htmlFor="team-switcher" className="sr-only">
        Current team
      </label>
      <select
        id="team-switcher"
        data-testid="team-switcher"
        value={teamId ?? ''}
        onChange={(e) => onChange(e.target.value)}
        className="block h-9 w-full truncate rounded-md border border-slate-300 bg-white px-2 text-sm font-medium text-slate-900"
      >
        {memberships.map((m) => (
          <option key={m.team.id} value={m.team.id}>
            {m.team.name}
          </option>
        ))}
      </select>
    </div>
  );
}

function UserMenu({ name, email, roleLabel }: { name: string; email: string; roleLabel: string | null }) {
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const logout = useMutation(LOGOUT, { redirectOnUnauthenticated: false });

  useDismiss(open, useCallback(() => setOpen(false), []), wrapper, button);

  async function signOut() {
    const ok = await logout.run({});
    // A full navigation drops every cached query of the signed-in session.
    if (ok) window.location.assign('/login');
  }

  const initial = (name.trim()[0] ?? email[0] ?? '?').toUpperCase();

  return (
    <div ref={wrapper} className="relative ml-auto shrink-0 xl:ml-0">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls="user-menu-panel"
        data-testid="user-menu-button"
        onClick={() => setOpen((o) => !o)}
        className="flex h-9 items-center rounded-md px-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
      >
        <span aria-hidden="true" className="flex h-7 w-7 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-xs font-semibold text-white">
          {initial}
        </span>
        {/* The name is in the panel; the header keeps its room for the nav. */}
        <span className="sr-only">{name}: account menu</span>
      </button>
      <div
        id="user-menu-panel"
        hidden={!open}
        className="absolute right-0 mt-2 w-64 max-w-[calc(100vw-2rem)] rounded-md border border-slate-200 bg-white py-2 shadow-lg"
      >
        <div className="border-b border-slate-200 px-4 pb-2">
          <p className="truncate text-sm font-medium text-slate-900">{name}</p>
          <p className="truncate text-xs text-slate-600">{email}</p>
          {roleLabel ? <p className="mt-1 text-xs text-slate-600">Role in this team: {roleLabel}</p> : null}
        </div>
        <Link href="/settings/profile" className="block px-4 py-2 text-sm text-slate-800 hover:bg-slate-50" onClick={() => setOpen(false)} data-testid="profile-link">
          Profile and password
        </Link>
        <Link href="/settings/tokens" className="block px-4 py-2 text-sm text-slate-800 hover:bg-slate-50" onClick={() => setOpen(false)}>
          API tokens
        </Link>
        <button
          type="button"
          onClick={() => void signOut()}
          disabled={logout.pending}
          data-testid="logout-button"
          className="block w-full px-4 py-2 text-left text-sm text-slate-800 hover:bg-slate-50 disabled:opacity-60"
        >
          {logout.pending ? 'Signing out…' : 'Sign out'}
        </button>
        {logout.error ? (
          <p role="alert" className="px-4 py-1 text-xs text-red-700">
            {userMessage(logout.error)}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** The shell's first paint before any client code runs (e.g. a Suspense fallback): same boxes, no data. */
export function AppShellSkeleton({ children }: { children?: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center gap-2 px-4 sm:gap-4 sm:px-6">
          <span className="shrink-0 text-base font-semibold tracking-tight text-slate-900">F-EP Studio</span>
          <Skeleton className="h-9 w-28 sm:w-48" />
          <div className="flex-1" />
          <Skeleton className="h-9 w-11" />
        </div>
      </header>
      <main id="main" className="mx-auto w-full min-w-0 max-w-6xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        {children ?? <Skeleton className="h-64 w-full" />}
      </main>
    </div>
  );
}
