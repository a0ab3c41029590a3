import { Writable } from 'node:stream';
import { run } from './main.ts';

/** For tests: the CLI's `run()` — the same code the bin calls — with stdout/stderr captured, no process start. */
export async function runInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        append(chunk.toString());
        cb();
      },
    });
  const code = await run(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { code, stdout, stderr };
}
