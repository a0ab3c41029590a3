import type { Metadata } from 'next';
import { ResetPasswordForm } from '../../components/ResetPasswordForm.tsx';

export const metadata: Metadata = { title: 'Reset your password' };

export default function Page() {
  return <ResetPasswordForm />;
}
