import type { Metadata } from 'next';
import { RaterPage } from '../../../../components/study/RaterPage.tsx';

export const metadata: Metadata = { title: 'Rate' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RaterPage studyId={decodeURIComponent(id)} />;
}
