import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * Where the ffmpeg/ffprobe binaries come from. `FFMPEG_PATH` / `FFPROBE_PATH` win (e.g. a
 * system ffmpeg, or a build with hardware decoders); otherwise the static builds shipped in
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe` are used, so a plain `npm ci`
 * is enough to decode video on any linux-x64/darwin/win32 host.
 */
const require = createRequire(import.meta.url);

export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_PATH) return env.FFMPEG_PATH;
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export function ffprobePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFPROBE_PATH) return env.FFPROBE_PATH;
  return (require('@ffprobe-installer/ffprobe') as { path: string }).path;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Keeps only the last `max` characters of a growing log (ffmpeg can be chatty). */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 64 * 1024) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(-this.max);
  }
  toString(): string {
    return this.text.length > this.max ? this.text.slice(-this.max) : this.text;
  }
}

/**
 * Runs a binary to completion and collects its output. For small outputs only (ffprobe JSON);
 * frame data goes through the streaming readers in decode.ts instead.
 */
export function runCapture(
  bin: string,
  args: string[],
  opts: { input?: Buffer; maxStdoutBytes?: number; signal?: AbortSignal } = {},
): Promise<RunResult> {
  const maxStdout = opts.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    let outBytes = 0;
    const err = new TailBuffer();
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxStdout) {
        child.kill('SIGKILL');
        return;
      }
      out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (outBytes > maxStdout) {
        reject(new Error(`${bin} wrote more than ${maxStdout} bytes to stdout.`));
        return;
      }
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err.toString() });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading all input; its exit code tells the story */
    });
    if (opts.input) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Last few meaningful lines of an ffmpeg log, for error messages. */
export function lastLines(log: string, n = 3): string {
  return log
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
