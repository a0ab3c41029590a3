/**
 * Agreement between two saliency volumes of the same shape, for reproduce-and-compare:
 * Pearson correlation, the largest absolute voxel difference, and the IoU of the two
 * top-a regions (the a·N most salient voxels of each, a = the explanation's area).
 */
export interface SaliencyComparison {
  identical: boolean;
  pearson: number;
  maxAbsDiff: number;
  topAreaIoU: number;
  area: number;
  voxels: number;
}

export function pearson(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  // Two constant volumes agree perfectly if equal; otherwise correlation is undefined → 0.
  if (va === 0 || vb === 0) return va === vb && ma === mb ? 1 : 0;
  return cov / Math.sqrt(va * vb);
}

/** Indices of the k largest values (ties broken by index, so the result is deterministic). */
export function topIndices(values: Float32Array, k: number): Set<number> {
  const order = Array.from(values.keys()).sort((i, j) => values[j]! - values[i]! || i - j);
  return new Set(order.slice(0, k));
}

export function compareSaliency(a: Float32Array, b: Float32Array, area: number): SaliencyComparison {
  if (a.length !== b.length) throw new RangeError(`Saliency volumes differ in size (${a.length} vs ${b.length}).`);
  let maxAbsDiff = 0;
  for (let i = 0; i < a.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]! - b[i]!));
  const k = Math.max(1, Math.round(area * a.length));
  const ta = topIndices(a, k);
  const tb = topIndices(b, k);
  let inter = 0;
  for (const i of ta) if (tb.has(i)) inter++;
  return {
    identical: maxAbsDiff === 0,
    pearson: pearson(a, b),
    maxAbsDiff,
    topAreaIoU: inter / (ta.size + tb.size - inter),
    area,
    voxels: a.length,
  };
}
