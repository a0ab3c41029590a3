import type { Metadata } from 'next';
import { AuditLogPage } from '../../../../components/AuditLogPage.tsx';

export const metadata: Metadata = { title: 'Audit log' };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AuditLogPage teamId={decodeURIComponent(id)} />;
}
