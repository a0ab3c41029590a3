/**
 * Limits on the work one request may cause: explanation parameters, uploaded videos and queued
 * jobs per team. Every limit can be changed through the environment (`limitsFromEnv`, read by
 * `loadConfig`); the defaults are sized for a 2-core machine running the engine on CPU.
 * No Node imports here: the web app's request form uses `DEFAULT_LIMITS` in the browser.
 */
export interface Limits {
  /** Most optimisation steps of EP/F-EP (LIMIT_MAX_ITERATIONS). */
  maxIterations: number;
  /** Most areas EP/F-EP optimise together, `area` included (LIMIT_MAX_AREAS). */
  maxAreas: number;
  /** Most QUEUED + RUNNING explanations one team may have (LIMIT_MAX_QUEUED_PER_TEAM). */
  maxQueuedPerTeam: number;
  /** Most frames an uploaded video may have (LIMIT_MAX_VIDEO_FRAMES). */
  maxVideoFrames: number;
  /** Highest frame rate of an uploaded video (LIMIT_MAX_VIDEO_FPS). */
  maxVideoFps: number;
  /** Longer display side of an uploaded video, pixels (LIMIT_MAX_VIDEO_LONG_SIDE). */
  maxVideoLongSide: number;
  /** Shorter display side of an uploaded video, pixels (LIMIT_MAX_VIDEO_SHORT_SIDE). */
  maxVideoShortSide: number;
  /** Longest uploaded video, seconds; also bounds `windowStartSec` (LIMIT_MAX_VIDEO_DURATION_SEC). */
  maxVideoDurationSec: number;
}

/**
 * - iterations 2000: Li et al.'s (WACV 2021) video setting; one area-iteration costs ~47 ms on the
 *   wasm backend at 16×112×112 (README, `npm run bench:engine`), so 2000 × 4 areas stays within
 *   the default job time limit.
 * - video: 18 000 frames = 10 min at 30 fps; 120 fps (high-speed phone video); 1920×1080 (decode
 *   cost grows with the pixel count and every clip is scaled down to the model's ~112 px anyway);
 *   600 s, the probe's own default.
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxIterations: 2000,
  maxAreas: 4,
  maxQueuedPerTeam: 20,
  maxVideoFrames: 18_000,
  maxVideoFps: 120,
  maxVideoLongSide: 1920,
  maxVideoShortSide: 1080,
  maxVideoDurationSec: 600,
});

/** Environment variable of each limit. */
export const LIMIT_ENV: Readonly<Record<keyof Limits, string>> = Object.freeze({
  maxIterations: 'LIMIT_MAX_ITERATIONS',
  maxAreas: 'LIMIT_MAX_AREAS',
  maxQueuedPerTeam: 'LIMIT_MAX_QUEUED_PER_TEAM',
  maxVideoFrames: 'LIMIT_MAX_VIDEO_FRAMES',
  maxVideoFps: 'LIMIT_MAX_VIDEO_FPS',
  maxVideoLongSide: 'LIMIT_MAX_VIDEO_LONG_SIDE',
  maxVideoShortSide: 'LIMIT_MAX_VIDEO_SHORT_SIDE',
  maxVideoDurationSec: 'LIMIT_MAX_VIDEO_DURATION_SEC',
});

/** Reads the limits from the environment: unset → default; anything but a positive number throws. */
export function limitsFromEnv(env: Record<string, string | undefined>): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof Limits)[]) {
    const name = LIMIT_ENV[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const v = Number(raw);
    const integer = key !== 'maxVideoFps' && key !== 'maxVideoDurationSec';
    if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) {
      throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}".`);
    }
    out[key] = v;
  }
  return out;
}
