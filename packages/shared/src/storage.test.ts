import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { LocalFsStorage, ObjectTooLargeError } from './storage.ts';

let dir: string;
let storage: LocalFsStorage;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fep-storage-'));
  storage = new LocalFsStorage(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalFsStorage', () => {
  it('names objects by the sha256 of their bytes and deduplicates', async () => {
    const bytes = Buffer.from('hello saliency');
    const expected = createHash('sha256').update(bytes).digest('hex');
    const a = await storage.putBuffer(bytes);
    const b = await storage.putStream(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    expect(a).toEqual({ sha256: expected, size: bytes.length });
    expect(b).toEqual(a);
    expect(await storage.read(expected)).toEqual(bytes);
    expect(await storage.has(expected)).toBe(true);
  });

  it('putFile consumes the source file', async () => {
    const src = path.join(dir, 'upload.bin');
    await writeFile(src, 'abc');
    const stored = await storage.putFile(src);
    expect(stored.size).toBe(3);
    await expect(readdir(dir)).resolves.not.toContain('upload.bin');
  });

  it('refuses anything that is not a sha256 — no client-supplied paths', async () => {
    for (const bad of ['../etc/passwd', 'abc', 'A'.repeat(64), `${'a'.repeat(63)}/`]) {
      await expect(storage.read(bad)).rejects.toBeInstanceOf(AppError);
      await expect(storage.localPath(bad)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('a missing object is NOT_FOUND', async () => {
    await expect(storage.read('0'.repeat(64))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an over-limit stream leaves no object and no temp file behind', async () => {
    const big = Readable.from([Buffer.alloc(600), Buffer.alloc(600)]);
    await expect(storage.putStream(big, { maxBytes: 1000 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    await expect(readdir(path.join(dir, 'objects'))).rejects.toThrow();
  });
});
