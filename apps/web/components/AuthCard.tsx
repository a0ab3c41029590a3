import Link from 'next/link';
import type { ReactNode } from 'react';

/** The centred card used by the signed-out pages (login, sign-up, invitation). */
export function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen flex-col items-center justify-center px-6 py-12">
      <Link href="/" className="mb-8 text-lg font-semibold tracking-tight text-slate-900">
        F-EP Studio
      </Link>
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-slate-600">{subtitle}</p> : null}
        <div className="mt-6">{children}</div>
      </div>
      {footer ? <div className="mt-6 text-sm text-slate-600">{footer}</div> : null}
    </main>
  );
}

export function AuthCardSkeleton({ title, height = "h-64" }: { title: string; height?: string }) {
  return (
    <AuthCard title={title}>
      <div className={`${height} animate-pulse rounded-md bg-slate-100`} aria-hidden="true" />
    </AuthCard>
  );
}
