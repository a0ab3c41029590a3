'use client';

import { useState } from 'react';
import type { FormEvent } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { allFieldsShown, fieldError, formString } from '../lib/form.ts';
import { CHANGE_PASSWORD, UPDATE_PROFILE } from '../lib/operations/auth.ts';
import { useMutation } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { AppShell } from './AppShell.tsx';
import { Button } from './Button.tsx';
import { Card, PageHeader } from './Card.tsx';
import { TextField } from './Field.tsx';
import { LoadingRegion, Skeleton } from './Skeleton.tsx';
import { useViewer } from './ViewerContext.tsx';

function ProfileSkeleton() {
  return (
    <LoadingRegion label="Loading your profile">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-7 w-32" />
        <Skeleton className="h-4 w-80 max-w-full" />
      </div>
      <div className="space-y-6">
        <Skeleton className="h-56 w-full" />
        <Skeleton className="h-80 w-full" />
      </div>
    </LoadingRegion>
  );
}

/** `/settings/profile`: display name, email (shown), and password change. */
export function ProfilePage() {
  return (
    <AppShell skeleton={<ProfileSkeleton />}>
      <Profile />
    </AppShell>
  );
}

function Profile() {
  const { user, refresh } = useViewer();
  const update = useMutation(UPDATE_PROFILE);
  const change = useMutation(CHANGE_PASSWORD);
  const [saved, setSaved] = useState(false);
  const [changed, setChanged] = useState<number | null>(null);
  const [mismatch, setMismatch] = useState<string | undefined>();

  async function onSave(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    const res = await update.run({ input: { name: formString(new FormData(e.currentTarget), 'name') } });
    if (!res) return;
    setSaved(true);
    await refresh();
  }

  async function onChange(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const read = (n: string) => (typeof form.get(n) === 'string' ? (form.get(n) as string) : '');
    setChanged(null);
    if (read('newPassword') !== read('confirmPassword')) {
      change.reset();
      setMismatch('The two new passwords differ.');
      return;
    }
    setMismatch(undefined);
    const res = await change.run({ input: { currentPassword: read('currentPassword'), newPassword: read('newPassword') } });
    if (!res) return;
    setChanged(res.changePassword.otherSessionsRevoked);
    formEl.reset();
  }

  const pwErr = change.error;
  const nameErr = update.error;

  return (
    <>
      <PageHeader title="Profile" description="How your teammates see you, and how you sign in." />
      <div className="space-y-6">
        <Card id="profile" title="Your details">
          <form onSubmit={onSave} className="max-w-md space-y-3" data-testid="profile-form">
            <TextField
              label="Display name"
              name="name"
              autoComplete="name"
              required
              maxLength={120}
              defaultValue={user.name}
              error={fieldError(nameErr, 'name')}
              onChange={() => setSaved(false)}
              data-testid="profile-name-input"
            />
            <div className="space-y-1.5">
              <p className="text-sm font-medium text-slate-800" id="profile-email-label">
                Email
              </p>
              <p className="text-sm text-slate-900" aria-labelledby="profile-email-label" data-testid="profile-email">
                {user.email}
              </p>
              <p className="text-xs text-slate-600">You sign in with this address. It cannot be changed here.</p>
            </div>
            {nameErr && !(nameErr.code === 'BAD_USER_INPUT' && allFieldsShown(nameErr, ['name'])) ? <Alert tone="error">{userMessage(nameErr)}</Alert> : null}
            <div className="flex min-h-10 flex-wrap items-center gap-3">
              <Button type="submit" loading={update.pending} data-testid="profile-save">
                Save
              </Button>
              <span role="status" className="text-sm text-emerald-800" data-testid="profile-saved">
                {saved ? 'Saved.' : ''}
              </span>
            </div>
          </form>
        </Card>

        <Card id="password" title="Change password" description="You stay signed in here; every other browser signed in as you is signed out.">
          <form onSubmit={onChange} className="max-w-md space-y-3" data-testid="password-form">
            <TextField
              label="Current password"
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              required
              error={fieldError(pwErr, 'currentPassword')}
              data-testid="current-password-input"
            />
            <TextField
              label="New password"
              name="newPassword"
              type="password"
              autoComplete="new-password"
              required
              minLength={8}
              maxLength={256}
              hint="At least 8 characters. A few unrelated words make a strong one."
              error={fieldError(pwErr, 'newPassword')}
              data-testid="new-password-input"
            />
            <TextField
              label="Repeat the new password"
              name="confirmPassword"
              type="password"
              autoComplete="new-password"
              required
              error={mismatch}
              data-testid="confirm-password-input"
            />
            {pwErr && !(pwErr.code === 'BAD_USER_INPUT' && allFieldsShown(pwErr, ['currentPassword', 'newPassword'])) ? (
              <Alert tone={pwErr.code === 'RATE_LIMITED' ? 'warning' : 'error'}>{userMessage(pwErr)}</Alert>
            ) : null}
            {changed !== null ? (
              <Alert tone="success" testId="password-changed">
                Password changed.{' '}
                {changed === 0 ? 'No other session was signed in.' : `${changed} other ${changed === 1 ? 'session was' : 'sessions were'} signed out.`}
              </Alert>
            ) : null}
            <Button type="submit" loading={change.pending} data-testid="password-submit">
              Change password
            </Button>
          </form>
        </Card>
      </div>
    </>
  );
}
