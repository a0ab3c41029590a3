'use client';

import { createContext, useContext } from 'react';
import type { Role, ViewerQuery } from '../lib/__generated__/graphql.ts';

export type ViewerData = NonNullable<ViewerQuery['viewer']>;
export type ViewerMembership = ViewerData['memberships']['nodes'][number];

export interface ViewerContextValue {
  user: ViewerData['user'];
  memberships: ViewerMembership[];
  /** The team the signed-in pages are about (URL → localStorage → first team); null without teams. */
  teamId: string | null;
  /** The viewer's role in `teamId`. */
  role: Role | null;
  /** Re-fetches the viewer (after creating or joining a team). */
  refresh: () => Promise<void>;
  /** Remembers a team as the selected one (localStorage) without navigating. */
  rememberTeam: (teamId: string) => void;
}

export const ViewerContext = createContext<ViewerContextValue | null>(null);

/** The signed-in viewer; only usable inside <AppShell>. */
export function useViewer(): ViewerContextValue {
  const v = useContext(ViewerContext);
  if (!v) throw new Error('useViewer() must be used inside <AppShell>.');
  return v;
}
