import type { Metadata } from 'next';
import { ComparePage } from '../../components/viewer/ComparePage.tsx';

export const metadata: Metadata = { title: 'Compare explanations' };

export default async function Page({ searchParams }: { searchParams: Promise<{ ids?: string }> }) {
  const { ids } = await searchParams;
  const list = (ids ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return <ComparePage ids={list} />;
}
