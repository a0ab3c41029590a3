import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthCardSkeleton } from '../../components/AuthCard.tsx';
import { AuthForm } from '../../components/AuthForm.tsx';

export const metadata: Metadata = { title: 'Create account' };

export default function SignupPage() {
  return (
    <Suspense fallback={<AuthCardSkeleton title="Create your account" height="h-88" />}>
      <AuthForm mode="signup" />
    </Suspense>
  );
}
