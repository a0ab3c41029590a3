import type { Metadata } from 'next';
import { StudyList } from '../../components/study/StudyList.tsx';

export const metadata: Metadata = { title: 'Studies' };

export default async function Page({ searchParams }: { searchParams: Promise<{ team?: string }> }) {
  const { team } = await searchParams;
  return <StudyList teamHint={team ?? null} />;
}
