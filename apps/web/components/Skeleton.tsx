/** Grey placeholder blocks with the same size as what they stand in for (no layout shift). */
export function Skeleton({ className = '' }: { className?: string }) {
  // max-w-full: a fixed-width placeholder (w-96) never widens a narrow screen.
  return <div className={`max-w-full animate-pulse rounded-md bg-slate-200 ${className}`} aria-hidden="true" />;
}

export function LoadingRegion({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true">
      <span className="sr-only">{label}</span>
      {children}
    </div>
  );
}
