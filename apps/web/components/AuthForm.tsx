'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect } from 'react';
import type { FormEvent } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { allFieldsShown, fieldError, formString } from '../lib/form.ts';
import { loginHref, safeNextPath, signupHref } from '../lib/navigation.ts';
import { LOGIN, SIGN_UP, VIEWER } from '../lib/operations/auth.ts';
import { useMutation, useQuery } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AuthCard } from './AuthCard.tsx';
import { Button } from './Button.tsx';
import { TextField } from './Field.tsx';

/** Sign-in and sign-up share one component: same layout, error handling and redirect. */
export function AuthForm({ mode }: { mode: 'login' | 'signup' }) {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNextPath(params.get('next'));
  const login = useMutation(LOGIN, { redirectOnUnauthenticated: false });
  const signUp = useMutation(SIGN_UP, { redirectOnUnauthenticated: false });
  const m = mode === 'login' ? login : signUp;

  // Already signed in: go straight on.
  const viewer = useQuery(VIEWER, {}, { redirectOnUnauthenticated: false });
  useEffect(() => {
    if (viewer.data?.viewer) router.replace(next);
  }, [viewer.data, next, router]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = formString(form, 'email');
    const password = typeof form.get('password') === 'string' ? (form.get('password') as string) : '';
    const ok =
      mode === 'login'
        ? await login.run({ input: { email, password } })
        : await signUp.run({ input: { email, password, name: formString(form, 'name') } });
    if (ok) router.replace(next);
  }

  const fields = mode === 'login' ? ['email', 'password'] : ['name', 'email', 'password'];
  const err = m.error;
  // "An account with this email already exists" belongs under the email field.
  const emailTaken = mode === 'signup' && err?.code === 'CONFLICT' ? err.message : undefined;
  const banner = err && !emailTaken && !(err.code === 'BAD_USER_INPUT' && allFieldsShown(err, fields));

  return (
    <AuthCard
      title={mode === 'login' ? 'Sign in' : 'Create your account'}
      subtitle={mode === 'login' ? 'Welcome back to F-EP Studio.' : 'Explain what your video models look at.'}
      footer={
        mode === 'login' ? (
          <>
            New here?{' '}
            <Link href={signupHref(next)} className="font-medium text-indigo-700 underline-offset-2 hover:underline">
              Create an account
            </Link>
          </>
        ) : (
          <>
            Already have an account?{' '}
            <Link href={loginHref(next)} className="font-medium text-indigo-700 underline-offset-2 hover:underline">
              Sign in
            </Link>
          </>
        )
      }
    >
      <form onSubmit={onSubmit} className="space-y-3" data-testid={`${mode}-form`} noValidate={false}>
        {banner ? (
          <Alert tone={err.code === 'RATE_LIMITED' ? 'warning' : 'error'} testId="form-error">
            {userMessage(err)}
          </Alert>
        ) : null}
        {mode === 'signup' ? (
          <TextField label="Name" name="name" autoComplete="name" required maxLength={120} error={fieldError(err, 'name')} data-testid="name-input" />
        ) : null}
        <TextField label="Email" name="email" type="email" autoComplete="email" required error={emailTaken ?? fieldError(err, 'email')} data-testid="email-input" />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
          required
          error={fieldError(err, 'password')}
          hint={mode === 'signup' ? 'Pick a password you do not use anywhere else.' : undefined}
          data-testid="password-input"
        />
        <Button type="submit" loading={m.pending} className="w-full" data-testid={`${mode}-submit`}>
          {mode === 'login' ? 'Sign in' : 'Create account'}
        </Button>
      </form>
    </AuthCard>
  );
}
