'use client';

import { useState } from 'react';
import { CANCEL_EXPLANATION } from '../lib/operations/explanations.ts';
import { useMutation } from '../lib/use-api.ts';
import { Button } from './Button.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/** "Cancel" on a queued or running explanation, after a confirmation (the work done so far is lost). */
export function CancelExplanationButton({ explanationId, label, onCancelled }: { explanationId: string; label: string; onCancelled: () => void }) {
  const cancel = useMutation(CANCEL_EXPLANATION);
  const [asking, setAsking] = useState(false);
  return (
    <>
      <Button size="sm" variant="danger" onClick={() => setAsking(true)} data-testid="cancel-explanation">
        Cancel
      </Button>
      <ConfirmDialog
        open={asking}
        title="Cancel this explanation?"
        confirmLabel="Cancel explanation"
        pending={cancel.pending}
        error={cancel.error}
        testId="cancel-explanation-dialog"
        onClose={() => {
          setAsking(false);
          cancel.reset();
        }}
        onConfirm={async () => {
          if (await cancel.run({ id: explanationId })) {
            setAsking(false);
            onCancelled();
          }
        }}
      >
        {label}: the engine stops and what it computed so far is discarded. The cancellation is recorded in the audit log; request it again to start over.
      </ConfirmDialog>
    </>
  );
}
