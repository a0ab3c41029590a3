import { BUILTIN_MODEL_DIR } from '../../model/load-model.ts';
import { readManifest } from '../../model/manifest.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';

export const MODELS_USAGE = `Usage: fep models [--model <dir>]

Lists the built-in model (or the model directory given) with its input spec and labels, read
from fep-model.json. Weights are not loaded or verified; \`fep explain\` does that.`;

export async function modelsCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { model: { type: 'string' } }, MODELS_USAGE);
  if (values.help) return ctx.help(MODELS_USAGE);
  const dir = values.model && values.model !== 'builtin' ? values.model : BUILTIN_MODEL_DIR;
  const m = readManifest(dir);
  const entry = {
    id: values.model && values.model !== 'builtin' ? dir : 'builtin',
    dir,
    name: m.name,
    version: m.version,
    format: m.format,
    input: m.input,
    labels: m.labels,
    weightsSha256: m.weightsSha256,
  };
  ctx.stdout.write(JSON.stringify([entry], null, 2) + '\n');
  return 0;
}
