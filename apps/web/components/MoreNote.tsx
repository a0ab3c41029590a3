/** Says that a list shows only its first page (lists are paged by the API: at most 100 rows a page). */
export function MoreNote({ pageInfo, shown, what }: { pageInfo: { hasNextPage: boolean } | null | undefined; shown: number; what: string }) {
  if (!pageInfo?.hasNextPage) return null;
  return (
    <p className="mt-2 text-sm text-slate-600" role="note">
      Showing the first {shown} {what}; there are more.
    </p>
  );
}
