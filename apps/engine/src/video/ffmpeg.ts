import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadConfig } from '@fep/shared';
import { VideoError } from './video-error.ts';

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

/** FFMPEG_TIMEOUT_MS (default 120 s): wall-clock limit of one ffmpeg run. */
export function ffmpegTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return loadConfig(env).ffmpegTimeoutMs;
}

/** FFPROBE_TIMEOUT_MS (default 30 s): wall-clock limit of one ffprobe run. */
export function ffprobeTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return loadConfig(env).ffprobeTimeoutMs;
}

/** The error a child that ran past its time limit is reported with (it has been killed). */
export function timeoutError(tool: string, timeoutMs: number): VideoError {
  return new VideoError('TIMEOUT', `${tool} did not finish within ${Math.round(timeoutMs / 100) / 10} s and was stopped; the video may be too long or too large.`, {
    timeoutMs,
  });
}

/**
 * Runs a binary to completion and collects its output. For small outputs only (ffprobe JSON);
 * frame data goes through the streaming readers in decode.ts instead. The child is killed
 * (SIGKILL) past `timeoutMs` (default FFMPEG_TIMEOUT_MS; the call rejects with
 * VideoError('TIMEOUT')) or when `signal` aborts (the call rejects with the signal's reason).
 */
export function runCapture(
  bin: string,
  args: string[],
  opts: { input?: Buffer; maxStdoutBytes?: number; signal?: AbortSignal; timeoutMs?: number; tool?: string } = {},
): Promise<RunResult> {
  const maxStdout = opts.maxStdoutBytes ?? 64 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? ffmpegTimeoutMs();
  const tool = opts.tool ?? 'ffmpeg';
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(opts.signal.reason);
      return;
    }
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stopped: unknown = null;
    const stop = (why: unknown) => {
      if (stopped) return;
      stopped = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(timeoutError(tool, timeoutMs)), timeoutMs);
    const onAbort = () => stop(opts.signal!.reason ?? new Error('Aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
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
    child.on('error', (e) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (stopped) {
        reject(stopped);
        return;
      }
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
