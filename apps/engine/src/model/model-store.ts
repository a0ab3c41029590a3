/**
 * Uploaded models in blob storage. Storage is content-addressed (packages/shared/src/storage.ts),
 * so a model directory is stored as one blob per file plus an **index** blob — canonical JSON
 * `{ "format": "fep-model-files/1", "files": [{ "path", "sha256", "size" }] }` — whose sha256 is
 * the model row's `archiveSha256`. The upload API writes it (`storeModelFiles`); the engine worker
 * reads it back into a local directory (`materialiseModel`) that `loadModel` then verifies.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { BlobStorage } from '@fep/shared';
import { isSafeRelativePath } from './manifest.ts';

export const MODEL_INDEX_FORMAT = 'fep-model-files/1';

const indexSchema = z.object({
  format: z.literal(MODEL_INDEX_FORMAT),
  files: z
    .array(
      z.object({
        path: z.string().refine(isSafeRelativePath, 'file paths must stay inside the model directory'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        size: z.number().int().nonnegative(),
      }),
    )
    .min(1),
});

export type StoredModelIndex = z.infer<typeof indexSchema>;

export interface StoredModelFiles {
  /** sha256 of the index blob (Model.archiveSha256). */
  indexSha256: string;
  index: StoredModelIndex;
  /** Blobs this call created (not there before): what to delete if the caller gives up. */
  created: string[];
}

/**
 * Stores `files` (paths relative to `dir`) and their index. Returns the index hash and the blobs
 * that did not exist before, so a caller whose database write fails can remove exactly those.
 */
export async function storeModelFiles(storage: BlobStorage, dir: string, files: string[]): Promise<StoredModelFiles> {
  const created: string[] = [];
  // Content-addressed: a blob that was already there belongs to someone else too; never list it.
  const put = async (sha256: string, write: () => Promise<{ sha256: string; size: number }>) => {
    const existed = await storage.has(sha256);
    const stored = await write();
    if (!existed && !created.includes(stored.sha256)) created.push(stored.sha256);
    return stored;
  };
  try {
    const entries: StoredModelIndex['files'] = [];
    for (const rel of [...files].sort()) {
      if (!isSafeRelativePath(rel)) throw new Error(`refusing to store ${JSON.stringify(rel)}: not a path inside the model directory`);
      const file = path.join(dir, rel);
      const stored = await put(await sha256File(file), () => storage.putStream(createReadStream(file)));
      entries.push({ path: rel, sha256: stored.sha256, size: stored.size });
    }
    const index: StoredModelIndex = { format: MODEL_INDEX_FORMAT, files: entries };
    const bytes = Buffer.from(JSON.stringify(index));
    const stored = await put(createHash('sha256').update(bytes).digest('hex'), () => storage.putBuffer(bytes));
    return { indexSha256: stored.sha256, index, created };
  } catch (err) {
    await deleteBlobs(storage, created);
    throw err;
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export async function deleteBlobs(storage: BlobStorage, shas: string[]): Promise<void> {
  await Promise.all(shas.map((sha) => storage.delete(sha).catch(() => {})));
}

export async function readModelIndex(storage: BlobStorage, indexSha256: string): Promise<StoredModelIndex> {
  const raw = await storage.read(indexSha256);
  return indexSchema.parse(JSON.parse(raw.toString('utf8')));
}

/**
 * Writes the stored model `indexSha256` into `<cacheRoot>/<weightsSha256>-<index prefix>/` (once;
 * later calls reuse it) and returns that directory. The directory is named by the weights hash
 * that `loadModel` verifies, plus the index hash, because two uploads may share weights but not
 * their manifest. Written under a temporary name and renamed, so concurrent workers on one
 * machine never see a half-written directory.
 */
export async function materialiseModel(storage: BlobStorage, indexSha256: string, weightsSha256: string, cacheRoot: string): Promise<string> {
  const dir = path.join(cacheRoot, `${weightsSha256}-${indexSha256.slice(0, 16)}`);
  if (existsSync(path.join(dir, '.complete'))) return dir;
  const index = await readModelIndex(storage, indexSha256);
  await fs.mkdir(cacheRoot, { recursive: true });
  const tmp = path.join(cacheRoot, `.tmp-${randomUUID()}`);
  try {
    for (const file of index.files) {
      const target = path.join(tmp, file.path);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await pipeline(await storage.openRead(file.sha256), createWriteStream(target));
    }
    await fs.writeFile(path.join(tmp, '.complete'), indexSha256);
    // A directory without its marker is debris of a crash mid-copy (rename is atomic otherwise).
    if (existsSync(dir) && !existsSync(path.join(dir, '.complete'))) await fs.rm(dir, { recursive: true, force: true });
    try {
      await fs.rename(tmp, dir);
    } catch (err) {
      // Another worker finished the same directory first: use theirs.
      if (!existsSync(path.join(dir, '.complete'))) throw err;
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return dir;
}

/** Removes a materialised directory (e.g. after its weights failed verification). */
export async function forgetMaterialised(indexSha256: string, weightsSha256: string, cacheRoot: string): Promise<void> {
  await fs.rm(path.join(cacheRoot, `${weightsSha256}-${indexSha256.slice(0, 16)}`), { recursive: true, force: true });
}
