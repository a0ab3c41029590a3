'use client';

import { AuthCard } from '../components/AuthCard.tsx';
import { Button, ButtonLink } from '../components/Button.tsx';

/** Last-resort boundary: a render error shows this instead of a blank page. */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <AuthCard title="Something went wrong" subtitle="This page hit an unexpected error. Trying again usually helps.">
      <div className="flex flex-col gap-2">
        <Button onClick={reset}>Try again</Button>
        <ButtonLink href="/">Go to your videos</ButtonLink>
      </div>
    </AuthCard>
  );
}
