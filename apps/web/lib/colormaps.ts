/**
 * Perceptual colour maps for saliency, as 256-entry RGB lookup tables.
 * - viridis (van der Walt & Smith, matplotlib 2.0 default): the 6th-degree polynomial fit by
 *   Matt Zucker ("Polynomial approximations of matplotlib colormaps", shadertoy WlfXRN, 2020),
 *   within ~1/255 of the published table.
 * - turbo (Mikhailov, Google AI Blog 2019, "Turbo, an improved rainbow colormap"): the polynomial
 *   approximation published with it.
 */
export type ColormapName = 'viridis' | 'turbo';
export const COLORMAPS: readonly ColormapName[] = ['viridis', 'turbo'];

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

function viridis(t: number): [number, number, number] {
  const c = [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ];
  const out: [number, number, number] = [0, 0, 0];
  for (let ch = 0; ch < 3; ch++) {
    let v = c[6]![ch]!;
    for (let k = 5; k >= 0; k--) v = c[k]![ch]! + t * v;
    out[ch] = clamp01(v);
  }
  return out;
}

function turbo(x: number): [number, number, number] {
  const v4 = [1, x, x * x, x * x * x];
  const v2 = [v4[2]! * v4[2]!, v4[3]! * v4[2]!];
  const dot4 = (a: number[]) => a[0]! * v4[0]! + a[1]! * v4[1]! + a[2]! * v4[2]! + a[3]! * v4[3]!;
  const dot2 = (a: number[]) => a[0]! * v2[0]! + a[1]! * v2[1]!;
  return [
    clamp01(dot4([0.13572138, 4.6153926, -42.66032258, 132.13108234]) + dot2([-152.94239396, 59.28637943])),
    clamp01(dot4([0.09140261, 2.19418839, 4.84296658, -14.18503333]) + dot2([4.27729857, 2.82956604])),
    clamp01(dot4([0.1066733, 12.64194608, -60.58204836, 110.36276771]) + dot2([-89.90310912, 27.34824973])),
  ];
}

function buildLut(fn: (t: number) => [number, number, number]): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = fn(i / 255);
    lut[i * 3] = Math.round(r * 255);
    lut[i * 3 + 1] = Math.round(g * 255);
    lut[i * 3 + 2] = Math.round(b * 255);
  }
  return lut;
}

export const LUTS: Readonly<Record<ColormapName, Uint8ClampedArray>> = {
  viridis: buildLut(viridis),
  turbo: buildLut(turbo),
};

/** CSS gradient of a map, for legends. */
export function cssGradient(name: ColormapName, stops = 8): string {
  const lut = LUTS[name];
  const parts = Array.from({ length: stops + 1 }, (_, i) => {
    const k = Math.round((i / stops) * 255) * 3;
    return `rgb(${lut[k]}, ${lut[k + 1]}, ${lut[k + 2]}) ${(i / stops) * 100}%`;
  });
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** Fraction of the maximum at which the heat map reaches its full opacity (see paintSlice). */
export const ALPHA_RAMP_END = 0.5;

/**
 * Paints one [H,W] saliency slice into RGBA pixels. Values are divided by `max`; those below
 * `threshold` (0..1 of max) stay transparent; others get the map colour with an alpha that ramps
 * linearly from 0 at zero saliency to `opacity` (0..1) at ALPHA_RAMP_END of the maximum, so the
 * map's low end is transparent and the video stays visible where the model does not look.
 */
export function paintSlice(
  out: Uint8ClampedArray,
  slice: ArrayLike<number>,
  opts: { lut: Uint8ClampedArray; max: number; threshold: number; opacity: number },
): void {
  const scale = opts.max > 0 ? 255 / opts.max : 0;
  const alpha = clamp01(opts.opacity) * 255;
  const rampEnd = ALPHA_RAMP_END * 255;
  const cut = opts.threshold * 255;
  for (let i = 0; i < slice.length; i++) {
    const v = Math.min(255, Math.max(0, slice[i]! * scale));
    const o = i * 4;
    if (v < cut || v <= 0) {
      out[o + 3] = 0;
      continue;
    }
    const k = Math.round(v) * 3;
    out[o] = opts.lut[k]!;
    out[o + 1] = opts.lut[k + 1]!;
    out[o + 2] = opts.lut[k + 2]!;
    out[o + 3] = Math.round(alpha * Math.min(1, v / rampEnd));
  }
}
