/**
 * POST /api/models/upload?teamId=… — register a TF.js or ONNX model for a team (`model.upload`).
 *
 * The body is multipart/form-data: either one `.zip` file part, or one part per file of a model
 * directory whose part *filename* is the path inside the folder (`my-model/model.json`, as a
 * browser's folder picker gives it). A third form, for a single-file model (ONNX) described in a
 * form: a `manifest` text field holding fep-model.json's JSON plus the model's file part(s)
 * (`model.onnx`); the field is written as fep-model.json and validated by the same manifest code
 * as a zip's. When that manifest (format "onnx") leaves out `weightsSha256`, the server fills it in
 * with the sha256 of the .onnx it received, so a browser need not hash a few hundred MB itself.
 * Authentication is the session cookie or an API token, like
 * every other route. Access is checked before the body is read; the body is streamed to a private
 * temporary directory with size and file-count limits (MAX_MODEL_UPLOAD_BYTES,
 * MAX_MODEL_UPLOAD_FILES), then validated and registered by model-upload.service.ts.
 *
 * Answers 201 `{ model: { id, name, version, … }, ignored: [paths not stored] }`, or an error
 * `{ error: { code, reason, message, problems } }` with 400 / 401 / 403 / 409 / 413.
 *
 * Why not tus (the video upload protocol)? tus moves one resumable file; a model is several
 * files of a few MB to a few hundred MB, which one multipart request carries with less machinery.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import path from 'node:path';
import busboy from 'busboy';
import type { Express, Request, Response } from 'express';
import { AppError, HTTP_STATUS } from '@fep/shared';
import { computeOnnxSha256, DEFAULT_ONNX_FILE, isSafeRelativePath, MANIFEST_FILE } from '@fep/engine/model/manifest.ts';
import { authorizeTeam } from '../auth/permissions.ts';
import { describeError } from '../common/errors.ts';
import type { ApiDeps } from '../context.ts';
import { buildContext } from '../server/request-context.ts';
import { modelUploadLimits, registerUploadedModel, unpackZip, uploadError, type ModelUploadLimits } from './model-upload.service.ts';

export const MODEL_UPLOAD_PATH = '/api/models/upload';

function status(err: AppError): number {
  if ((err.details as { reason?: string } | undefined)?.reason === 'TOO_LARGE') return 413;
  return HTTP_STATUS[err.code];
}

interface Received {
  /** Part filename (path inside the folder) → temporary file. */
  parts: { name: string; file: string }[];
  /** The `manifest` form field (fep-model.json as text), when sent. */
  manifest: string | null;
}

/** Largest `manifest` field: a manifest with a few thousand labels fits. */
export const MAX_MANIFEST_FIELD_BYTES = 1024 * 1024;

/** Streams the multipart body into `incoming/`, enforcing the limits; rejects with an upload error. */
function receive(req: Request, incoming: string, limits: ModelUploadLimits): Promise<Received> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        preservePath: true,
        limits: { files: limits.maxFiles, fileSize: limits.maxBytes, fields: 20, fieldSize: MAX_MANIFEST_FIELD_BYTES, parts: limits.maxFiles + 20 },
      });
    } catch {
      reject(uploadError('NO_FILES', 'Send the model as multipart/form-data (a .zip or the files of a model folder).'));
      return;
    }
    const parts: Received['parts'] = [];
    let manifest: string | null = null;
    const writes: Promise<void>[] = [];
    const open: { stream: NodeJS.ReadableStream; out: WriteStream }[] = [];
    let total = 0;
    let failed = false;
    const fail = (err: AppError) => {
      if (failed) return;
      failed = true;
      // Stop feeding the parser (destroying busboy mid-write is not safe), close every open file,
      // and let the rest of the body drain so the client reads our answer instead of a reset.
      req.unpipe(bb);
      for (const { stream, out } of open) {
        stream.unpipe(out);
        out.destroy();
        stream.resume();
      }
      req.resume();
      reject(err);
    };
    bb.on('file', (_field, stream, info) => {
      if (failed) return void stream.resume();
      const name = (info.filename ?? '').replace(/^\.\//, '');
      if (!isSafeRelativePath(name)) {
        stream.resume();
        return fail(uploadError('UNSAFE_PATH', `The file name “${name}” points outside the model folder; it was refused.`));
      }
      const file = path.join(incoming, String(parts.length));
      parts.push({ name, file });
      const out = createWriteStream(file);
      open.push({ stream, out });
      writes.push(
        new Promise<void>((done) => {
          out.on('close', () => done());
          out.on('error', () => done());
        }),
      );
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > limits.maxBytes) fail(uploadError('TOO_LARGE', `The upload is larger than the ${Math.round(limits.maxBytes / 1024 ** 2)} MB limit.`));
      });
      stream.on('limit', () => fail(uploadError('TOO_LARGE', `The upload is larger than the ${Math.round(limits.maxBytes / 1024 ** 2)} MB limit.`)));
      stream.pipe(out);
    });
    bb.on('field', (name, value, info) => {
      if (failed || name !== 'manifest') return;
      if (info.valueTruncated) return fail(uploadError('TOO_LARGE', `The manifest field is larger than ${MAX_MANIFEST_FIELD_BYTES / 1024} KB.`));
      if (manifest !== null) return fail(uploadError('MANIFEST_INVALID', 'The upload carries the manifest field twice.'));
      manifest = value;
    });
    bb.on('filesLimit', () =>
      fail(uploadError('TOO_MANY_FILES', `The upload holds more than ${limits.maxFiles} files; a model needs fep-model.json, model.json, its weight shards and optionally a model card.`)),
    );
    bb.on('partsLimit', () => fail(uploadError('TOO_MANY_FILES', `The upload holds more than ${limits.maxFiles} files.`)));
    bb.on('error', (err) => fail(uploadError('NO_FILES', `The upload could not be read: ${(err as Error).message}.`)));
    bb.on('close', () => {
      if (failed) return;
      void Promise.all(writes).then(() => (failed ? undefined : resolve({ parts, manifest })));
    });
    req.pipe(bb);
  });
}

export function mountModelUploadRoute(app: Express, deps: ApiDeps) {
  app.post(MODEL_UPLOAD_PATH, async (req: Request, res: Response) => {
    const work = path.join(deps.config.storageDir, 'model-uploads', randomUUID());
    let answer: { status: number; body: unknown };
    try {
      answer = { status: 201, body: await handleUpload(deps, req, work) };
    } catch (err) {
      const appErr =
        err instanceof AppError
          ? err
          : (err as { extensions?: { code?: string } }).extensions?.code === 'UNAUTHENTICATED'
            ? new AppError('UNAUTHENTICATED', (err as Error).message)
            : null;
      if (!appErr) console.error('[api] model upload failed', err);
      // Not ours: a dependency unreachable (UNAVAILABLE, 503) or a bug (INTERNAL, 500).
      const unexpected = describeError(err);
      const e = appErr ?? new AppError(unexpected.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'INTERNAL', unexpected.message);
      const details = (e.details ?? {}) as { reason?: string; problems?: string[] };
      answer = { status: status(e), body: { error: { code: e.code, reason: details.reason ?? null, message: e.message, problems: details.problems ?? [] } } };
    }
    // Nothing of the upload outlives the request (removed before answering, so a client that
    // reads the answer never races the clean-up).
    await fs.rm(work, { recursive: true, force: true });
    res.status(answer.status).json(answer.body);
  });
}

async function handleUpload(deps: ApiDeps, req: Request, work: string) {
  const ctx = await buildContext(deps, { headers: req.headers, ip: req.ip ?? 'unknown' }, null);
  if (!ctx.caller) throw new AppError('UNAUTHENTICATED', 'You must be signed in to upload a model.');
  const teamId = typeof req.query.teamId === 'string' ? req.query.teamId : '';
  if (!teamId) throw new AppError('BAD_USER_INPUT', 'Say which team the model is for (?teamId=…).', { reason: 'NO_FILES', problems: [] });
  const { caller } = await authorizeTeam(ctx, teamId, 'model.upload');
  const limits = modelUploadLimits();
  const declared = Number(req.headers['content-length'] ?? 0);
  // Multipart framing adds a little to the files themselves.
  if (declared > limits.maxBytes + 64 * 1024 + limits.maxFiles * 1024) {
    throw uploadError('TOO_LARGE', `The upload is larger than the ${Math.round(limits.maxBytes / 1024 ** 2)} MB limit.`);
  }
  const incoming = path.join(work, 'incoming');
  const unpacked = path.join(work, 'model');
  await fs.mkdir(incoming, { recursive: true });
  await fs.mkdir(unpacked, { recursive: true });
  const { parts, manifest } = await receive(req, incoming, limits);
  if (parts.length === 0 && manifest === null) throw uploadError('NO_FILES', 'The upload is empty: choose a .zip or a model folder.');

  let files: string[];
  let source: 'zip' | 'files' | 'form';
  if (manifest === null && parts.length === 1 && /\.zip$/i.test(parts[0]!.name)) {
    source = 'zip';
    files = await unpackZip(parts[0]!.file, unpacked, limits);
  } else {
    source = 'files';
    const seen = new Set<string>();
    for (const part of parts) {
      if (seen.has(part.name)) throw uploadError('UNSAFE_PATH', `The upload contains “${part.name}” twice.`);
      seen.add(part.name);
      const target = path.join(unpacked, part.name);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(part.file, target);
    }
    files = [...seen];
    if (manifest !== null) {
      source = 'form';
      if (seen.has(MANIFEST_FILE)) throw uploadError('MANIFEST_INVALID', 'The upload carries both a manifest field and a fep-model.json file; send one of them.');
      await fs.writeFile(path.join(unpacked, MANIFEST_FILE), withOnnxSha(manifest, unpacked, seen));
      files.push(MANIFEST_FILE);
    }
  }
  const { model, ignored } = await registerUploadedModel(ctx, caller, { teamId, dir: unpacked, files, source });
  return {
    model: { id: model.id, teamId: model.teamId, name: model.name, version: model.version, format: model.format, weightsSha256: model.weightsSha256, labels: model.labels },
    ignored,
  };
}

/**
 * The manifest field as fep-model.json: unchanged, except that an ONNX manifest without
 * `weightsSha256` gets the sha256 of its .onnx file (when that file was sent). Anything else it
 * lacks or gets wrong is left for the manifest validation to report.
 */
function withOnnxSha(text: string, dir: string, present: Set<string>): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw uploadError('MANIFEST_NOT_JSON', `The manifest field is not valid JSON: ${(err as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return text;
  const m = value as Record<string, unknown>;
  const onnxFile = typeof m.onnxFile === 'string' ? path.posix.normalize(m.onnxFile) : DEFAULT_ONNX_FILE;
  if (m.format !== 'onnx' || m.weightsSha256 !== undefined || !isSafeRelativePath(onnxFile) || !present.has(onnxFile)) return text;
  return JSON.stringify({ ...m, weightsSha256: computeOnnxSha256(dir, onnxFile) }, null, 2);
}
