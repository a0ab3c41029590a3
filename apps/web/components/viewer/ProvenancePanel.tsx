import { formatDateTime } from '../../lib/format.ts';
import { Card } from '../Card.tsx';

/** Everything needed to reproduce the explanation (provenance written by the engine worker). */
export function ProvenancePanel({
  provenance,
  timings,
  params,
  model,
}: {
  provenance: Record<string, unknown> | null;
  timings: Record<string, unknown> | null;
  params: unknown;
  model: { name: string; version: string; weightsSha256: string };
}) {
  const p = provenance ?? {};
  const resolved = (p.params ?? params) as Record<string, unknown> | null;
  const rows: [string, string][] = [
    ['Model', `${model.name} ${model.version}`],
    ['Weights SHA-256', String(p.weightsSha256 ?? model.weightsSha256)],
    ['Video SHA-256', String(p.videoSha256 ?? '—')],
    ['Engine version', String(p.engineVersion ?? '—')],
    ['Backend', [p.backend, p.device].filter(Boolean).join(' on ') || '—'],
    ['Seed', p.seed == null ? '—' : String(p.seed)],
    ['Window start', p.windowStartSec == null ? '—' : `${Number(p.windowStartSec).toFixed(3)} s`],
    ['Started', formatDateTime(p.startedAt as string | undefined)],
    ['Finished', formatDateTime(p.finishedAt as string | undefined)],
    ['Run time', typeof timings?.totalMs === 'number' ? `${(timings.totalMs / 1000).toFixed(1)} s (${String(timings.iterations ?? '?')} iterations)` : '—'],
  ];
  return (
    <Card title="Provenance" id="provenance">
      <dl className="space-y-1.5 text-sm" data-testid="provenance">
        {rows.map(([k, v]) => (
          <div key={k} className="grid grid-cols-[8rem_minmax(0,1fr)] gap-2">
            <dt className="text-slate-600">{k}</dt>
            <dd className="truncate font-mono text-xs leading-5 text-slate-900" title={v}>
              {v}
            </dd>
          </div>
        ))}
      </dl>
      {resolved ? (
        <details className="mt-3">
          <summary className="cursor-pointer text-sm font-medium text-slate-800">Parameters</summary>
          <pre className="mt-2 max-h-64 overflow-auto rounded bg-slate-50 p-2 text-xs" tabIndex={0} role="region" aria-label="Parameters (JSON)">{JSON.stringify(resolved, null, 2)}</pre>
        </details>
      ) : null}
    </Card>
  );
}
