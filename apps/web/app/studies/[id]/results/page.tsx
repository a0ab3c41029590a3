import type { Metadata } from 'next';
import { StudyResults } from '../../../../components/study/StudyResults.tsx';

export const metadata: Metadata = { title: 'Study results' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <StudyResults studyId={decodeURIComponent(id)} />;
}
