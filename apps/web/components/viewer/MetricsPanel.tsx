import { Card } from '../Card.tsx';

/** Plain-language meanings (definitions in apps/engine/src/core/metrics.ts). */
const METRICS: { key: string; label: string; help: string; better: 'higher' | 'lower'; pct?: boolean }[] = [
  { key: 'insertionAuc', label: 'Insertion AUC', help: 'Start from a blurred clip and reveal the most important pixels first: how fast does the model regain confidence? Higher means the highlighted regions really carry the prediction.', better: 'higher' },
  { key: 'deletionAuc', label: 'Deletion AUC', help: 'Remove the most important pixels first: how fast does confidence drop? Lower means the highlighted regions were truly needed.', better: 'lower' },
  { key: 'temporalConsistency', label: 'Temporal consistency', help: 'How similar the mask is from one frame to the next. Higher means less flicker over time.', better: 'higher' },
  { key: 'spatialSmoothness', label: 'Smoothness', help: 'How gradually the mask changes between neighbouring pixels. Higher means fewer speckles.', better: 'higher' },
  { key: 'sparsity', label: 'Sparsity', help: 'How concentrated the importance is on a small part of the clip. Higher means a more focused explanation.', better: 'higher' },
  { key: 'targetProbability', label: 'Target probability', help: "The model's confidence in the explained class on the untouched clip.", better: 'higher', pct: true },
];

function fmt(v: unknown, pct?: boolean): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return pct ? `${(v * 100).toFixed(1)} %` : v.toFixed(3);
}

export function MetricsPanel({ metrics }: { metrics: Record<string, unknown> | null }) {
  const pointing = metrics?.pointingGame as { hitRate?: number; hits?: number; total?: number } | undefined;
  return (
    <Card title="Metrics" id="metrics">
      {!metrics ? (
        <p className="text-sm text-slate-600">No metrics were recorded for this explanation.</p>
      ) : (
        <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-2" data-testid="metrics">
          {METRICS.map((m) => (
            <div key={m.key} className="flex items-baseline justify-between gap-2">
              <dt className="text-slate-700">
                <abbr title={m.help} className="cursor-help no-underline decoration-dotted hover:underline" tabIndex={0} aria-describedby={`metric-help-${m.key}`}>
                  {m.label}
                </abbr>
                <span id={`metric-help-${m.key}`} className="sr-only">
                  {m.help} ({m.better} is better)
                </span>
              </dt>
              <dd className="font-mono text-slate-900">{fmt(metrics[m.key], m.pct)}</dd>
            </div>
          ))}
          {pointing ? (
            <div className="flex items-baseline justify-between gap-2">
              <dt className="text-slate-700">
                <abbr title="Share of frames where the mask's peak falls inside the ground-truth region of the action. Higher is better." tabIndex={0} className="cursor-help no-underline">
                  Pointing game
                </abbr>
              </dt>
              <dd className="font-mono text-slate-900">{fmt(pointing.hitRate, true)}</dd>
            </div>
          ) : null}
        </dl>
      )}
      <p className="mt-3 text-xs text-slate-600">Hover or focus a name for what it means.</p>
    </Card>
  );
}
