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

/** The worker's comparison of a reproduction with its original (graphql Explanation.comparison). */
interface Comparison {
  identical?: boolean;
  pearson?: number;
  maxAbsDiff?: number;
  topAreaIoU?: number;
  area?: number;
  sameBackend?: boolean;
  original?: { backend?: string | null; device?: string | null; engineVersion?: string | null };
  reproduction?: { backend?: string | null; device?: string | null; engineVersion?: string | null };
  error?: string;
}

const fixed = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const onBackend = (b: Comparison['original']) => [b?.backend, b?.device].filter(Boolean).join(' on ') || '—';

/**
 * A finished reproduction's agreement with its original: identical bytes, Pearson r, the largest
 * voxel difference, the IoU of the top-a regions and whether both ran on the same backend.
 */
export function AgreementPanel({ comparison, status }: { comparison: unknown; status: string }) {
  const c = (comparison ?? null) as Comparison | null;
  let body;
  if (status !== 'DONE') body = <p className="text-sm text-slate-700">The agreement with the original appears here once this reproduction has finished.</p>;
  else if (!c) body = <p className="text-sm text-slate-700">No comparison was recorded for this reproduction.</p>;
  else if (c.error) body = <p className="text-sm text-slate-700">{c.error}</p>;
  else {
    const rows: [string, string, string][] = [
      ['Identical', c.identical ? 'yes — byte-equal volumes' : 'no', 'identical'],
      ['Pearson r', fixed(c.pearson, 4), 'pearson'],
      ['Max |Δ|', fixed(c.maxAbsDiff, 4), 'max-abs-diff'],
      [`Top-area IoU${typeof c.area === 'number' ? ` (a = ${fixed(c.area, 2)})` : ''}`, fixed(c.topAreaIoU, 3), 'top-area-iou'],
      ['Same backend', c.sameBackend === true ? 'yes' : c.sameBackend === false ? 'no' : '—', 'same-backend'],
      ['Backends', `${onBackend(c.original)} → ${onBackend(c.reproduction)}`, 'backends'],
    ];
    body = (
      <>
        <p className="mb-2 text-sm font-medium" data-testid="agreement-verdict">
          {c.identical ? (
            <span className="text-emerald-800">Reproduced exactly: the saliency is identical to the original’s.</span>
          ) : (
            <span className="text-amber-900">Not identical to the original{c.sameBackend === false ? ' (it ran on another backend)' : ''}.</span>
          )}
        </p>
        <dl className="space-y-1.5 text-sm">
          {rows.map(([k, v, id]) => (
            <div key={k} className="grid grid-cols-[8rem_minmax(0,1fr)] gap-2">
              <dt className="text-slate-600">{k}</dt>
              <dd className="font-mono text-xs leading-5 text-slate-900" data-testid={`agreement-${id}`}>
                {v}
              </dd>
            </div>
          ))}
        </dl>
      </>
    );
  }
  return (
    <Card title="Agreement with the original" id="agreement">
      <div data-testid="agreement">{body}</div>
    </Card>
  );
}
