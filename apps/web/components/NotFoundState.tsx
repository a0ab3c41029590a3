import { ButtonLink } from './Button.tsx';
import { EmptyState } from './EmptyState.tsx';

/** What a missing object — or one of a team the viewer is not in — looks like (the API says NOT_FOUND for both). */
export function NotFoundState({ what }: { what: string }) {
  return (
    <EmptyState heading="h1" title={`${what} not found`} testId="not-found" action={<ButtonLink href="/">Back to your videos</ButtonLink>}>
      It may have been deleted, or it belongs to a team you are not a member of. Check the link, or ask the person
      who sent it to invite you to their team.
    </EmptyState>
  );
}
