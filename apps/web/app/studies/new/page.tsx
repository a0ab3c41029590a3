import type { Metadata } from 'next';
import { StudyBuilder } from '../../../components/study/StudyBuilder.tsx';

export const metadata: Metadata = { title: 'New study' };

export default async function Page({ searchParams }: { searchParams: Promise<{ team?: string }> }) {
  const { team } = await searchParams;
  return <StudyBuilder teamHint={team ?? null} />;
}
