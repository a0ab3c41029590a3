import path from 'node:path';
import { choiceArg, numberArg, parseCommandArgs, requireString, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const OVERLAY_USAGE = `Usage: fep overlay <video> --saliency <saliency.npy> --start <sec> --window <sec> --out <dir> [--fit center-crop|resize]

Writes the overlay of a stored saliency volume (float32 [T,H,W], as \`fep explain\` writes it):
the explained window is decoded again (T frames of H×W from --start over --window seconds, the
same fit), the heat map blended on each frame (jet, min–max over the volume), and written as
<dir>/overlays/frame_000.png … and <dir>/overlay.mp4 (H.264, T / window fps). Prints JSON with
the file names and the decoded frame timestamps.`;

export async function overlayCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { saliency: { type: 'string' }, start: { type: 'string' }, window: { type: 'string' }, out: { type: 'string' }, fit: { type: 'string' } },
    OVERLAY_USAGE,
    1,
  );
  if (values.help) return ctx.help(OVERLAY_USAGE);
  const video = positionals[0];
  if (!video) throw new UsageError('Missing the video file.', OVERLAY_USAGE);
  const saliencyFile = requireString(values.saliency, 'saliency', OVERLAY_USAGE);
  const out = path.resolve(requireString(values.out, 'out', OVERLAY_USAGE));
  const startSec = numberArg(requireString(values.start, 'start', OVERLAY_USAGE), 'start', OVERLAY_USAGE, { min: 0 })!;
  const windowSec = numberArg(requireString(values.window, 'window', OVERLAY_USAGE), 'window', OVERLAY_USAGE, { min: 0, exclusiveMin: true })!;
  const fit = choiceArg(values.fit, 'fit', ['center-crop', 'resize'] as const, OVERLAY_USAGE) ?? 'center-crop';
  const [{ readNpy }, { renderOverlay }] = await Promise.all([import('../../synth/npy.ts'), import('../../video/overlay-render.ts')]);
  const npy = readNpy(saliencyFile);
  if (npy.dtype !== 'float32' || npy.shape.length !== 3) {
    throw new UsageError(`--saliency must hold a float32 [T,H,W] array, got ${npy.dtype} [${npy.shape.join(',')}].`, OVERLAY_USAGE);
  }
  const [T, H, W] = npy.shape as [number, number, number];
  const files = await renderOverlay({ video, saliency: npy.data as Float32Array, shape: [T, H, W], startSec, windowSec, fit, out });
  ctx.stdout.write(JSON.stringify({ out, shape: [T, H, W], ...files }, null, 2) + '\n');
  return 0;
}
