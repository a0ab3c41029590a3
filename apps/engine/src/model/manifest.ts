/**
 * `fep-model.json`: the manifest that turns a TF.js model directory into a model F-EP Studio can
 * explain. It states what the network expects (clip size, layout, value range, mean/std), what its
 * outputs mean (labels) and pins the exact weights (sha256 over the shard files in manifest order).
 * See apps/engine/docs/model-format.md for the field reference and conversion recipes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelInputSpec } from '../methods/types.ts';
import { MODEL_JSON, weightShardPaths } from './fs-io.ts';
import type * as tf from '@tensorflow/tfjs';

export const MANIFEST_FILE = 'fep-model.json';

export type ModelFormatErrorCode =
  | 'MANIFEST_INVALID'
  | 'WEIGHTS_HASH_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'MISSING_FILE'
  | 'UNSUPPORTED_LAYER'
  /** ONNX: an operator (or a non-default domain) the import does not implement; see `details.operators`. */
  | 'UNSUPPORTED_OPERATOR'
  /** ONNX: the default-domain opset is outside the supported range (src/model/onnx/parse.ts). */
  | 'UNSUPPORTED_OPSET';

/**
 * Machine-readable facts about a `ModelFormatError`, so callers (the upload API) can word the
 * problem for people without parsing messages. Paths are relative to the model directory.
 */
export interface ModelFormatDetails {
  /** The file concerned (`fep-model.json`, `model.json`, a weight shard, the model card). */
  file?: string;
  /** What went wrong with it: the file is absent, is not JSON, or names a path outside the directory. */
  problem?: 'missing' | 'not-json' | 'unsafe-path' | 'no-weights' | 'format-mismatch' | 'not-loadable';
  /** MANIFEST_INVALID from field validation: one entry per failing field (dotted path). */
  issues?: { field: string; message: string }[];
  /** WEIGHTS_HASH_MISMATCH: the pinned and the computed sha256. */
  expectedSha256?: string;
  actualSha256?: string;
  /** SHAPE_MISMATCH: which check failed and the two shapes (null = any size). */
  check?: 'input' | 'output' | 'inputs' | 'dry-run';
  declared?: (number | null)[];
  expected?: (number | null)[];
  /** SHAPE_MISMATCH on the output: output units vs labels.length. */
  outputUnits?: number;
  labels?: number;
  /** UNSUPPORTED_LAYER: the layer classes TF.js does not know (in topology order, unique). */
  layerClasses?: string[];
  /** UNSUPPORTED_OPERATOR: every node whose operator is not supported, in graph order. */
  operators?: { opType: string; node: string; domain?: string }[];
  /** UNSUPPORTED_OPSET: the model's default-domain opset (absent when it imports none). */
  opset?: number;
}

export class ModelFormatError extends Error {
  readonly code: ModelFormatErrorCode;
  readonly details: ModelFormatDetails;
  constructor(code: ModelFormatErrorCode, message: string, details: ModelFormatDetails = {}) {
    super(message);
    this.name = 'ModelFormatError';
    this.code = code;
    this.details = details;
  }
}

/** True for a relative path that stays inside its directory (no `..`, no absolute path, no backslash). */
export function isSafeRelativePath(p: string): boolean {
  if (!p || p.includes('\\') || p.includes('\0') || path.posix.isAbsolute(p) || /^[a-zA-Z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '..' && seg !== '');
}

const positiveInt = z.number().int().positive();

export const modelInputSchema = z
  .object({
    frames: positiveInt,
    height: positiveInt,
    width: positiveInt,
    channels: positiveInt,
    layout: z.enum(['NTHWC', 'NCTHW']),
    valueRange: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => hi > lo, 'valueRange must be [lo, hi] with hi > lo'),
    mean: z.array(z.number()),
    std: z.array(z.number().positive('std entries must be > 0')),
  })
  .superRefine((v, ctx) => {
    if (v.mean.length !== v.channels) ctx.addIssue({ code: 'custom', path: ['mean'], message: `mean needs ${v.channels} entries (one per channel), got ${v.mean.length}` });
    if (v.std.length !== v.channels) ctx.addIssue({ code: 'custom', path: ['std'], message: `std needs ${v.channels} entries (one per channel), got ${v.std.length}` });
  });

const rangeSchema = z
  .object({ min: z.number().positive(), max: z.number().positive() })
  .refine((r) => r.max >= r.min, 'max must be at least min');

/**
 * What the model was trained on, as far as the inputs people upload can be compared with it
 * (all optional). F-EP Studio warns when a video falls outside these ranges by more than the
 * tolerances in packages/shared/src/trust.ts (docs/trust.md).
 */
export const trainingDataSchema = z.object({
  /** One line on the training data, shown with the warnings. */
  description: z.string().min(1).optional(),
  /** Shorter side of the training videos' frames (px). */
  shortSidePx: rangeSchema.optional(),
  /** Width ÷ height of the training frames. */
  aspectRatio: rangeSchema.optional(),
  /** Frame rate of the training videos. */
  fps: rangeSchema.optional(),
  /** Length of the training videos (s). */
  durationSec: rangeSchema.optional(),
});

export type TrainingData = z.infer<typeof trainingDataSchema>;

export const fepModelManifestSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  /** 'onnx': a single .onnx file (weights inside), see src/model/onnx/. */
  format: z.enum(['layers-model', 'graph-model', 'onnx']),
  input: modelInputSchema,
  labels: z.array(z.string().min(1)).min(2),
  weightsSha256: z.string().regex(/^[0-9a-f]{64}$/, 'weightsSha256 must be 64 lowercase hex digits'),
  /** Path of the model card, relative to the model directory. */
  modelCard: z.string().min(1).optional(),
  /** For graph models with several outputs: which output node holds the logits. */
  outputNode: z.string().min(1).optional(),
  /** ONNX models: path of the .onnx file, relative to the model directory (default model.onnx). */
  onnxFile: z.string().min(1).optional(),
  /** What the training videos were like (resolution, rate, length); see trainingDataSchema. */
  trainingData: trainingDataSchema.optional(),
});

export type FepModelManifest = z.infer<typeof fepModelManifestSchema>;

function fieldIssues(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.length ? i.path.join('.') : '(root)', message: i.message }));
}

/** Validate an already-parsed JSON value. Throws ModelFormatError('MANIFEST_INVALID') listing every failing field. */
export function parseManifest(value: unknown, source = MANIFEST_FILE): FepModelManifest {
  const r = fepModelManifestSchema.safeParse(value);
  if (!r.success) {
    const issues = fieldIssues(r.error);
    throw new ModelFormatError('MANIFEST_INVALID', `${source} is invalid: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
      file: MANIFEST_FILE,
      issues,
    });
  }
  if (r.data.onnxFile !== undefined && !isSafeRelativePath(r.data.onnxFile)) {
    const issues = [{ field: 'onnxFile', message: 'must be a path inside the model directory' }];
    throw new ModelFormatError('MANIFEST_INVALID', `${source} is invalid: onnxFile: must be a path inside the model directory`, { file: MANIFEST_FILE, issues });
  }
  if (r.data.modelCard !== undefined && !isSafeRelativePath(r.data.modelCard)) {
    const issues = [{ field: 'modelCard', message: 'must be a path inside the model directory' }];
    throw new ModelFormatError('MANIFEST_INVALID', `${source} is invalid: modelCard: must be a path inside the model directory`, {
      file: MANIFEST_FILE,
      issues,
    });
  }
  return r.data;
}

/** Read and validate `<dir>/fep-model.json`. */
export function readManifest(dir: string): FepModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new ModelFormatError('MISSING_FILE', `no ${MANIFEST_FILE} in ${dir}`, { file: MANIFEST_FILE, problem: 'missing' });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFormatError('MANIFEST_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { file: MANIFEST_FILE, problem: 'not-json' });
  }
  return parseManifest(json, file);
}

export const DEFAULT_ONNX_FILE = 'model.onnx';

/** The .onnx file of an ONNX manifest, relative to the model directory. */
export function onnxFileOf(manifest: FepModelManifest): string {
  return path.posix.normalize(manifest.onnxFile ?? DEFAULT_ONNX_FILE);
}

/** sha256 of an ONNX model's .onnx file (the weights are inside it). */
export function computeOnnxSha256(dir: string, file = DEFAULT_ONNX_FILE): string {
  const p = path.join(dir, file);
  if (!existsSync(p)) throw new ModelFormatError('MISSING_FILE', `no ${file} in ${dir}`, { file, problem: 'missing' });
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/**
 * The files that make up the network itself, relative to the model directory, besides
 * fep-model.json and the model card: model.json + weight shards (TF.js), or the .onnx file.
 */
export function modelPayloadFiles(dir: string, manifest: FepModelManifest): string[] {
  if (manifest.format === 'onnx') return [onnxFileOf(manifest)];
  return [MODEL_JSON, ...weightShardPaths(readTfjsModelJson(dir)).map((p) => path.posix.normalize(p))];
}

/** Read `<dir>/model.json` (TF.js topology + weightsManifest). */
export function readTfjsModelJson(dir: string): tf.io.ModelJSON {
  const file = path.join(dir, MODEL_JSON);
  if (!existsSync(file)) throw new ModelFormatError('MISSING_FILE', `no ${MODEL_JSON} in ${dir}`, { file: MODEL_JSON, problem: 'missing' });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFormatError('MANIFEST_INVALID', `${file} is not valid JSON: ${(e as Error).message}`, { file: MODEL_JSON, problem: 'not-json' });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || !('modelTopology' in json)) {
    throw new ModelFormatError('MANIFEST_INVALID', `${file} is not a TF.js model.json (it has no modelTopology)`, { file: MODEL_JSON, problem: 'not-loadable' });
  }
  return json as tf.io.ModelJSON;
}

/** sha256 over the weight shard files, concatenated in model.json's manifest order. */
export function computeWeightsSha256(dir: string, modelJson: tf.io.ModelJSON = readTfjsModelJson(dir)): string {
  const hash = createHash('sha256');
  const shards = weightShardPaths(modelJson);
  if (shards.length === 0) throw new ModelFormatError('MANIFEST_INVALID', `${MODEL_JSON} in ${dir} lists no weight files`, { file: MODEL_JSON, problem: 'no-weights' });
  for (const shard of shards) {
    // model.json comes from whoever wrote the model: never read outside its directory.
    if (typeof shard !== 'string' || !isSafeRelativePath(shard)) {
      throw new ModelFormatError('MANIFEST_INVALID', `${MODEL_JSON} in ${dir} lists the weight path ${JSON.stringify(shard)}, which leaves the model directory`, {
        file: String(shard),
        problem: 'unsafe-path',
      });
    }
    const file = path.join(dir, shard);
    if (!existsSync(file)) throw new ModelFormatError('MISSING_FILE', `weight shard ${shard} listed in ${MODEL_JSON} is missing from ${dir}`, { file: shard, problem: 'missing' });
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** Throws ModelFormatError('WEIGHTS_HASH_MISMATCH') unless the shards hash to `manifest.weightsSha256`. */
export function verifyWeights(dir: string, manifest: FepModelManifest, modelJson?: tf.io.ModelJSON): void {
  const actual = computeWeightsSha256(dir, modelJson);
  if (actual !== manifest.weightsSha256) {
    throw new ModelFormatError(
      'WEIGHTS_HASH_MISMATCH',
      `weights in ${dir} hash to ${actual}, but ${MANIFEST_FILE} pins ${manifest.weightsSha256}: the weights were changed or corrupted`,
      { expectedSha256: manifest.weightsSha256, actualSha256: actual },
    );
  }
}

export function toInputSpec(manifest: FepModelManifest): ModelInputSpec {
  const { frames, height, width, channels, layout, valueRange, mean, std } = manifest.input;
  return { frames, height, width, channels, layout, valueRange: [valueRange[0], valueRange[1]], mean, std };
}
