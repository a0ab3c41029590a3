/**
 * Resumable uploads to /api/uploads (tus 1.0, server in graphql/src/videos/uploads.ts) with
 * tus-js-client. The client remembers each upload's URL under a fingerprint of the file (name,
 * type, size, modification time, endpoint) in localStorage, so choosing the same file again —
 * after a network cut, a closed tab or a reload — continues from the server's offset.
 */
import { DetailedError, Upload } from 'tus-js-client';

export const UPLOAD_ENDPOINT = '/api/uploads';
/**
 * 4 MiB per PATCH: small enough that an interrupted upload loses little, large enough that a
 * 2 GiB file (the server's default limit) needs ~500 requests.
 */
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv|avi|mpg|mpeg|ogv|3gp)$/i;

/** Mirrors the server's check (uploads.ts): a video MIME type or a video file extension. */
export function looksLikeVideo(file: { name: string; type: string }): boolean {
  return file.type.startsWith('video/') || VIDEO_EXTENSIONS.test(file.name);
}

/** Words for a failed upload, from the HTTP status and the server's `{ error }` body. */
export function uploadErrorMessage(status: number | null, body: string | null | undefined): string {
  let serverMessage: string | null = null;
  if (body) {
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (typeof parsed.error === 'string' && parsed.error.trim()) serverMessage = parsed.error.trim();
    } catch {
      /* not JSON: ignore */
    }
  }
  switch (status) {
    case 413:
      return serverMessage ?? 'This file is larger than the upload limit.';
    case 415:
      return serverMessage ?? 'This file is not a video. Upload an mp4, mov, webm, mkv or avi file.';
    case 401:
      return 'Your session has ended. Sign in again, then choose the file once more: the upload continues where it stopped.';
    case 403:
      return serverMessage ?? 'Your role in this team cannot upload videos.';
    case 404:
      return 'The server no longer knows this upload. Choose the file again to start over.';
    case null:
    case 0:
      return 'The connection was interrupted. Resume to continue from where the upload stopped.';
    default:
      return serverMessage ?? `The upload failed (server answered ${status}). Try again in a moment.`;
  }
}

export interface UploadResult {
  videoId: string;
  status: string;
  error: string | null;
}

export interface UploadCallbacks {
  onProgress(sent: number, total: number): void;
  onSuccess(result: UploadResult): void;
  onError(message: string, status: number | null, resumable: boolean): void;
  /** Called once we know whether an earlier, interrupted upload of this file is being continued. */
  onResumeFrom?(offsetHint: number | null): void;
}

export interface UploadHandle {
  /** Stops sending; `resume()` continues from the server's offset. */
  pause(): Promise<void>;
  resume(): void;
}

/** Starts (or resumes) an upload of `file` into a team. */
export async function startUpload(
  file: File,
  meta: { teamId: string; title?: string },
  cb: UploadCallbacks,
  opts: { chunkSize?: number } = {},
): Promise<UploadHandle> {
  let result: UploadResult | null = null;
  const upload = new Upload(file, {
    endpoint: UPLOAD_ENDPOINT,
    chunkSize: opts.chunkSize ?? UPLOAD_CHUNK_BYTES,
    // A short automatic retry rides out blips; longer outages surface with a Resume button.
    retryDelays: [500, 2000],
    removeFingerprintOnSuccess: true,
    metadata: {
      teamId: meta.teamId,
      filename: file.name,
      filetype: file.type || 'application/octet-stream',
      ...(meta.title ? { title: meta.title } : {}),
    },
    onShouldRetry: (err) => {
      const status = err.originalResponse?.getStatus() ?? 0;
      // Client errors (401, 403, 404, 413, 415) will not go away by retrying.
      return status === 0 || status >= 500 || status === 423 || status === 409;
    },
    onProgress: (sent, total) => cb.onProgress(sent, total),
    onAfterResponse: (req, res) => {
      if (req.getMethod() !== 'PATCH') return;
      const videoId = res.getHeader('X-Video-Id');
      if (!videoId) return;
      let status = 'READY';
      let error: string | null = null;
      try {
        const body = JSON.parse(res.getBody()) as { status?: string; error?: string | null };
        status = body.status ?? status;
        error = body.error ?? null;
      } catch {
        /* header is enough */
      }
      result = { videoId, status, error };
    },
    onSuccess: () => {
      if (result) cb.onSuccess(result);
      else cb.onError('The upload finished but the server did not register a video. Try again.', null, false);
    },
    onError: (err) => {
      const res = err instanceof DetailedError ? err.originalResponse : null;
      const status = res ? res.getStatus() : null;
      const resumable = status === null || status === 0 || status >= 500;
      cb.onError(uploadErrorMessage(status, res?.getBody()), status, resumable);
    },
  });
  const previous = await upload.findPreviousUploads().catch(() => []);
  const last = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
  if (last) {
    upload.resumeFromPreviousUpload(last);
    cb.onResumeFrom?.(null);
  }
  upload.start();
  return {
    pause: () => upload.abort(),
    resume: () => upload.start(),
  };
}
