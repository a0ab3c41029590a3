'use client';

import type { FormEvent } from 'react';
import { userMessage } from '../lib/graphql-client.ts';
import { fieldError, formString } from '../lib/form.ts';
import { CREATE_TEAM } from '../lib/operations/teams.ts';
import { useMutation } from '../lib/use-api.ts';
import type { CreateTeamMutation } from '../lib/__generated__/graphql.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { Dialog } from './Dialog.tsx';
import { TextField } from './Field.tsx';

export function CreateTeamDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (team: CreateTeamMutation['createTeam']) => void;
}) {
  const create = useMutation(CREATE_TEAM);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = formString(new FormData(e.currentTarget), 'name');
    const res = await create.run({ input: { name } });
    if (res) {
      create.reset();
      onCreated(res.createTeam);
    }
  }

  const err = create.error;
  const inline = fieldError(err, 'name');

  return (
    <Dialog
      open={open}
      onClose={() => {
        create.reset();
        onClose();
      }}
      title="Create a team"
      description="Teams share videos, models and explanations. You will be its owner and can invite people next."
      testId="create-team-dialog"
    >
      <form onSubmit={onSubmit} className="space-y-3">
        {err && !inline ? <Alert tone={err.code === 'RATE_LIMITED' ? 'warning' : 'error'}>{userMessage(err)}</Alert> : null}
        <TextField label="Team name" name="name" required maxLength={80} autoFocus error={inline} data-testid="team-name-input" />
        <div className="flex justify-end gap-2 pt-2">
          <Button
            variant="secondary"
            onClick={() => {
              create.reset();
              onClose();
            }}
          >
            Cancel
          </Button>
          <Button type="submit" loading={create.pending} data-testid="create-team-submit">
            Create team
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
