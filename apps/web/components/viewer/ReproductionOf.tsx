import Link from 'next/link';
import { formatDateTime } from '../../lib/format.ts';
import { methodLabel } from '../../lib/methods.ts';

/**
 * "Reproduction of …", linked to the original: shown wherever an explanation that reproduces
 * another is listed, so a re-run never looks like an unlabeled duplicate. `original` names it
 * when the list has it at hand; otherwise the link says "an earlier run".
 */
export function ReproductionOf({
  originalId,
  original,
  className = '',
}: {
  originalId: string | null | undefined;
  original?: { method: string; createdAt?: string | null; requestedBy?: { name: string } | null } | null;
  className?: string;
}) {
  if (!originalId) return null;
  const name = original
    ? `the ${methodLabel(original.method)} explanation${original.createdAt ? ` of ${formatDateTime(original.createdAt)}` : ''}${original.requestedBy ? ` by ${original.requestedBy.name}` : ''}`
    : 'an earlier run';
  return (
    <span className={`text-xs text-slate-700 ${className}`} data-testid="reproduction-of">
      Reproduction of{' '}
      <Link href={`/explanations/${encodeURIComponent(originalId)}`} className="text-indigo-700 underline underline-offset-2">
        {name}
      </Link>
    </span>
  );
}
