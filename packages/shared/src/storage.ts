import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badInput, notFound } from './errors.ts';

/**
 * Content-addressed blob storage for videos, frames and saliency volumes.
 * Objects are named by the sha256 of their bytes; callers never supply paths.
 * A local-filesystem driver ships; an S3 driver implements the same interface.
 */
export interface StoredObject {
  sha256: string;
  size: number;
}

export interface BlobStorage {
  putStream(source: Readable, opts?: { maxBytes?: number }): Promise<StoredObject>;
  putBuffer(data: Uint8Array): Promise<StoredObject>;
  /** Moves (or copies) a local file in; the source file is consumed. */
  putFile(filePath: string): Promise<StoredObject>;
  has(sha256: string): Promise<boolean>;
  read(sha256: string): Promise<Buffer>;
  openRead(sha256: string): Promise<Readable>;
  /** A local file path holding the object (a download for remote drivers). */
  localPath(sha256: string): Promise<string>;
  delete(sha256: string): Promise<void>;
  /** Cheap liveness check used by the health query. */
  healthy(): Promise<boolean>;
}

const SHA256 = /^[a-f0-9]{64}$/;

export function assertSha256(value: string): string {
  if (!SHA256.test(value)) throw badInput('Not a sha256 object id.');
  return value;
}

export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`Object exceeds the ${maxBytes}-byte limit.`);
  }
}

export class LocalFsStorage implements BlobStorage {
  constructor(readonly root: string) {}

  private objectPath(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.root, 'objects', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private async tempPath(): Promise<string> {
    const dir = path.join(this.root, 'tmp');
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, randomUUID());
  }

  async putStream(source: Readable, opts: { maxBytes?: number } = {}): Promise<StoredObject> {
    const tmp = await this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) return cb(new ObjectTooLargeError(opts.maxBytes));
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmp));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return this.commitTemp(tmp, hash.digest('hex'), size);
  }

  async putBuffer(data: Uint8Array): Promise<StoredObject> {
    return this.putStream(Readable.from([Buffer.from(data)]));
  }

  async putFile(filePath: string): Promise<StoredObject> {
    const stored = await this.putStream(createReadStream(filePath));
    await fs.rm(filePath, { force: true });
    return stored;
  }

  /** Rename is atomic on one filesystem, so readers never see a half-written object. */
  private async commitTemp(tmp: string, sha256: string, size: number): Promise<StoredObject> {
    const dest = this.objectPath(sha256);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    if (await exists(dest)) await fs.rm(tmp, { force: true });
    else await fs.rename(tmp, dest);
    return { sha256, size };
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.objectPath(sha256));
  }

  async read(sha256: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.objectPath(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('Stored object');
      throw err;
    }
  }

  async openRead(sha256: string): Promise<Readable> {
    return createReadStream(await this.localPath(sha256));
  }

  async localPath(sha256: string): Promise<string> {
    const p = this.objectPath(sha256);
    if (!(await exists(p))) throw notFound('Stored object');
    return p;
  }

  async delete(sha256: string): Promise<void> {
    await fs.rm(this.objectPath(sha256), { force: true });
  }

  async healthy(): Promise<boolean> {
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.access(this.root, fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

export function createStorage(storageDir: string): BlobStorage {
  return new LocalFsStorage(storageDir);
}
