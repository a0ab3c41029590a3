/**
 * SynthActions: a deterministic, seeded generator of short action clips with per-pixel ground truth.
 *
 * Why: to check an explanation method (F-EP, Lin et al., BMVC 2021, arXiv 2111.01215; EP, Fong et al.,
 * ICCV 2019) we need clips where we *know* which pixels on which frames carry the evidence for the
 * class. In SynthActions the class is decided only by *how one target object moves*; 1–3 distractor
 * objects drawn from the same appearance distribution (same shape family, palette, stripe texture)
 * move in class-independent ways, over a textured background. So a model that solves the task must
 * look at the target's motion, and the ground truth is the target's pixels on the frames where the
 * action happens.
 *
 * Classes (8):
 *  - move_left / move_right / move_up / move_down: the target translates over the whole clip
 *    (1.5–2.5 px per frame), actionInterval = [0, T-1].
 *  - rotate_cw / rotate_ccw: the target rotates (8–12° per frame) during a sub-interval only
 *    (≈40–65 % of the clip), still before and after.
 *  - grow / shrink: the target scales by a factor 1.5–1.8 (or its inverse) during a sub-interval only.
 * Distractors: static, jitter (±1.5 px i.i.d. per frame around a fixed point), oscillate
 * (sinusoidal translation, 3–6 px amplitude, 5–9 frame period, zero net displacement),
 * wobble (sinusoidal rotation, ±10–20°) or pulse (sinusoidal scale, ±8–15 %): none of them is a
 * class action, and they are drawn independently of the class.
 *
 * Ground truth: `gt[t,y,x] = 1` iff pixel (y,x) on frame t shows the target object (visible, i.e. not
 * covered by a distractor drawn later) and t ∈ [t0, t1] (inclusive). All values are derived from the
 * seed with mulberry32, so the same arguments give byte-identical clips on every machine.
 *
 * Sizes follow common action-recognition clip shapes: 16 frames of 112×112 (C3D, Tran et al. 2015;
 * R(2+1)D, Tran et al. CVPR 2018).
 */
import { mixSeed, mulberry32, pick, randInt, uniform, type Rng } from './prng.ts';

export const SYNTH_ACTIONS_LABELS = [
  'move_left',
  'move_right',
  'move_up',
  'move_down',
  'rotate_cw',
  'rotate_ccw',
  'grow',
  'shrink',
] as const;

export type SynthActionLabel = (typeof SYNTH_ACTIONS_LABELS)[number];

/** Defaults: 16×112×112, the R(2+1)D / C3D clip size (Tran et al. 2015, 2018). */
export const SYNTH_DEFAULTS = { frames: 16, height: 112, width: 112 } as const;

/** Classes whose action covers the whole clip; the others act during a sub-interval only. */
export const FULL_CLIP_CLASSES: ReadonlySet<number> = new Set([0, 1, 2, 3]);

export interface GenerateClipOptions {
  /** Class to generate; when omitted it is drawn from the seed (uniform over the 8 classes). */
  classIndex?: number;
  seed: number;
  frames?: number;
  height?: number;
  width?: number;
  /**
   * Number of distractors (0–3). When omitted it is drawn from the seed (1–3). Overriding it keeps
   * the target's appearance, motion and action interval for that seed (they are drawn first); the
   * background and noise then differ. Used for curriculum training (fewer distractors first).
   */
  distractors?: number;
}

export interface SynthClip {
  /** [T,H,W,3] float32 RGB in [0,1], C order. */
  frames: Float32Array;
  /** [T,H,W] uint8 0/1: target pixels on the frames of the action. */
  gt: Uint8Array;
  classIndex: number;
  label: SynthActionLabel;
  /** Inclusive frame indices [t0, t1] during which the target performs the action. */
  actionInterval: [number, number];
  shape: { frames: number; height: number; width: number; channels: 3 };
  /** Number of distractor objects (1–3 unless overridden). */
  distractors: number;
}

interface Pose {
  cx: number;
  cy: number;
  /** Rotation in radians; positive = clockwise on screen (image y axis points down). */
  theta: number;
  scale: number;
}

interface ObjectSpec {
  hw: number;
  hh: number;
  color: [number, number, number];
  stripePeriod: number;
  poses: Pose[];
}

type DistractorMotion = 'static' | 'jitter' | 'oscillate' | 'wobble' | 'pulse';
const DISTRACTOR_MOTIONS: readonly DistractorMotion[] = ['static', 'jitter', 'oscillate', 'wobble', 'pulse'];

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (((i % 6) + 6) % 6) {
    case 0:
      return [v, t, p];
    case 1:
      return [q, v, p];
    case 2:
      return [p, v, t];
    case 3:
      return [p, q, v];
    case 4:
      return [t, p, v];
    default:
      return [v, p, q];
  }
}

/** Appearance shared by target and distractors: same distribution, so appearance never tells them apart. */
function randomAppearance(rng: Rng): Omit<ObjectSpec, 'poses'> {
  const hw = uniform(rng, 9, 13);
  return {
    hw,
    hh: hw * uniform(rng, 0.45, 0.65),
    color: hsvToRgb(rng(), uniform(rng, 0.55, 0.9), uniform(rng, 0.75, 1)),
    stripePeriod: uniform(rng, 4, 6),
  };
}

function radius(o: Omit<ObjectSpec, 'poses'>, maxScale: number): number {
  return Math.hypot(o.hw, o.hh) * maxScale;
}

function distPointSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const u = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + u * dx), py - (ay + u * dy));
}

function validateInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

export function generateClip(options: GenerateClipOptions): SynthClip {
  const T = options.frames ?? SYNTH_DEFAULTS.frames;
  const H = options.height ?? SYNTH_DEFAULTS.height;
  const W = options.width ?? SYNTH_DEFAULTS.width;
  validateInt('frames', T, 4);
  validateInt('height', H, 48);
  validateInt('width', W, 48);
  validateInt('seed', Math.abs(options.seed), 0);
  const rng = mulberry32(mixSeed(options.seed, 0x5a17ac7));
  const K = SYNTH_ACTIONS_LABELS.length;
  const drawnClass = Math.floor(rng() * K);
  const classIndex = options.classIndex ?? drawnClass;
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= K) {
    throw new RangeError(`classIndex must be an integer in [0, ${K - 1}], got ${classIndex}`);
  }
  const label = SYNTH_ACTIONS_LABELS[classIndex]!;
  // Resolution-independent sizes: the appearance constants above are for 112 px; scale them.
  const unit = Math.min(H, W) / 112;

  // ---- action interval -------------------------------------------------------------------
  let t0 = 0;
  let t1 = T - 1;
  if (!FULL_CLIP_CLASSES.has(classIndex)) {
    const minLen = Math.max(3, Math.round(T * 0.4));
    const maxLen = Math.max(minLen, Math.round(T * 0.65));
    const len = randInt(rng, minLen, maxLen); // number of frames in [t0, t1]
    t0 = randInt(rng, 0, T - len);
    t1 = t0 + len - 1;
  }
  const progress = (t: number): number => (t1 === t0 ? (t >= t1 ? 1 : 0) : Math.max(0, Math.min(1, (t - t0) / (t1 - t0))));

  // ---- target ------------------------------------------------------------------------------
  const targetLook = randomAppearance(rng);
  targetLook.hw *= unit;
  targetLook.hh *= unit;
  const theta0 = uniform(rng, 0, Math.PI);
  let maxScale = 1;
  let dir: [number, number] = [0, 0];
  let dist = 0;
  let totalRot = 0;
  let scaleEnd = 1;
  switch (label) {
    case 'move_left':
    case 'move_right':
    case 'move_up':
    case 'move_down': {
      dir = label === 'move_left' ? [-1, 0] : label === 'move_right' ? [1, 0] : label === 'move_up' ? [0, -1] : [0, 1];
      dist = uniform(rng, 1.5, 2.5) * unit * (t1 - t0);
      break;
    }
    case 'rotate_cw':
    case 'rotate_ccw': {
      const perFrame = (uniform(rng, 8, 12) * Math.PI) / 180;
      totalRot = (label === 'rotate_cw' ? 1 : -1) * perFrame * (t1 - t0);
      break;
    }
    case 'grow':
    case 'shrink': {
      const g = uniform(rng, 1.5, 1.8);
      scaleEnd = label === 'grow' ? g : 1 / g;
      if (label === 'grow') maxScale = g;
      break;
    }
  }
  const rT = radius(targetLook, maxScale);
  const margin = rT + 2;
  const span = (lo: number, hi: number): number => (hi > lo ? uniform(rng, lo, hi) : (lo + hi) / 2);
  // Start point so that the whole trajectory stays inside the frame.
  const cx0 = span(margin + Math.max(0, -dir[0] * dist), W - margin - Math.max(0, dir[0] * dist));
  const cy0 = span(margin + Math.max(0, -dir[1] * dist), H - margin - Math.max(0, dir[1] * dist));
  const cx1 = cx0 + dir[0] * dist;
  const cy1 = cy0 + dir[1] * dist;
  const targetPoses: Pose[] = [];
  for (let t = 0; t < T; t++) {
    const p = progress(t);
    targetPoses.push({
      cx: cx0 + dir[0] * dist * p,
      cy: cy0 + dir[1] * dist * p,
      theta: theta0 + totalRot * p,
      scale: Math.pow(scaleEnd, p),
    });
  }
  const target: ObjectSpec = { ...targetLook, poses: targetPoses };

  // ---- distractors ---------------------------------------------------------------------------
  const drawnDistractors = randInt(rng, 1, 3);
  const nDistractors = options.distractors ?? drawnDistractors;
  if (!Number.isInteger(nDistractors) || nDistractors < 0 || nDistractors > 3) {
    throw new RangeError(`distractors must be an integer in [0, 3], got ${nDistractors}`);
  }
  const distractors: ObjectSpec[] = [];
  for (let d = 0; d < nDistractors; d++) {
    const look = randomAppearance(rng);
    look.hw *= unit;
    look.hh *= unit;
    const motion = pick(rng, DISTRACTOR_MOTIONS);
    const rD = radius(look, 1.15) + 6 * unit;
    const m = rD + 1;
    let bx = span(m, W - m);
    let by = span(m, H - m);
    // Keep distractors off the target's path when possible (up to 30 tries), so the ground truth
    // is rarely occluded; overlaps are still allowed when the frame is crowded.
    for (let attempt = 0; attempt < 30; attempt++) {
      const clearOfTarget = distPointSegment(bx, by, cx0, cy0, cx1, cy1) > rT + rD;
      const clearOfOthers = distractors.every((o) => Math.hypot(o.poses[0]!.cx - bx, o.poses[0]!.cy - by) > rD + radius(o, 1.15));
      if (clearOfTarget && clearOfOthers) break;
      bx = span(m, W - m);
      by = span(m, H - m);
    }
    const th0 = uniform(rng, 0, Math.PI);
    const period = uniform(rng, 5, 9);
    const phase = uniform(rng, 0, 2 * Math.PI);
    const amp = uniform(rng, 3, 6) * unit;
    const ang = uniform(rng, 0, 2 * Math.PI);
    const wobble = (uniform(rng, 10, 20) * Math.PI) / 180;
    const pulse = uniform(rng, 0.08, 0.15);
    const poses: Pose[] = [];
    for (let t = 0; t < T; t++) {
      const s = Math.sin((2 * Math.PI * t) / period + phase);
      // Draw jitter unconditionally so the stream layout does not depend on the motion type.
      const jx = uniform(rng, -1.5, 1.5) * unit;
      const jy = uniform(rng, -1.5, 1.5) * unit;
      const pose: Pose = { cx: bx, cy: by, theta: th0, scale: 1 };
      if (motion === 'jitter') {
        pose.cx += jx;
        pose.cy += jy;
      } else if (motion === 'oscillate') {
        pose.cx += amp * s * Math.cos(ang);
        pose.cy += amp * s * Math.sin(ang);
      } else if (motion === 'wobble') {
        pose.theta += wobble * s;
      } else if (motion === 'pulse') {
        pose.scale = 1 + pulse * s;
      }
      poses.push(pose);
    }
    distractors.push({ ...look, poses });
  }

  // ---- background: stripes at a random angle + static value noise ----------------------------
  const bg = new Float32Array(H * W * 3);
  const base = uniform(rng, 0.3, 0.55);
  const tint: [number, number, number] = [uniform(rng, -0.06, 0.06), uniform(rng, -0.06, 0.06), uniform(rng, -0.06, 0.06)];
  const stripeAng = uniform(rng, 0, Math.PI);
  const stripePeriod = uniform(rng, 8, 20) * unit;
  const stripeAmp = uniform(rng, 0.06, 0.14);
  const ca = Math.cos(stripeAng);
  const sa = Math.sin(stripeAng);
  // Coarse value noise (4-px cells, bilinear) so the texture is not a pure sinusoid.
  const cell = Math.max(2, Math.round(4 * unit));
  const gw = Math.ceil(W / cell) + 2;
  const gh = Math.ceil(H / cell) + 2;
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = uniform(rng, -0.08, 0.08);
  for (let y = 0; y < H; y++) {
    const gy = y / cell;
    const iy = Math.floor(gy);
    const fy = gy - iy;
    for (let x = 0; x < W; x++) {
      const gx = x / cell;
      const ix = Math.floor(gx);
      const fx = gx - ix;
      const n =
        grid[iy * gw + ix]! * (1 - fx) * (1 - fy) +
        grid[iy * gw + ix + 1]! * fx * (1 - fy) +
        grid[(iy + 1) * gw + ix]! * (1 - fx) * fy +
        grid[(iy + 1) * gw + ix + 1]! * fx * fy;
      const stripe = stripeAmp * Math.sin((2 * Math.PI * (x * ca + y * sa)) / stripePeriod);
      const v = base + stripe + n;
      const o = (y * W + x) * 3;
      bg[o] = v + tint[0];
      bg[o + 1] = v + tint[1];
      bg[o + 2] = v + tint[2];
    }
  }

  // ---- render --------------------------------------------------------------------------------
  // Draw order is random per clip (target not always on top); the ownership buffer records which
  // object is visible at each pixel, and the GT takes the target's visible pixels.
  const objects: ObjectSpec[] = [...distractors];
  const targetZ = randInt(rng, 0, objects.length);
  objects.splice(targetZ, 0, target);
  const frames = new Float32Array(T * H * W * 3);
  const gt = new Uint8Array(T * H * W);
  const owner = new Int8Array(H * W);
  const noiseAmp = 0.03;
  for (let t = 0; t < T; t++) {
    const fo = t * H * W * 3;
    frames.set(bg, fo);
    owner.fill(-1);
    for (let k = 0; k < objects.length; k++) {
      const obj = objects[k]!;
      const pose = obj.poses[t]!;
      const c = Math.cos(pose.theta);
      const s = Math.sin(pose.theta);
      const hw = obj.hw * pose.scale;
      const hh = obj.hh * pose.scale;
      const r = Math.hypot(hw, hh) + 1;
      const x0 = Math.max(0, Math.floor(pose.cx - r));
      const x1 = Math.min(W - 1, Math.ceil(pose.cx + r));
      const y0 = Math.max(0, Math.floor(pose.cy - r));
      const y1 = Math.min(H - 1, Math.ceil(pose.cy + r));
      const period = obj.stripePeriod * pose.scale * unit;
      for (let y = y0; y <= y1; y++) {
        const dy = y + 0.5 - pose.cy;
        for (let x = x0; x <= x1; x++) {
          const dx = x + 0.5 - pose.cx;
          // Inverse rotation into the object frame (rotation by +theta is clockwise on screen).
          const u = c * dx + s * dy;
          const v = -s * dx + c * dy;
          if (Math.abs(u) > hw || Math.abs(v) > hh) continue;
          const dark = Math.floor((u + hw) / period) % 2 === 1;
          const f = dark ? 0.55 : 1;
          const o = fo + (y * W + x) * 3;
          frames[o] = obj.color[0] * f;
          frames[o + 1] = obj.color[1] * f;
          frames[o + 2] = obj.color[2] * f;
          owner[y * W + x] = k;
        }
      }
    }
    const inAction = t >= t0 && t <= t1;
    const go = t * H * W;
    for (let i = 0; i < H * W; i++) {
      if (inAction && owner[i] === targetZ) gt[go + i] = 1;
      const o = fo + i * 3;
      for (let ch = 0; ch < 3; ch++) {
        const v = frames[o + ch]! + noiseAmp * (rng() * 2 - 1);
        frames[o + ch] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }

  return {
    frames,
    gt,
    classIndex,
    label,
    actionInterval: [t0, t1],
    shape: { frames: T, height: H, width: W, channels: 3 },
    distractors: nDistractors,
  };
}

/**
 * Seed ranges used by the shipped model (see models/synth-r2plus1d/MODEL_CARD.md): training draws
 * seeds from [0, 1e9); the held-out set is seeds 2_000_000_000 + i, never used in training.
 */
export const HELD_OUT_SEED_BASE = 2_000_000_000;

/** Held-out clip i: class i mod 8 (balanced), seed HELD_OUT_SEED_BASE + i. */
export function heldOutClip(i: number, opts: Omit<GenerateClipOptions, 'seed' | 'classIndex'> = {}): SynthClip {
  return generateClip({ ...opts, seed: HELD_OUT_SEED_BASE + i, classIndex: i % SYNTH_ACTIONS_LABELS.length });
}
