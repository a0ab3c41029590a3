'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { allFieldsShown, fieldError } from '../lib/form.ts';
import { RESET_PASSWORD } from '../lib/operations/auth.ts';
import { useMutation } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AuthCard } from './AuthCard.tsx';
import { Button } from './Button.tsx';
import { TextField } from './Field.tsx';

/**
 * `/reset-password#<token>`: sets a new password with a one-time link from a team admin or the
 * operator. The token sits in the fragment, which the browser never sends to the server with the
 * page request; it is read here and sent once, in the mutation.
 */
export function ResetPasswordForm() {
  const router = useRouter();
  const reset = useMutation(RESET_PASSWORD, { redirectOnUnauthenticated: false });
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [mismatch, setMismatch] = useState<string | undefined>();

  useEffect(() => {
    const t = decodeURIComponent(window.location.hash.replace(/^#/, '')).trim();
    setToken(t || null);
  }, []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (!token) return;
    const form = new FormData(e.currentTarget);
    const read = (n: string) => (typeof form.get(n) === 'string' ? (form.get(n) as string) : '');
    if (read('newPassword') !== read('confirmPassword')) {
      reset.reset();
      setMismatch('The two passwords differ.');
      return;
    }
    setMismatch(undefined);
    const ok = await reset.run({ input: { token, newPassword: read('newPassword') } });
    if (ok) {
      // The link is spent: drop it from the address bar and history.
      window.history.replaceState(null, '', '/reset-password');
      router.replace('/');
    }
  }

  const err = reset.error;
  const banner = err && !(err.code === 'BAD_USER_INPUT' && allFieldsShown(err, ['newPassword']));

  return (
    <AuthCard
      title="Choose a new password"
      subtitle="This link works once and expires an hour after it was made."
      footer={
        <Link href="/login" className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          Back to sign in
        </Link>
      }
    >
      {token === null ? (
        <Alert tone="error" title="This link is incomplete" testId="reset-no-token">
          Open the whole link you were given (it ends with a long code after #), or ask a team admin for a new one.
        </Alert>
      ) : (
        <form onSubmit={onSubmit} className="space-y-3" data-testid="reset-form">
          {banner ? (
            <Alert tone={err.code === 'RATE_LIMITED' ? 'warning' : 'error'} testId="form-error">
              {userMessage(err)}
            </Alert>
          ) : null}
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={256}
            hint="At least 8 characters. Every browser signed in as you is signed out."
            error={fieldError(err, 'newPassword')}
            data-testid="reset-password-input"
          />
          <TextField
            label="Repeat the new password"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            required
            error={mismatch}
            data-testid="reset-confirm-input"
          />
          <Button type="submit" loading={reset.pending} disabled={!token} className="w-full" data-testid="reset-submit">
            Set password and sign in
          </Button>
        </form>
      )}
    </AuthCard>
  );
}
