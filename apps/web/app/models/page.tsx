import type { Metadata } from 'next';
import { ModelRegistry } from '../../components/models/ModelRegistry.tsx';

export const metadata: Metadata = { title: 'Models' };

export default async function Page({ searchParams }: { searchParams: Promise<{ team?: string }> }) {
  const { team } = await searchParams;
  return <ModelRegistry teamHint={team ?? null} />;
}
