import { METRIC_CATALOGUE, directionArrow, directionText, metricDefinition, type MetricDirection } from '@fep/shared/metrics';
import { Card } from '../Card.tsx';

function fmt(v: unknown, pct?: boolean): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  return pct ? `${(v * 100).toFixed(1)} %` : v.toFixed(3);
}

/** Visible ↑/↓ with its meaning spelled out for screen readers and on hover alike. */
export function DirectionBadge({ direction }: { direction: MetricDirection | null }) {
  if (!direction) return null;
  return (
    <span className="ml-1 inline-flex items-center rounded bg-slate-100 px-1 text-xs font-medium text-slate-700" data-testid="metric-direction">
      <span aria-hidden>{directionArrow(direction)}</span>
      <span className="ml-0.5">{direction === 'higher' ? 'higher better' : 'lower better'}</span>
    </span>
  );
}

/**
 * One metric with its value: the name opens its help (a native disclosure, so keyboard and touch
 * reach it, and the help is visible text, not a hover-only title); the direction is always shown.
 */
function MetricRow({ label, help, direction, value }: { label: string; help: string; direction: MetricDirection | null; value: string }) {
  return (
    // dl > div > (dt, dd): the only grouping a description list allows (axe: definition-list).
    <div className="flex items-baseline justify-between gap-2 text-sm" data-testid="metric">
      <dt className="text-slate-700">
        <details className="group inline">
          <summary className="cursor-pointer list-none underline decoration-dotted underline-offset-2">
            {label}
            <span className="sr-only"> ({directionText(direction)}), show what it means</span>
          </summary>
          <span className="mt-1 block text-xs text-slate-600">
            {help} {direction ? `(${directionText(direction)})` : null}
          </span>
        </details>
        <DirectionBadge direction={direction} />
      </dt>
      <dd className="font-mono text-slate-900">{value}</dd>
    </div>
  );
}

export function MetricsPanel({ metrics }: { metrics: Record<string, unknown> | null }) {
  const pointing = metrics?.pointingGame as { hitRate?: number; hits?: number; total?: number } | undefined;
  return (
    <Card title="Metrics" id="metrics">
      {!metrics ? (
        <p className="text-sm text-slate-600">No metrics were recorded for this explanation.</p>
      ) : (
        <dl className="grid grid-cols-1 gap-x-4 gap-y-2 sm:grid-cols-2" data-testid="metrics">
          {METRIC_CATALOGUE.map((m) => (
            <MetricRow key={m.key} label={m.label} help={m.help} direction={m.direction} value={fmt(metrics[m.key], m.percent)} />
          ))}
          {pointing ? (
            <MetricRow
              label="Pointing game"
              help="Share of frames where the mask's peak falls inside the ground-truth region of the action."
              direction="higher"
              value={fmt(pointing.hitRate, true)}
            />
          ) : null}
        </dl>
      )}
      <p className="mt-3 text-xs text-slate-600">Select a name for what it means. ↑ higher is better, ↓ lower is better.</p>
    </Card>
  );
}

/** Compact "· Deletion AUC ↓ 0.123" list for captions (compare mode); the arrow's meaning is read out. */
export function MetricSummary({ metrics, keys }: { metrics: Record<string, number | null | undefined>; keys: readonly string[] }) {
  return (
    <>
      {keys.map((k) => {
        const m = metricDefinition(k);
        const arrow = directionArrow(m.direction);
        return (
          <span key={k} data-testid="metric-summary">
            {' · '}
            {m.label}
            {arrow ? (
              <>
                {' '}
                <span aria-hidden title={directionText(m.direction)}>
                  {arrow}
                </span>
                <span className="sr-only"> ({directionText(m.direction)})</span>
              </>
            ) : null}{' '}
            {fmt(metrics[k], m.percent)}
          </span>
        );
      })}
    </>
  );
}
