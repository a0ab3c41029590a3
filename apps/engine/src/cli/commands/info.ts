import { probeVideo } from '../../video/probe.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const INFO_USAGE = `Usage: fep info <video>

Prints the video's metadata as JSON (fps, frame count, duration, display size, codec,
rotation, start offset), or the reason it cannot be used.`;

export async function infoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, INFO_USAGE, 1);
  if (values.help) return ctx.help(INFO_USAGE);
  const file = positionals[0];
  if (!file) throw new UsageError('Missing the video file.', INFO_USAGE);
  const meta = await probeVideo(file);
  ctx.stdout.write(JSON.stringify(meta, null, 2) + '\n');
  return 0;
}
