import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AppShellSkeleton } from '../components/AppShell.tsx';
import { Dashboard, DashboardSkeleton } from '../components/Dashboard.tsx';

export const metadata: Metadata = { title: 'Videos' };

export default function HomePage() {
  // `?team=` is read on the client (useSearchParams), so the static HTML is the skeleton.
  return (
    <Suspense
      fallback={
        <AppShellSkeleton>
          <DashboardSkeleton />
        </AppShellSkeleton>
      }
    >
      <Dashboard />
    </Suspense>
  );
}
