import type { ProgressSink } from './progress.ts';

/** What a command may touch: its streams and a progress sink (stderr). */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  progress: ProgressSink;
  /** Prints a usage text to stdout and returns exit code 0. */
  help(usage: string): number;
}
