/**
 * `fep` — the engine's command line: make synthetic clips, inspect videos, and explain a
 * video's classification with F-EP / EP / random saliency, writing the same result the queue
 * worker stores.
 *
 * Exit codes: 0 success · 1 the work failed (bad video, bad model, runtime error) · 2 usage error.
 */
import { UsageError } from './args.ts';
import type { CliContext } from './context.ts';
import { createProgress } from './progress.ts';

export const MAIN_USAGE = `Usage: fep <command> [options]

Commands:
  synth     write a SynthActions clip (.mp4) and its ground truth (.npy)
  explain   explain a model's prediction on a video (saliency.npy, overlays, result.json)
  overlay   render a stored saliency volume over its video (PNG frames, .mp4)
  info      print a video's metadata (ffprobe) as JSON
  models    list the built-in model

Run \`fep <command> --help\` for a command's options.`;

type Command = (argv: string[], ctx: CliContext) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  synth: async () => (await import('./commands/synth.ts')).synthCommand,
  explain: async () => (await import('./commands/explain.ts')).explainCommand,
  overlay: async () => (await import('./commands/overlay.ts')).overlayCommand,
  info: async () => (await import('./commands/info.ts')).infoCommand,
  models: async () => (await import('./commands/models.ts')).modelsCommand,
};

export interface RunIO {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export async function run(argv: string[], io: RunIO = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const progress = createProgress(stderr, process.env.FEP_NO_PROGRESS !== '1');
  // stdout carries the command's JSON only; library log lines (e.g. the backend banner) go to stderr.
  if (!io.stdout) {
    console.log = console.error;
    console.info = console.error;
  }
  const ctx: CliContext = {
    stdout,
    stderr,
    progress,
    help(usage) {
      stdout.write(usage + '\n');
      return 0;
    },
  };
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      if (name === undefined) throw new UsageError('Missing command.', MAIN_USAGE);
      return ctx.help(MAIN_USAGE);
    }
    if (name === '--version' || name === '-v') {
      const { engineVersion } = await import('../backend.ts');
      stdout.write(engineVersion() + '\n');
      return 0;
    }
    const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!load) throw new UsageError(`Unknown command "${name}".`, MAIN_USAGE);
    return await (await load())(rest, ctx);
  } catch (err) {
    progress.done();
    return reportError(err, stderr);
  }
}

/** Maps typed errors to a one-line message and an exit code; unknown errors get their stack with FEP_DEBUG=1. */
export function reportError(err: unknown, stderr: NodeJS.WritableStream): number {
  if (err instanceof UsageError) {
    stderr.write(`fep: ${err.message}\n`);
    if (err.usage) stderr.write(`\n${err.usage}\n`);
    return 2;
  }
  const e = err as Error & { code?: unknown };
  const code = typeof e?.code === 'string' && /^[A-Z_]+$/.test(e.code) ? `${e.code}: ` : '';
  if (e instanceof Error && (e.name === 'UnknownMethodError' || e.name === 'TargetError')) {
    stderr.write(`fep: ${e.message}\n`);
    return 2;
  }
  stderr.write(`fep: ${code}${e instanceof Error ? e.message : String(err)}\n`);
  if (process.env.FEP_DEBUG === '1' && e instanceof Error && e.stack) stderr.write(e.stack + '\n');
  return 1;
}
