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

/**
 * The alpha ramp of the heat map, in fractions of the volume's range (min → max): transparent up to
 * ALPHA_FLOOR, then a smoothstep to full opacity at ALPHA_FULL. The floor keeps the colour map's
 * dark low end (viridis' purple, turbo's blue) off the frame: a saliency volume's background is
 * rarely exactly its minimum (an F-EP mask's background sits a few per cent above it), and even a
 * faint tint over every pixel reads as a dark veil over the whole video.
 */
export const ALPHA_FLOOR = 0.15;
export const ALPHA_FULL = 0.6;

/** 0 at or below `a`, 1 at or above `b`, Hermite-smooth between. */
export function smoothstep(a: number, b: number, x: number): number {
  const t = clamp01((x - a) / (b - a));
  return t * t * (3 - 2 * t);
}

/**
 * Paints one [H,W] saliency slice into RGBA pixels. Values are scaled min–max over the volume
 * (`min`, default 0, to `max`) — as the engine's exported overlays are (apps/engine/src/video/encode.ts),
 * so an under-optimised mask sitting in, say, [0.65, 0.95] still shows its structure. Values below
 * `threshold` (0..1 of that range) or below ALPHA_FLOOR stay transparent; others get the map colour
 * with an alpha rising smoothly to `opacity` (0..1) at ALPHA_FULL, so the video stays visible where
 * the model does not look.
 */
export function paintSlice(
  out: Uint8ClampedArray,
  slice: ArrayLike<number>,
  opts: { lut: Uint8ClampedArray; min?: number; max: number; threshold: number; opacity: number },
): void {
  const lo = opts.min ?? 0;
  const span = opts.max - lo;
  const inv = span > 0 ? 1 / span : 0;
  const alpha = clamp01(opts.opacity) * 255;
  const cut = Math.max(opts.threshold, 0);
  for (let i = 0; i < slice.length; i++) {
    const v = clamp01((slice[i]! - lo) * inv);
    const o = i * 4;
    if (v <= ALPHA_FLOOR || v < cut || v <= 0) {
      out[o + 3] = 0;
      continue;
    }
    const k = Math.round(v * 255) * 3;
    out[o] = opts.lut[k]!;
    out[o + 1] = opts.lut[k + 1]!;
    out[o + 2] = opts.lut[k + 2]!;
    out[o + 3] = Math.round(alpha * smoothstep(ALPHA_FLOOR, ALPHA_FULL, v));
  }
}
