import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { AppError } from '@fep/shared';
import { authorizeTeam } from '../auth/permissions.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { buildContext } from '../server/request-context.ts';
import { createVideoFromFile } from './videos.service.ts';
import { probeWithinLimits } from './video-limits.ts';

export const UPLOADS_PATH = '/api/uploads';
/** 2 GiB by default: a few minutes of 1080p; raise with MAX_UPLOAD_BYTES. */
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const VIDEO_EXTENSIONS = /\.(mp4|m4v|mov|webm|mkv|avi|mpg|mpeg|ogv|3gp)$/i;

type TusError = { status_code: number; body: string };
const tusError = (status_code: number, message: string): TusError => ({ status_code, body: JSON.stringify({ error: message }) + '\n' });

async function contextFrom(deps: ApiDeps, req: Request): Promise<ApiContext> {
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  try {
    return await buildContext(deps, { headers, ip: headers['x-forwarded-for'] ?? 'upload' }, null);
  } catch (err) {
    throw tusError(401, (err as Error).message);
  }
}

function asTusError(err: unknown): TusError {
  if (err instanceof AppError) {
    const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 }[err.code as string] ?? 500;
    return tusError(status, err.message);
  }
  if (err && typeof err === 'object' && 'status_code' in err) return err as TusError;
  return tusError(500, 'The upload could not be processed.');
}

/**
 * Resumable uploads (tus 1.0 protocol): the browser sends chunks and resumes after a network
 * cut. Each request is authenticated; only the user who created an upload may continue it.
 * On completion the file is probed and registered as a Video; the response carries its id.
 * Required metadata: `teamId`, `filename`; optional: `title`, `filetype`.
 */
export function createUploadServer(deps: ApiDeps) {
  const directory = uploadsDirectory(deps);
  // Expiry (UPLOAD_EXPIRY_HOURS): tus answers 410 for an expired upload and sends Upload-Expires;
  // sweepExpiredUploads deletes the staging files.
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: deps.config.uploadExpiryHours * 3600_000 });
  const maxSize = Number(process.env.MAX_UPLOAD_BYTES ?? DEFAULT_MAX_UPLOAD_BYTES);
  return new TusServer({
    path: UPLOADS_PATH,
    datastore,
    maxSize,
    respectForwardedHeaders: Boolean(process.env.TRUST_PROXY),
    async onUploadCreate(req, upload) {
      const ctx = await contextFrom(deps, req);
      if (!ctx.caller) throw tusError(401, 'You must be signed in to upload.');
      const teamId = upload.metadata?.teamId;
      const filename = upload.metadata?.filename ?? '';
      if (!teamId) throw tusError(400, 'Upload metadata must include teamId.');
      try {
        await authorizeTeam(ctx, teamId, 'video.write');
        await ctx.rateLimits.upload(ctx.caller.userId).catch((e: Error) => { throw tusError(429, e.message); });
      } catch (err) {
        throw asTusError(err);
      }
      const filetype = upload.metadata?.filetype ?? '';
      if (!(filetype.startsWith('video/') || VIDEO_EXTENSIONS.test(filename))) {
        throw tusError(415, 'Only video files can be uploaded (mp4, mov, webm, mkv, avi…).');
      }
      if (upload.size !== undefined && upload.size > maxSize) {
        throw tusError(413, `The file is larger than the ${Math.round(maxSize / 1024 ** 2)} MB limit.`);
      }
      return { metadata: { ...upload.metadata, userId: ctx.caller.userId, teamId } };
    },
    async onIncomingRequest(req, uploadId) {
      if (req.method === 'POST' || req.method === 'OPTIONS') return;
      const ctx = await contextFrom(deps, req);
      if (!ctx.caller) throw tusError(401, 'You must be signed in to upload.');
      let owner: string | null | undefined;
      try {
        owner = (await datastore.getUpload(uploadId)).metadata?.userId;
      } catch {
        throw tusError(404, 'Upload not found.');
      }
      if (owner !== ctx.caller.userId) throw tusError(404, 'Upload not found.');
    },
    async onUploadFinish(req, upload) {
      const ctx = await contextFrom(deps, req);
      const file = path.join(directory, upload.id);
      try {
        const video = await createVideoFromFile(ctx, ctx.caller!, {
          teamId: upload.metadata!.teamId!,
          filePath: file,
          filename: upload.metadata?.filename ?? 'video',
          title: upload.metadata?.title ?? undefined,
          // Past a LIMIT_MAX_VIDEO_* limit: a FAILED video with the reason, like an unreadable file.
          probe: async (f) => ({ ...(await probeWithinLimits(f, deps.config.limits)) }),
        });
        await rm(`${file}.json`, { force: true });
        return {
          status_code: 200,
          headers: { 'X-Video-Id': video.id, 'Content-Type': 'application/json' },
          body: JSON.stringify({ videoId: video.id, status: video.status, error: video.error }),
        };
      } catch (err) {
        throw asTusError(err);
      }
    },
  });
}

export const uploadsDirectory = (deps: Pick<ApiDeps, 'config'>) => path.join(deps.config.storageDir, 'uploads');

/**
 * Deletes the staging files of every upload created more than `expiryMs` before `now`: unfinished
 * ones, and finished ones whose registration failed (a successful finish moves the file into blob
 * storage at once). The age is the tus `creation_date`, or the file's mtime when that is missing.
 * Returns how many uploads were removed. Safe to run from several processes at once.
 */
export async function sweepExpiredUploads(directory: string, expiryMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const ids = new Set(names.filter((n) => !n.startsWith('.')).map((n) => n.replace(/\.json$/, '')));
  let removed = 0;
  for (const id of ids) {
    const file = path.join(directory, id);
    let created: number | undefined;
    try {
      const info = JSON.parse(await readFile(`${file}.json`, 'utf8')) as { creation_date?: string };
      if (info.creation_date) created = Date.parse(info.creation_date);
    } catch {
      // No (readable) metadata: fall back to the file's age.
    }
    if (created === undefined || Number.isNaN(created)) {
      const st = await stat(file).catch(() => stat(`${file}.json`).catch(() => null));
      if (!st) continue;
      created = st.mtimeMs;
    }
    if (now - created <= expiryMs) continue;
    await rm(file, { force: true });
    await rm(`${file}.json`, { force: true });
    removed++;
  }
  return removed;
}
