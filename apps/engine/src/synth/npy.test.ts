import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, readNpy, writeNpy } from './npy.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'fep-npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npy', () => {
  it('writes the exact bytes numpy writes for a small float32 array', () => {
    // np.save(np.arange(6, dtype='<f4').reshape(2, 3)): 10-byte preamble + 118-byte header, data at byte 128.
    const buf = encodeNpy(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]);
    const header = buf.toString('latin1', 10, 10 + buf.readUInt16LE(8));
    expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    expect(header).toBe(dict + ' '.repeat(118 - dict.length - 1) + '\n');
    expect(10 + header.length).toBe(128);
    expect(buf.length).toBe(10 + header.length + 24);
  });

  it('round-trips float32 and uint8 arrays of any rank through files', () => {
    const f = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i) * 1e3);
    writeNpy(path.join(dir, 'f.npy'), f, [2, 3, 4, 5]);
    const rf = readNpy(path.join(dir, 'f.npy'));
    expect(rf.dtype).toBe('float32');
    expect(rf.shape).toEqual([2, 3, 4, 5]);
    expect(Array.from(rf.data)).toEqual(Array.from(f));
    const u = Uint8Array.from({ length: 7 }, (_, i) => (i % 2));
    const ru = decodeNpy(encodeNpy(u, [7]));
    expect(ru).toEqual({ dtype: 'uint8', data: u, shape: [7] });
    const scalar = decodeNpy(encodeNpy(new Float32Array([2.5]), []));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([2.5]);
  });

  it('rejects bad input', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6 values/);
    expect(() => decodeNpy(Buffer.from('hello world!'))).toThrow(/magic/);
    const fortran = Buffer.from(encodeNpy(new Uint8Array(4), [2, 2]).toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1');
    expect(() => decodeNpy(fortran)).toThrow(/Fortran/);
    const truncated = encodeNpy(new Float32Array(8), [8]).subarray(0, 80);
    expect(() => decodeNpy(truncated)).toThrow(/truncated/);
  });
});
