/**
 * Explanation.trust: the stored prediction, the video's probe and the model's manifest run
 * through the one rule set (packages/shared/src/trust.ts). Nothing is stored: rows written before
 * a rule existed get it too, and a manifest that gains `trainingData` applies at once.
 */
import { assessTrust, type TrainingDataSpec, type TrustWarning } from '@fep/shared';

const obj = (x: unknown): Record<string, unknown> | null => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null);
const nums = (x: unknown): number[] | null => (Array.isArray(x) && x.every((v) => typeof v === 'number') ? (x as number[]) : null);

export function explanationTrust(
  e: { status: string; prediction: unknown; provenance: unknown },
  model: { manifest: unknown; labels: unknown } | null,
  video: { width: number | null; height: number | null; fps: number | null; durationSec: number | null } | null,
): { warnings: TrustWarning[] } | null {
  if (e.status !== 'DONE' || !obj(e.prediction)) return null;
  const manifest = obj(model?.manifest);
  const input = obj(manifest?.input);
  const mean = nums(input?.mean);
  const std = nums(input?.std);
  const clip = obj(obj(e.provenance)?.clip);
  const stats = obj(clip?.pixelStats);
  const statMean = nums(stats?.mean);
  const statStd = nums(stats?.std);
  const labels = Array.isArray(model?.labels) ? model.labels.length : 0;
  const warnings = assessTrust({
    prediction: e.prediction as { label?: string; probability?: number; top5?: { probability?: number }[] },
    classes: labels,
    video,
    trainingData: (obj(manifest?.trainingData) as TrainingDataSpec | null) ?? null,
    normalisation: mean && std ? { mean, std } : null,
    pixelStats: statMean && statStd ? { mean: statMean, std: statStd } : null,
  });
  return { warnings };
}
