import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest } from '../../model/manifest.ts';
import { encodeNpy } from '../../synth/npy.ts';
import { generateClip, SYNTH_ACTIONS_LABELS, SYNTH_DEFAULTS } from '../../synth/synth-actions.ts';
import { encodeMp4, writeFileAtomic, type Mp4Quality } from '../../video/encode.ts';
import { choiceArg, intArg, numberArg, parseCommandArgs, requireString, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

/**
 * Frame rate written into synthetic clips. Playback only: `fep explain` samples the model's T
 * frames at the native rate, so any rate gives the same frames. 8 fps shows a 16-frame clip
 * for 2 s, slow enough to follow the motion.
 */
export const SYNTH_FPS = 8;

export const SYNTH_USAGE = `Usage: fep synth --seed <n> --out <clip.mp4> [options]

Writes a SynthActions clip (seeded, deterministic) as an .mp4, and optionally its ground-truth
mask volume as .npy ([T,H,W] uint8, 1 = evidence voxels), aligned voxel for voxel with the
saliency.npy that \`fep explain\` writes for that clip.

Options:
  --seed <n>          integer seed (required)
  --out <file.mp4>    output video (required)
  --class <name|i>    ${SYNTH_ACTIONS_LABELS.join(', ')} or its index;
                      default: drawn from the seed
  --gt <file.npy>     also write the ground truth
  --frames/--height/--width <n>
                      clip size; default: the built-in model's input (fep-model.json)
  --fps <n>           playback rate (default ${SYNTH_FPS})
  --quality <q>       lossless (default: H.264 4:4:4 QP 0, what the model sees is what was
                      generated) or web (yuv420p CRF 18, plays in every browser)`;

function parseClass(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const byName = (SYNTH_ACTIONS_LABELS as readonly string[]).indexOf(value);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(value) && Number(value) < SYNTH_ACTIONS_LABELS.length) return Number(value);
  throw new UsageError(`--class must be one of ${SYNTH_ACTIONS_LABELS.join(', ')} (or 0–${SYNTH_ACTIONS_LABELS.length - 1}); got "${value}".`, SYNTH_USAGE);
}

/**
 * Same directory as BUILTIN_MODEL_DIR in model/load-model.ts (a test keeps them equal); not
 * imported from there because that module loads TensorFlow.js, which `fep synth` never needs.
 */
export const BUILTIN_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/synth-r2plus1d');

/** The built-in model's clip size, so `fep explain` samples exactly the generated frames. */
export function builtinClipSize(): { frames: number; height: number; width: number; source: string } {
  try {
    const { frames, height, width } = readManifest(BUILTIN_MODEL_DIR).input;
    return { frames, height, width, source: 'builtin model manifest' };
  } catch {
    return { ...SYNTH_DEFAULTS, source: 'SynthActions defaults (no built-in model manifest found)' };
  }
}

export async function synthCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      seed: { type: 'string' },
      out: { type: 'string', short: 'o' },
      class: { type: 'string' },
      gt: { type: 'string' },
      frames: { type: 'string' },
      height: { type: 'string' },
      width: { type: 'string' },
      fps: { type: 'string' },
      quality: { type: 'string' },
    },
    SYNTH_USAGE,
  );
  if (values.help) return ctx.help(SYNTH_USAGE);
  const seed = intArg(requireString(values.seed, 'seed', SYNTH_USAGE), 'seed', SYNTH_USAGE, { min: 0, max: 2 ** 32 - 1 })!;
  const out = requireString(values.out, 'out', SYNTH_USAGE);
  if (!out.toLowerCase().endsWith('.mp4')) throw new UsageError('--out must name an .mp4 file.', SYNTH_USAGE);
  if (values.gt !== undefined && !values.gt.toLowerCase().endsWith('.npy')) throw new UsageError('--gt must name an .npy file.', SYNTH_USAGE);
  const classIndex = parseClass(values.class);
  const size = builtinClipSize();
  const frames = intArg(values.frames, 'frames', SYNTH_USAGE, { min: 4, max: 1024 }) ?? size.frames;
  const height = intArg(values.height, 'height', SYNTH_USAGE, { min: 48, max: 2160 }) ?? size.height;
  const width = intArg(values.width, 'width', SYNTH_USAGE, { min: 48, max: 3840 }) ?? size.width;
  const fps = numberArg(values.fps, 'fps', SYNTH_USAGE, { min: 0, exclusiveMin: true, max: 240 }) ?? SYNTH_FPS;
  const quality: Mp4Quality = choiceArg(values.quality, 'quality', ['lossless', 'web'] as const, SYNTH_USAGE) ?? 'lossless';

  const clip = generateClip({ seed, classIndex, frames, height, width });
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  await encodeMp4(clip.frames, [frames, height, width, 3], out, { fps, quality });
  if (values.gt) {
    await mkdir(path.dirname(path.resolve(values.gt)), { recursive: true });
    await writeFileAtomic(values.gt, encodeNpy(clip.gt, [frames, height, width]));
  }
  ctx.stdout.write(
    JSON.stringify(
      {
        out: path.resolve(out),
        gt: values.gt ? path.resolve(values.gt) : null,
        seed,
        classIndex: clip.classIndex,
        label: clip.label,
        actionInterval: clip.actionInterval,
        shape: [frames, height, width],
        sizeSource: values.frames || values.height || values.width ? 'options' : size.source,
        fps,
        quality,
      },
      null,
      2,
    ) + '\n',
  );
  return 0;
}
