import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthCardSkeleton } from '../../components/AuthCard.tsx';
import { AuthForm } from '../../components/AuthForm.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default function LoginPage() {
  return (
    <Suspense fallback={<AuthCardSkeleton title="Sign in" height="h-60" />}>
      <AuthForm mode="login" />
    </Suspense>
  );
}
