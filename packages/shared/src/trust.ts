/**
 * When a prediction should not be trusted: the rules behind Explanation.trust (GraphQL) and the
 * notice on the explanation viewer. Pure and browser-safe, so the API computes the warnings and the
 * viewer's help text quotes the same thresholds. docs/trust.md explains each rule.
 *
 * Two kinds of evidence:
 * - the model's own output: a top-1 probability under LOW_CONFIDENCE_BELOW, or a distribution
 *   close to uniform (normalised entropy at least NEAR_UNIFORM_ENTROPY);
 * - the input against what the model's manifest says it was trained on (fep-model.json
 *   `trainingData`: frame size, aspect ratio, fps, duration) and against the per-channel mean/std
 *   the manifest normalises with (the clip's own statistics, recorded by the engine).
 * A saturated prediction (top-1 at least SATURATED_AT) on an input that breaks any input rule is
 * the suspicious case: confident on something the model has never seen.
 */

export type TrustWarningCode =
  | 'LOW_CONFIDENCE'
  | 'NEAR_UNIFORM'
  | 'RESOLUTION_UNLIKE_TRAINING'
  | 'FPS_UNLIKE_TRAINING'
  | 'DURATION_UNLIKE_TRAINING'
  | 'PIXEL_STATS_UNLIKE_TRAINING'
  | 'SATURATED_ON_UNFAMILIAR_INPUT';

export interface TrustWarning {
  code: TrustWarningCode;
  message: string;
}

/** The thresholds, in one place (quoted by docs/trust.md and the viewer's help text). */
export const TRUST_RULES = {
  /** Top-1 probability below this is low confidence. */
  LOW_CONFIDENCE_BELOW: 0.5,
  /** Normalised entropy (entropy / ln K) at or above this is a near-uniform distribution. */
  NEAR_UNIFORM_ENTROPY: 0.9,
  /** Top-1 probability at or above this is saturated. */
  SATURATED_AT: 0.99,
  /** A range from the manifest is widened by this factor either way (min ÷ f … max × f) before it is broken. */
  RANGE_TOLERANCE: 1.5,
  /** Aspect ratios are widened less: 4:3 against 1:1 is already a different framing. */
  ASPECT_TOLERANCE: 1.15,
  /** A channel mean further than this many of the manifest's std from the manifest's mean is unlike the training data. */
  PIXEL_MEAN_STDS: 2,
  /** A channel std more than this factor above or below the manifest's std is unlike the training data. */
  PIXEL_STD_FACTOR: 2,
} as const;

export interface Range {
  min: number;
  max: number;
}

export interface TrainingDataSpec {
  description?: string;
  shortSidePx?: Range;
  aspectRatio?: Range;
  fps?: Range;
  durationSec?: Range;
}

export interface TrustInput {
  /** Top-1 and (optionally) the top-5 probabilities the engine recorded. */
  prediction: { label?: string; probability?: number; top5?: { probability?: number }[] } | null;
  /** Number of classes (the model's labels). */
  classes: number;
  video: { width: number | null; height: number | null; fps: number | null; durationSec: number | null } | null;
  trainingData?: TrainingDataSpec | null;
  /** The manifest's input normalisation (per channel, in the model's value range). */
  normalisation?: { mean: number[]; std: number[] } | null;
  /** The decoded clip's per-channel statistics (provenance.clip.pixelStats). */
  pixelStats?: { mean: number[]; std: number[] } | null;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const pct = (p: number) => `${(p * 100).toFixed(p >= 0.995 && p < 1 ? 1 : 0)} %`;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
const rangeText = (r: Range, unit = '') => (r.min === r.max ? `${fmt(r.min)}${unit}` : `${fmt(r.min)}–${fmt(r.max)}${unit}`);

/** True when `x` lies outside [min ÷ f, max × f]. */
export function outsideRange(x: number, r: Range, factor: number): boolean {
  return x < r.min / factor || x > r.max * factor;
}

/**
 * Normalised entropy of a distribution known only by its largest probabilities: the rest of the
 * mass is taken as spread evenly over the classes not listed, which gives the largest entropy the
 * known values allow (so near-uniform is never missed for lack of the tail).
 */
export function normalisedEntropy(known: number[], classes: number): number | null {
  const ps = known.filter((p) => finite(p) && p >= 0);
  if (classes < 2 || ps.length === 0) return null;
  const rest = Math.max(0, 1 - ps.reduce((a, b) => a + b, 0));
  const others = Math.max(0, classes - ps.length);
  const all = others > 0 ? [...ps, ...Array<number>(others).fill(rest / others)] : ps;
  let h = 0;
  for (const p of all) if (p > 0) h -= p * Math.log(p);
  return h / Math.log(classes);
}

/** Every warning that applies, in a stable order: the model's confidence first, then the input, then the combination. */
export function assessTrust(input: TrustInput): TrustWarning[] {
  const warnings: TrustWarning[] = [];
  const R = TRUST_RULES;
  const top1 = input.prediction?.probability;
  const label = input.prediction?.label ? `“${input.prediction.label}”` : 'its top class';
  if (finite(top1) && top1 < R.LOW_CONFIDENCE_BELOW) {
    warnings.push({
      code: 'LOW_CONFIDENCE',
      message: `The model is unsure: it gives ${label} only ${pct(top1)} (below ${pct(R.LOW_CONFIDENCE_BELOW)}), so the explanation shows evidence for a guess.`,
    });
  }
  const top5 = (input.prediction?.top5 ?? []).map((c) => c.probability).filter(finite);
  const entropy = normalisedEntropy(top5.length ? top5 : finite(top1) ? [top1] : [], input.classes);
  if (entropy !== null && entropy >= R.NEAR_UNIFORM_ENTROPY) {
    warnings.push({
      code: 'NEAR_UNIFORM',
      message: `The model's output is close to uniform over its ${input.classes} classes (normalised entropy ${entropy.toFixed(2)} ≥ ${R.NEAR_UNIFORM_ENTROPY}): it does not tell the classes apart on this clip.`,
    });
  }

  const inputWarnings: TrustWarning[] = [];
  const td = input.trainingData ?? null;
  const v = input.video;
  const trained = td?.description ? ` (${td.description})` : '';
  if (td && v && finite(v.width) && finite(v.height) && v.width > 0 && v.height > 0) {
    const short = Math.min(v.width, v.height);
    const aspect = v.width / v.height;
    const sizeOff = td.shortSidePx && outsideRange(short, td.shortSidePx, R.RANGE_TOLERANCE);
    const aspectOff = td.aspectRatio && outsideRange(aspect, td.aspectRatio, R.ASPECT_TOLERANCE);
    if (sizeOff || aspectOff) {
      const parts = [
        td.shortSidePx ? `a shorter side of ${rangeText(td.shortSidePx, ' px')}` : null,
        td.aspectRatio ? `an aspect ratio of ${rangeText(td.aspectRatio)}` : null,
      ].filter(Boolean);
      inputWarnings.push({
        code: 'RESOLUTION_UNLIKE_TRAINING',
        message: `The video is ${v.width}×${v.height}; the model was trained on frames with ${parts.join(' and ')}${trained}.`,
      });
    }
  }
  if (td?.fps && v && finite(v.fps) && v.fps > 0 && outsideRange(v.fps, td.fps, R.RANGE_TOLERANCE)) {
    inputWarnings.push({
      code: 'FPS_UNLIKE_TRAINING',
      message: `The video runs at ${fmt(v.fps)} fps; the model was trained on ${rangeText(td.fps, ' fps')} video, so motion per frame differs.`,
    });
  }
  if (td?.durationSec && v && finite(v.durationSec) && v.durationSec > 0 && outsideRange(v.durationSec, td.durationSec, R.RANGE_TOLERANCE)) {
    inputWarnings.push({
      code: 'DURATION_UNLIKE_TRAINING',
      message: `The video is ${fmt(v.durationSec)} s long; the model's training videos were ${rangeText(td.durationSec, ' s')}.`,
    });
  }
  const norm = input.normalisation;
  const stats = input.pixelStats;
  if (norm && stats && norm.mean.length && norm.mean.length === norm.std.length && stats.mean.length === norm.mean.length && stats.std.length === norm.std.length) {
    const off = norm.mean.some((m, c) => {
      const s = norm.std[c]!;
      const mean = stats.mean[c]!;
      const std = stats.std[c]!;
      if (!finite(m) || !finite(s) || s <= 0 || !finite(mean) || !finite(std)) return false;
      const ratio = std / s;
      return Math.abs(mean - m) > R.PIXEL_MEAN_STDS * s || ratio > R.PIXEL_STD_FACTOR || ratio < 1 / R.PIXEL_STD_FACTOR;
    });
    if (off) {
      const show = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
      inputWarnings.push({
        code: 'PIXEL_STATS_UNLIKE_TRAINING',
        message: `The clip's colours are unlike the training data: per-channel mean [${show(stats.mean)}] and spread [${show(stats.std)}] against the model's [${show(norm.mean)}] and [${show(norm.std)}].`,
      });
    }
  }
  warnings.push(...inputWarnings);
  if (finite(top1) && top1 >= R.SATURATED_AT && inputWarnings.length) {
    warnings.push({
      code: 'SATURATED_ON_UNFAMILIAR_INPUT',
      message: `The model is ${pct(top1)} sure of ${label} on a video unlike its training data. A saturated score on unfamiliar input is a sign of a model out of its depth, not of clear evidence; read the explanation with care.`,
    });
  }
  return warnings;
}
