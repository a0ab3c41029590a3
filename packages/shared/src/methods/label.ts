import { isMethodName, METHOD_CATALOGUE, methodLabel } from './catalogue.ts';

/**
 * The one way an explanation is named wherever it is shown or picked (compare, study builder,
 * review creation, lists): method (the catalogue's short label), the parameters that differ from
 * the method's defaults, the model's name and version, when it was requested and by whom. Two runs
 * of one method on one clip differ in at least one of these; `explanationLabels` adds a short id
 * to labels that would still be equal (same second, same everything).
 */
export interface LabelledExplanation {
  id: string;
  method: string;
  /** Parameters as requested (the API's Explanation.params). */
  params?: unknown;
  createdAt?: string | Date | null;
  model?: { name: string; version: string } | null;
  requestedBy?: { name: string } | null;
  reproducesId?: string | null;
}

export interface ExplanationLabelParts {
  method: string;
  /** "area 0.05", "iterations 100": parameters that differ from the catalogue's defaults. */
  params: string[];
  model: string | null;
  date: string | null;
  author: string | null;
  reproduction: boolean;
}

/** Parameters named first, in this order; the rest follow alphabetically. */
const KEY_ORDER = ['area', 'areas', 'iterations', 'seed', 'variant', 'perturbation', 'samples', 'steps', 'window', 'stride', 'layer'];
/** At most this many parameters in a label; more are counted ("+2 more"). */
export const LABEL_MAX_PARAMS = 4;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join('/');
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  if (v === null) return 'none';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The requested parameters that differ from the method's defaults, as "name value" strings. */
export function paramSummary(method: string, params: unknown): string[] {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return [];
  const defaults: Record<string, unknown> = isMethodName(method) ? (METHOD_CATALOGUE[method].defaults as Record<string, unknown>) : {};
  const given = params as Record<string, unknown>;
  // `areas: [a]` is the same request as `area: a`; name it once.
  const entries = Object.entries(given).filter(([k, v]) => {
    if (v === undefined) return false;
    if (k === 'areas' && Array.isArray(v) && v.length === 1 && 'area' in given) return false;
    return !(k in defaults) || !same(v, defaults[k]);
  });
  const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
  entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  const shown = entries.slice(0, LABEL_MAX_PARAMS).map(([k, v]) => `${k} ${formatValue(v)}`);
  if (entries.length > LABEL_MAX_PARAMS) shown.push(`+${entries.length - LABEL_MAX_PARAMS} more`);
  return shown;
}

const DATE_FORMAT: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };

/** "4 Dec 2026, 18:40:12" in `timeZone` (the viewer's own when absent). */
export function labelDate(d: string | Date, timeZone?: string): string {
  const date = typeof d === 'string' ? new Date(d) : d;
  if (!Number.isFinite(date.getTime())) return '';
  return new Intl.DateTimeFormat('en-GB', { ...DATE_FORMAT, ...(timeZone ? { timeZone } : {}) }).format(date);
}

export function explanationLabelParts(e: LabelledExplanation, opts: { timeZone?: string } = {}): ExplanationLabelParts {
  return {
    method: methodLabel(e.method),
    params: paramSummary(e.method, e.params),
    model: e.model ? `${e.model.name} ${e.model.version}` : null,
    date: e.createdAt ? labelDate(e.createdAt, opts.timeZone) || null : null,
    author: e.requestedBy?.name ?? null,
    reproduction: Boolean(e.reproducesId),
  };
}

/** "F-EP · area 0.05 · iterations 100 · synth-net 1 · 4 Dec 2026, 18:40:12 · Ada" (+ " · reproduction"). */
export function explanationLabel(e: LabelledExplanation, opts: { timeZone?: string } = {}): string {
  const p = explanationLabelParts(e, opts);
  return [p.method, ...p.params, p.model, p.date, p.author ? `by ${p.author}` : null, p.reproduction ? 'reproduction' : null]
    .filter((s): s is string => Boolean(s))
    .join(' · ');
}

/**
 * Labels for a list shown together (a picker): each explanation's label, with a short id (#…)
 * appended to any label another one in the list shares, so no two options read the same.
 */
export function explanationLabels(list: readonly LabelledExplanation[], opts: { timeZone?: string } = {}): Map<string, string> {
  const labels = new Map(list.map((e) => [e.id, explanationLabel(e, opts)]));
  const counts = new Map<string, number>();
  for (const l of labels.values()) counts.set(l, (counts.get(l) ?? 0) + 1);
  for (const [id, l] of labels) if ((counts.get(l) ?? 0) > 1) labels.set(id, `${l} · #${id.slice(-6)}`);
  return labels;
}
