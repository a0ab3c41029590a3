import type { Metadata } from 'next';
import { ExplanationViewer } from '../../../components/viewer/ExplanationViewer.tsx';

export const metadata: Metadata = { title: 'Explanation' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ExplanationViewer explanationId={decodeURIComponent(id)} />;
}
