import type { Metadata } from 'next';
import { VideoPage } from '../../../components/VideoPage.tsx';

export const metadata: Metadata = { title: 'Video' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <VideoPage videoId={decodeURIComponent(id)} />;
}
