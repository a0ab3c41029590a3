import type { Metadata } from 'next';
import { TokensPage } from '../../../components/TokensPage.tsx';

export const metadata: Metadata = { title: 'API tokens' };

export default function Page() {
  return <TokensPage />;
}
