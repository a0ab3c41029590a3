import type { Metadata } from 'next';
import { ReviewList } from '../../components/review/ReviewList.tsx';

export const metadata: Metadata = { title: 'Review sessions' };

export default async function Page({ searchParams }: { searchParams: Promise<{ team?: string }> }) {
  const { team } = await searchParams;
  return <ReviewList teamHint={team ?? null} />;
}
