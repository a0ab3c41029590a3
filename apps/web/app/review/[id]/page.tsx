import type { Metadata } from 'next';
import { ReviewSessionPage } from '../../../components/review/ReviewSessionPage.tsx';

export const metadata: Metadata = { title: 'Review session' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ReviewSessionPage sessionId={decodeURIComponent(id)} />;
}
