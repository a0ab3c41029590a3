/**
 * Registering an uploaded TF.js model (a .zip, or the files of a model directory) for one team.
 *
 * Order: unpack into a private temporary directory (paths checked, sizes and counts capped) →
 * validate with the engine's own reader and loader (fep-model.json fields, weights sha256, layer
 * classes, input shape, output units, a dry run) → refuse a duplicate name+version → store the
 * files in content-addressed storage → Model row + audit event in one transaction. Any failure
 * leaves no row and no blob of this upload behind; the temporary directory is always removed.
 *
 * Errors are `AppError`s whose `details.reason` names the problem (UPLOAD_ERROR_REASONS) and whose
 * message is written for the person uploading; `details.problems` lists one line per field.
 */
import { createWriteStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { Prisma } from '@fep/db';
import { AppError } from '@fep/shared';
import { initBackend } from '@fep/engine/backend.ts';
import { loadModel } from '@fep/engine/model/load-model.ts';
import { isSafeRelativePath, MANIFEST_FILE, ModelFormatError, modelPayloadFiles, readManifest, type FepModelManifest } from '@fep/engine/model/manifest.ts';
import { MODEL_JSON } from '@fep/engine/model/fs-io.ts';
import { deleteBlobs, storeModelFiles } from '@fep/engine/model/model-store.ts';
import { appendAuditEvent } from '../audit/audit.service.ts';
import type { ApiContext, Caller } from '../context.ts';

/** 512 MiB: the upload body and the unpacked files, each; raise with MAX_MODEL_UPLOAD_BYTES. */
export const DEFAULT_MAX_MODEL_BYTES = 512 * 1024 ** 2;
/** Files in one model (manifest, model.json, card and the weight shards); MAX_MODEL_UPLOAD_FILES. */
export const DEFAULT_MAX_MODEL_FILES = 256;
/** A model card larger than this is not a model card. */
export const MAX_MODEL_CARD_BYTES = 256 * 1024;
export const DEFAULT_MODEL_CARD = 'MODEL_CARD.md';

export interface ModelUploadLimits {
  maxBytes: number;
  maxFiles: number;
}

export function modelUploadLimits(env: NodeJS.ProcessEnv = process.env): ModelUploadLimits {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return { maxBytes: num(env.MAX_MODEL_UPLOAD_BYTES, DEFAULT_MAX_MODEL_BYTES), maxFiles: num(env.MAX_MODEL_UPLOAD_FILES, DEFAULT_MAX_MODEL_FILES) };
}

export const UPLOAD_ERROR_REASONS = [
  'NO_FILES',
  'NOT_A_ZIP',
  'UNSAFE_PATH',
  'TOO_LARGE',
  'TOO_MANY_FILES',
  'MISSING_MANIFEST',
  'MANIFEST_NOT_JSON',
  'MANIFEST_INVALID',
  'MODEL_JSON_INVALID',
  'MISSING_WEIGHT_SHARD',
  'WEIGHTS_HASH_MISMATCH',
  'INPUT_SHAPE_MISMATCH',
  'OUTPUT_UNITS_MISMATCH',
  'UNSUPPORTED_LAYER',
  'UNSUPPORTED_OPERATOR',
  'UNSUPPORTED_OPSET',
  'MODEL_CARD_INVALID',
  'DUPLICATE',
] as const;
export type UploadErrorReason = (typeof UPLOAD_ERROR_REASONS)[number];

export function uploadError(reason: UploadErrorReason, message: string, problems: string[] = []): AppError {
  return new AppError(reason === 'DUPLICATE' ? 'CONFLICT' : 'BAD_USER_INPUT', message, { reason, problems });
}

const mib = (n: number) => `${Math.round((n / 1024 ** 2) * 10) / 10} MB`;

// ───────────── Unpacking ─────────────

/** Files that archivers and desktops add and that are never part of a model. */
function isJunk(p: string): boolean {
  return p.split('/').some((seg) => seg === '__MACOSX' || seg === '.DS_Store' || seg === 'Thumbs.db');
}

/**
 * Unpacks `zipFile` into `dest`. Refuses absolute paths, `..` and backslashes (zip-slip),
 * symbolic links, duplicate names, more than `maxFiles` files and more than `maxBytes` unpacked
 * (declared sizes are checked before anything is written; yauzl checks the actual sizes).
 * Returns the relative paths written.
 */
export async function unpackZip(zipFile: string, dest: string, limits: ModelUploadLimits): Promise<string[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      // decodeStrings + validation (the defaults) make yauzl refuse absolute and `..` paths itself.
      yauzl.open(zipFile, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z!))),
    );
  } catch (err) {
    throw uploadError('NOT_A_ZIP', `The file is not a zip archive we can read (${(err as Error).message}).`);
  }
  const written: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (e: unknown) => reject(e);
      zip.on('error', (err: Error) => {
        const unsafe = /invalid (relative )?path|absolute path|invalid characters in fileName/i.test(err.message);
        fail(unsafe ? uploadError('UNSAFE_PATH', `The zip contains a file path outside the model folder, which we never unpack (${err.message}).`) : uploadError('NOT_A_ZIP', `The zip archive is damaged: ${err.message}.`));
      });
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = entry.fileName;
          if (name.endsWith('/') || isJunk(name)) return zip.readEntry();
          if (!isSafeRelativePath(name.replace(/^\.\//, ''))) {
            throw uploadError('UNSAFE_PATH', `The zip contains the path “${name}”, which points outside the model folder. Nothing was unpacked.`);
          }
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          if (mode === 0o120000) throw uploadError('UNSAFE_PATH', `The zip contains a symbolic link (“${name}”); models must be plain files.`);
          if (seen.has(name)) throw uploadError('UNSAFE_PATH', `The zip contains “${name}” twice.`);
          seen.add(name);
          if (seen.size > limits.maxFiles) {
            throw uploadError('TOO_MANY_FILES', `The zip holds more than ${limits.maxFiles} files; a model needs fep-model.json, model.json, its weight shards and optionally a model card.`);
          }
          total += entry.uncompressedSize;
          if (total > limits.maxBytes) {
            throw uploadError('TOO_LARGE', `Unpacked, the model is larger than the ${mib(limits.maxBytes)} limit.`);
          }
          const target = path.join(dest, name);
          await fs.mkdir(path.dirname(target), { recursive: true });
          const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))));
          await pipeline(stream, createWriteStream(target, { flags: 'wx' }));
          written.push(name.replace(/^\.\//, ''));
          zip.readEntry();
        })().catch((e: unknown) =>
          fail(e instanceof AppError ? e : uploadError('NOT_A_ZIP', `The zip archive is damaged: ${(e as Error).message}.`)),
        );
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return written;
}

/**
 * The directory that holds fep-model.json: the upload root, or its only top-level folder (what
 * zipping a folder, or picking a folder in the browser, produces). Returns the new root and the
 * file paths relative to it.
 */
export function findModelRoot(files: string[]): { prefix: string; files: string[] } {
  if (files.includes(MANIFEST_FILE)) return { prefix: '', files };
  const tops = new Set(files.map((f) => (f.includes('/') ? f.split('/')[0]! : '')));
  if (tops.size === 1 && !tops.has('')) {
    const top = [...tops][0]!;
    if (files.includes(`${top}/${MANIFEST_FILE}`)) return { prefix: `${top}/`, files: files.map((f) => f.slice(top.length + 1)) };
  }
  return { prefix: '', files };
}

// ───────────── Validation ─────────────

/** One TF.js validation at a time per process: loading and the dry run are CPU-bound. */
let validationQueue: Promise<unknown> = Promise.resolve();
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = validationQueue.then(fn, fn);
  validationQueue = run.catch(() => {});
  return run;
}

/** Turns the engine's `ModelFormatError` into a message for the person who uploaded the model. */
export function describeModelFormatError(err: ModelFormatError): AppError {
  const d = err.details;
  switch (err.code) {
    case 'MISSING_FILE':
      if (d.file === MANIFEST_FILE) {
        return uploadError('MISSING_MANIFEST', 'There is no fep-model.json in the upload. Add the manifest that describes the model’s input, labels and weights (see the model format guide).');
      }
      if (d.file === MODEL_JSON) return uploadError('MODEL_JSON_INVALID', 'There is no model.json (the TF.js model topology) next to fep-model.json.');
      if (d.file?.endsWith('.onnx')) return uploadError('MODEL_JSON_INVALID', `There is no ${d.file} (the ONNX model fep-model.json describes) in the upload.`, [`${d.file}: missing`]);
      return uploadError('MISSING_WEIGHT_SHARD', `The weight file “${d.file}” listed in model.json is missing from the upload.`, [`${d.file}: missing`]);
    case 'MANIFEST_INVALID':
      if (d.file === MANIFEST_FILE && d.problem === 'not-json') {
        return uploadError('MANIFEST_NOT_JSON', `fep-model.json is not valid JSON: ${err.message.replace(/^.*is not valid JSON: /, '')}`);
      }
      if (d.issues?.length) {
        const problems = d.issues.map((i) => `${i.field}: ${i.message}`);
        return uploadError(
          'MANIFEST_INVALID',
          `fep-model.json has ${d.issues.length === 1 ? 'a field that is' : `${d.issues.length} fields that are`} not valid.`,
          problems,
        );
      }
      if (d.file === MODEL_JSON && d.problem === 'not-json') {
        return uploadError('MODEL_JSON_INVALID', `model.json is not valid JSON: ${err.message.replace(/^.*is not valid JSON: /, '')}`);
      }
      if (d.problem === 'unsafe-path') return uploadError('UNSAFE_PATH', `model.json lists the weight file “${d.file}”, which points outside the model folder.`);
      if (d.problem === 'no-weights') return uploadError('MODEL_JSON_INVALID', 'model.json lists no weight files.');
      if (d.file?.endsWith('.onnx')) return uploadError('MODEL_JSON_INVALID', `${d.file} could not be read as an ONNX model: ${err.message.replace(/ in \S+(?=[: ])/g, '')}`);
      return uploadError('MODEL_JSON_INVALID', `model.json could not be read as a TF.js model: ${err.message.replace(/ in \S+(?=[: ])/g, '')}`);
    case 'WEIGHTS_HASH_MISMATCH':
      return uploadError(
        'WEIGHTS_HASH_MISMATCH',
        'The weight files do not match the weightsSha256 in fep-model.json: they were changed, corrupted, or the hash was computed over the shards in another order.',
        [`weightsSha256 in fep-model.json: ${d.expectedSha256}`, `sha256 of the uploaded shards: ${d.actualSha256}`],
      );
    case 'UNSUPPORTED_LAYER': {
      const list = (d.layerClasses ?? []).join(', ');
      return uploadError('UNSUPPORTED_LAYER', `The model uses ${d.layerClasses && d.layerClasses.length > 1 ? 'layer classes' : 'a layer class'} TF.js cannot run here: ${list}. Convert it to built-in TF.js layers or the (2+1)D layers listed in the model format guide.`, (d.layerClasses ?? []).map((c) => `unsupported layer: ${c}`));
    }
    case 'UNSUPPORTED_OPERATOR': {
      const ops = d.operators ?? [];
      return uploadError(
        'UNSUPPORTED_OPERATOR',
        `The ONNX model uses ${(d.layerClasses ?? []).length > 1 ? 'operators' : 'an operator'} the import cannot run: ${(d.layerClasses ?? []).join(', ')}. The model format guide lists the supported operators.`,
        ops.map((o) => `unsupported operator ${o.domain ? `${o.domain}.` : ''}${o.opType} in node ${o.node}`),
      );
    }
    case 'UNSUPPORTED_OPSET':
      return uploadError('UNSUPPORTED_OPSET', `The ONNX model uses opset ${d.opset ?? '(none)'}; export it with torch.onnx.export(..., opset_version=13) (opsets 13–18 are supported).`);
    case 'SHAPE_MISMATCH': {
      const shape = (s: (number | null)[] | undefined) => `[${(s ?? []).map((x) => x ?? 'N').join(', ')}]`;
      if (d.check === 'output') {
        return uploadError(
          'OUTPUT_UNITS_MISMATCH',
          d.outputUnits !== undefined
            ? `The network has ${d.outputUnits} output units but fep-model.json lists ${d.labels} labels; they must be equal (one logit per label).`
            : `The network’s output ${shape(d.declared)} is not one logit per label ${shape(d.expected)}.`,
        );
      }
      return uploadError(
        'INPUT_SHAPE_MISMATCH',
        d.check === 'input'
          ? `The network takes input ${shape(d.declared)} but fep-model.json’s input (frames, height, width, channels, layout) implies ${shape(d.expected)}.`
          : `The network does not run on a clip of the size fep-model.json declares: ${err.message.replace(/ in \S+(?=[: ])/g, '')}`,
      );
    }
  }
}

export interface ValidatedModel {
  manifest: FepModelManifest;
  /** Files to store, relative to the model root. */
  files: string[];
  modelCard: { file: string; markdown: string } | null;
  /** Uploaded files that are not part of the model and are not stored. */
  ignored: string[];
}

/** Validates a model directory with the engine's reader and loader; disposes the loaded model. */
export async function validateModelDir(
  dir: string,
  present: string[],
  /** Runs once the manifest is read, before the (costly) load: e.g. the duplicate check. */
  beforeLoad: (manifest: FepModelManifest) => Promise<void> = async () => {},
): Promise<ValidatedModel> {
  const run = async () => {
    let manifest: FepModelManifest;
    try {
      manifest = readManifest(dir);
      await beforeLoad(manifest);
      await initBackend();
      const model = await loadModel(dir);
      model.dispose();
    } catch (err) {
      if (!(err instanceof ModelFormatError)) throw err;
      const described = describeModelFormatError(err);
      // Engine messages name the directory: never show the server's temporary path.
      const dirs = [path.resolve(dir) + path.sep, path.resolve(dir), dir];
      const message = dirs.reduce((m, d) => m.split(d).join(d.endsWith(path.sep) ? '' : 'the upload'), described.message);
      throw new AppError(described.code, message, described.details);
    }
    const payload = modelPayloadFiles(dir, manifest);
    let modelCard: ValidatedModel['modelCard'] = null;
    const cardFile = manifest.modelCard ? path.posix.normalize(manifest.modelCard) : present.includes(DEFAULT_MODEL_CARD) ? DEFAULT_MODEL_CARD : null;
    if (cardFile) {
      const file = path.join(dir, cardFile);
      if (!existsSync(file)) throw uploadError('MODEL_CARD_INVALID', `fep-model.json names the model card “${cardFile}”, but the upload has no such file.`);
      const stat = await fs.stat(file);
      if (stat.size > MAX_MODEL_CARD_BYTES) throw uploadError('MODEL_CARD_INVALID', `The model card “${cardFile}” is larger than ${MAX_MODEL_CARD_BYTES / 1024} KB.`);
      modelCard = { file: cardFile, markdown: await fs.readFile(file, 'utf8') };
    }
    const files = [...new Set([MANIFEST_FILE, ...payload, ...(modelCard ? [modelCard.file] : [])])];
    return { manifest, files, modelCard, ignored: present.filter((p) => !files.includes(p)) };
  };
  return serialised(run);
}

// ───────────── Registration ─────────────

export interface UploadedModelInput {
  teamId: string;
  /** The unpacked upload (a private temporary directory the caller removes). */
  dir: string;
  /** Paths of the uploaded files, relative to `dir`. */
  files: string[];
  /** 'zip', 'files' or 'form' (a manifest field + the model file), for the audit event. */
  source: 'zip' | 'files' | 'form';
}

export async function registerUploadedModel(ctx: ApiContext, caller: Caller, input: UploadedModelInput) {
  if (input.files.length === 0) throw uploadError('NO_FILES', 'The upload is empty: choose a .zip or a model folder.');
  const { prefix, files } = findModelRoot(input.files);
  const root = path.join(input.dir, prefix);
  if (!files.includes(MANIFEST_FILE)) {
    throw uploadError('MISSING_MANIFEST', 'There is no fep-model.json in the upload. Add the manifest that describes the model’s input, labels and weights (see the model format guide).');
  }
  const duplicateMessage = (m: FepModelManifest, builtin: boolean) =>
    `${m.name} ${m.version} is already registered${builtin ? ' as a built-in model' : ' in this team'}. Give the new model another version in fep-model.json.`;
  // Refused before the model is loaded; the unique index catches a racing upload below.
  const refuseDuplicate = async (m: FepModelManifest) => {
    const duplicate = await ctx.db.model.findFirst({
      where: { name: m.name, version: m.version, OR: [{ teamId: input.teamId }, { builtin: true }] },
      select: { builtin: true },
    });
    if (duplicate) throw uploadError('DUPLICATE', duplicateMessage(m, duplicate.builtin));
  };
  const validated = await validateModelDir(root, files, refuseDuplicate);
  const { manifest } = validated;

  const stored = await storeModelFiles(ctx.storage, root, validated.files);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const model = await tx.model.create({
        data: {
          teamId: input.teamId,
          builtin: false,
          name: manifest.name,
          version: manifest.version,
          format: manifest.format,
          manifest: manifest as unknown as Prisma.InputJsonValue,
          labels: manifest.labels,
          weightsSha256: manifest.weightsSha256,
          archiveSha256: stored.indexSha256,
          modelCard: validated.modelCard ? { markdown: validated.modelCard.markdown, file: validated.modelCard.file } : undefined,
          createdById: caller.userId,
        },
      });
      await appendAuditEvent(tx, {
        teamId: input.teamId,
        actorId: caller.userId,
        action: 'model.uploaded',
        subjectType: 'Model',
        subjectId: model.id,
        payload: {
          name: model.name,
          version: model.version,
          weightsSha256: model.weightsSha256,
          filesSha256: stored.indexSha256,
          files: stored.index.files.map((f) => ({ path: f.path, sha256: f.sha256, size: f.size })),
          source: input.source,
        },
      });
      return { model, ignored: validated.ignored };
    });
  } catch (err) {
    await deleteBlobs(ctx.storage, stored.created);
    if ((err as { code?: string }).code === 'P2002') throw uploadError('DUPLICATE', duplicateMessage(manifest, false));
    throw err;
  }
}
