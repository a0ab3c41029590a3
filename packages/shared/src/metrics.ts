/**
 * The explanation-quality metrics the engine records (definitions in
 * apps/engine/src/core/metrics.ts), with the direction in which each reads better. The viewer,
 * compare mode and the audit report all take labels and ↑/↓ from here, so they cannot disagree.
 */
export type MetricDirection = 'higher' | 'lower';

export interface MetricDefinition {
  /** Key in Explanation.metrics. */
  key: string;
  label: string;
  /** Plain-language meaning, including which way is better where one is. */
  help: string;
  /** Which way reads better; null for descriptive values with no better direction. */
  direction: MetricDirection | null;
  range: string;
  /** Where the definition comes from. */
  source: string;
  /** Shown as a percentage. */
  percent?: boolean;
}

export const METRIC_CATALOGUE: readonly MetricDefinition[] = [
  {
    key: 'insertionAuc',
    label: 'Insertion AUC',
    help: 'Start from a blurred clip and reveal the most important pixels first: how fast does the model regain confidence? Higher means the highlighted regions really carry the prediction.',
    direction: 'higher',
    range: '0–1',
    source: 'Petsiuk et al., RISE (BMVC 2018); video: Li et al. (WACV 2021)',
  },
  {
    key: 'deletionAuc',
    label: 'Deletion AUC',
    help: 'Remove the most important pixels first: how fast does confidence drop? Lower means the highlighted regions were truly needed.',
    direction: 'lower',
    range: '0–1',
    source: 'Petsiuk et al., RISE (BMVC 2018); video: Li et al. (WACV 2021)',
  },
  {
    key: 'temporalConsistency',
    label: 'Temporal change',
    help: 'Mean absolute change of the (max-normalised) mask from one frame to the next. Lower means less flicker over time; 0 is a mask that never changes.',
    direction: 'lower',
    range: '0–1',
    source: 'apps/engine/src/core/metrics.ts temporalConsistency',
  },
  {
    key: 'spatialSmoothness',
    label: 'Spatial change',
    help: 'Mean absolute difference of the (max-normalised) mask between neighbouring pixels (total variation). Lower means a smoother mask with fewer speckles.',
    direction: 'lower',
    range: '0–1',
    source: 'apps/engine/src/core/metrics.ts spatialSmoothness',
  },
  {
    key: 'sparsity',
    label: 'Sparsity',
    help: 'Gini index of the importance: how concentrated it is on a small part of the clip. Higher means more focused; neither direction is better by itself.',
    direction: null,
    range: '0–1',
    source: 'Gini index (apps/engine/src/core/metrics.ts sparsity)',
  },
  {
    key: 'targetProbability',
    label: 'Target probability',
    help: "The model's confidence in the explained class on the untouched clip (a property of the model, not of the explanation).",
    direction: null,
    range: '0–100 %',
    source: 'model output (softmax)',
    percent: true,
  },
];

export const METRICS_BY_KEY: ReadonlyMap<string, MetricDefinition> = new Map(METRIC_CATALOGUE.map((m) => [m.key, m]));

export function metricDefinition(key: string): MetricDefinition {
  const m = METRICS_BY_KEY.get(key);
  if (!m) throw new Error(`Unknown metric ${key}.`);
  return m;
}

/** ↑ for higher-is-better, ↓ for lower-is-better, '' for neither. */
export function directionArrow(d: MetricDirection | null): '↑' | '↓' | '' {
  return d === 'higher' ? '↑' : d === 'lower' ? '↓' : '';
}

export function directionText(d: MetricDirection | null): string {
  return d === 'higher' ? 'higher is better' : d === 'lower' ? 'lower is better' : 'no better direction';
}

/** "Deletion AUC ↓": the label with its arrow, for table headings and compact captions. */
export function metricHeading(key: string): string {
  const m = metricDefinition(key);
  return `${m.label} ${directionArrow(m.direction)}`.trim();
}
