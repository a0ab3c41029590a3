'use client';

import { useEffect, useState } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { formatDateTime } from '../lib/format.ts';
import { ISSUE_PASSWORD_RESET } from '../lib/operations/auth.ts';
import { useMutation } from '../lib/use-api.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { SecretValue } from './CopyButton.tsx';
import { Dialog } from './Dialog.tsx';

/**
 * An OWNER/ADMIN makes a one-time password reset link for a member (there is no mail server):
 * first a confirmation, then the link, shown once, to hand over in person or a trusted channel.
 */
export function PasswordResetDialog({
  teamId,
  member,
  onClose,
}: {
  teamId: string;
  member: { id: string; name: string; email: string } | null;
  onClose: () => void;
}) {
  const issue = useMutation(ISSUE_PASSWORD_RESET);
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);

  useEffect(() => {
    setLink(null);
    issue.reset();
    // Reset when another member is chosen.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [member?.id]);

  async function onIssue() {
    if (!member) return;
    const res = await issue.run({ input: { teamId, userId: member.id } });
    if (res) setLink({ url: `${window.location.origin}${res.issuePasswordReset.path}`, expiresAt: res.issuePasswordReset.expiresAt });
  }

  return (
    <Dialog
      open={member !== null}
      onClose={onClose}
      title={link ? 'Reset link ready' : 'Make a password reset link?'}
      description={
        member
          ? link
            ? `Give this link to ${member.name} yourself. It works once, until ${formatDateTime(link.expiresAt)}, and signs out every browser signed in as them.`
            : `${member.name} (${member.email}) opens the link to choose a new password. Their current password stops working once they do; any earlier link stops working now.`
          : ''
      }
      testId="password-reset-dialog"
    >
      {issue.error ? <Alert tone={issue.error.code === 'RATE_LIMITED' ? 'warning' : 'error'}>{userMessage(issue.error)}</Alert> : null}
      {link ? (
        <>
          <SecretValue value={link.url} label={`Password reset link for ${member?.name ?? ''}`} testId="password-reset-link" />
          <p className="text-xs text-slate-600">It is shown only now. Anyone holding it can take over the account until it is used or expires.</p>
          <div className="flex justify-end pt-2">
            <Button variant="secondary" onClick={onClose} autoFocus>
              Done
            </Button>
          </div>
        </>
      ) : (
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose} autoFocus>
            Cancel
          </Button>
          <Button loading={issue.pending} onClick={() => void onIssue()} data-testid="password-reset-issue">
            Make link
          </Button>
        </div>
      )}
    </Dialog>
  );
}
