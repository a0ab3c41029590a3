import type { Metadata } from 'next';
import { AcceptInvitation } from '../../../components/AcceptInvitation.tsx';

export const metadata: Metadata = { title: 'Join a team', referrer: 'no-referrer' };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <AcceptInvitation token={decodeURIComponent(token)} />;
}
