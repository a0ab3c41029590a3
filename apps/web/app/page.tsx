import type { Metadata } from 'next';
import { Suspense } from 'react';
import { Dashboard } from '../components/Dashboard.tsx';

export const metadata: Metadata = { title: 'Videos' };

export default function HomePage() {
  return (
    <Suspense fallback={null}>
      <Dashboard />
    </Suspense>
  );
}
