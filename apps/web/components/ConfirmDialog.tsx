'use client';

import type { ReactNode } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import type { ApiError } from '../lib/graphql-client.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { Dialog } from './Dialog.tsx';

/** "Are you sure?" for destructive actions, with the action's error shown inside. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
  testId,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error: ApiError | null;
  onConfirm: () => void;
  onClose: () => void;
  testId?: string;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} description={children} {...(testId ? { testId } : {})}>
      {error ? <Alert tone="error">{userMessage(error)}</Alert> : null}
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button variant="danger" loading={pending} onClick={onConfirm} data-testid={testId ? `${testId}-confirm` : undefined}>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}
