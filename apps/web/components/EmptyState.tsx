import type { ReactNode } from 'react';

export function EmptyState({
  title,
  children,
  action,
  testId,
  heading: Heading = 'h2',
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  testId?: string;
  /** `h1` when the empty state is all the page shows (not found, nothing to compare). */
  heading?: 'h1' | 'h2';
}) {
  return (
    <div
      className="flex flex-col items-center justify-center gap-3 rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center"
      data-testid={testId}
    >
      <Heading className="text-base font-semibold text-slate-900">{title}</Heading>
      {children ? <div className="max-w-md text-sm text-slate-600">{children}</div> : null}
      {action ? <div className="pt-2">{action}</div> : null}
    </div>
  );
}
