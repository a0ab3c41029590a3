import type { Metadata } from 'next';
import { StudyAdmin } from '../../../components/study/StudyAdmin.tsx';

export const metadata: Metadata = { title: 'Study' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <StudyAdmin studyId={decodeURIComponent(id)} />;
}
