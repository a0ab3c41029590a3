/**
 * Real TF.js model directories and zips for model-upload tests (API, pipeline, browser).
 *
 * - `writeTinyModel`: a small LayersModel of built-in TF.js layers (flatten → dense), saved in the
 *   standard TF.js format with a fep-model.json whose weightsSha256 is computed from the files;
 * - `repackageShippedModel`: the shipped model's files (read now, never a hard-coded hash) under
 *   a new name/version;
 * - `zipDirectory` / `zipEntries`: zips built with yazl, optionally with a hostile path.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import yazl from 'yazl';
import { initBackend } from '@fep/engine/backend.ts';
import { fileSystemSaver } from '@fep/engine/model/fs-io.ts';
import { BUILTIN_MODEL_DIR } from '@fep/engine/model/load-model.ts';
import { computeWeightsSha256, MANIFEST_FILE, type FepModelManifest } from '@fep/engine/model/manifest.ts';

export interface TinyModelOptions {
  name?: string;
  version?: string;
  frames?: number;
  height?: number;
  width?: number;
  classes?: number;
  /** Written to fep-model.json (default: one per output unit). */
  labels?: string[];
  modelCard?: string | null;
  seed?: number;
}

/** Writes a tiny TF.js LayersModel + fep-model.json (+ MODEL_CARD.md) into `dir`; returns the manifest. */
export async function writeTinyModel(dir: string, opts: TinyModelOptions = {}): Promise<FepModelManifest> {
  await initBackend();
  const frames = opts.frames ?? 4;
  const height = opts.height ?? 16;
  const width = opts.width ?? 16;
  const classes = opts.classes ?? 3;
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [frames, height, width, 3] }),
      tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: opts.seed ?? 7 }) }),
    ],
  });
  await model.save(fileSystemSaver(dir));
  model.dispose();
  const card = opts.modelCard === undefined ? `# ${opts.name ?? 'tiny'}\n\nA tiny test model: one dense layer over the clip.\n` : opts.modelCard;
  if (card !== null) writeFileSync(path.join(dir, 'MODEL_CARD.md'), card);
  const manifest: FepModelManifest = {
    name: opts.name ?? 'tiny-upload',
    version: opts.version ?? '1.0.0',
    format: 'layers-model',
    input: { frames, height, width, channels: 3, layout: 'NTHWC', valueRange: [0, 1], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    labels: opts.labels ?? Array.from({ length: classes }, (_, i) => `class_${i}`),
    weightsSha256: computeWeightsSha256(dir),
    ...(card !== null ? { modelCard: 'MODEL_CARD.md' } : {}),
  };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Copies the shipped model into `dir` under a new name/version (its weights and hash unchanged). */
export function repackageShippedModel(dir: string, name: string, version: string): FepModelManifest {
  mkdirSync(dir, { recursive: true });
  cpSync(BUILTIN_MODEL_DIR, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as FepModelManifest;
  const renamed = { ...manifest, name, version };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(renamed, null, 2));
  return renamed;
}

/** Edits a JSON file in place. */
export function editJson(file: string, edit: (value: any) => unknown): void {
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), rel) : [rel];
  });
}

/** Every file under `dir`, as `[relative path, bytes]`, optionally inside a top-level `folder`. */
export function directoryEntries(dir: string, folder?: string): [string, Buffer][] {
  return listFiles(dir).map((rel) => [folder ? `${folder}/${rel}` : rel, readFileSync(path.join(dir, rel))]);
}

/** A zip of the given entries. */
export function zipEntries(entries: [string, Buffer | string][]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of entries) zip.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name);
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export function zipDirectory(dir: string, folder?: string): Promise<Buffer> {
  return zipEntries(directoryEntries(dir, folder));
}

/**
 * A zip whose entry `placeholder` is renamed to `hostile` in the raw bytes (yazl itself refuses
 * such names): e.g. `zz/evil.txt` → `../evil.txt`, a zip-slip attempt. Same length required.
 */
export async function zipWithRawName(entries: [string, Buffer | string][], placeholder: string, hostile: string): Promise<Buffer> {
  if (placeholder.length !== hostile.length) throw new Error('placeholder and hostile name must have the same length');
  const zip = await zipEntries(entries);
  const from = Buffer.from(placeholder);
  const to = Buffer.from(hostile);
  let at = zip.indexOf(from);
  while (at >= 0) {
    to.copy(zip, at);
    at = zip.indexOf(from, at + to.length);
  }
  return zip;
}
