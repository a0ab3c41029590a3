/**
 * Typed failures of video ingestion. `code` is stable and meant for branching (API error
 * extensions, CLI exit messages); `message` is a sentence a user can act on.
 */
export const VIDEO_ERROR_CODES = [
  'NOT_A_VIDEO',
  'CORRUPT',
  'NO_VIDEO_STREAM',
  'ZERO_FRAMES',
  'TOO_LARGE_RESOLUTION',
  'TOO_LONG',
  'FFMPEG_FAILED',
  'TIMEOUT',
] as const;
export type VideoErrorCode = (typeof VIDEO_ERROR_CODES)[number];

export class VideoError extends Error {
  constructor(
    readonly code: VideoErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'VideoError';
  }

  /**
   * Whether the fault lies with the uploaded file (→ BAD_USER_INPUT upstream) rather than with
   * the machine (FFMPEG_FAILED: binary missing, killed, out of memory → INTERNAL, retryable).
   * TIMEOUT (ffmpeg/ffprobe ran past FFMPEG_TIMEOUT_MS / FFPROBE_TIMEOUT_MS) counts as the
   * file's: retrying the same file would take as long again.
   */
  get isUserError(): boolean {
    return this.code !== 'FFMPEG_FAILED';
  }
}

export function isVideoError(err: unknown): err is VideoError {
  return err instanceof VideoError;
}
