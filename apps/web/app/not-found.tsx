import { AuthCard } from '../components/AuthCard.tsx';
import { ButtonLink } from '../components/Button.tsx';

export default function NotFound() {
  return (
    <AuthCard title="Page not found" subtitle="The address may be mistyped, or the page has moved.">
      <ButtonLink href="/" variant="primary" className="w-full">
        Go to your videos
      </ButtonLink>
    </AuthCard>
  );
}
