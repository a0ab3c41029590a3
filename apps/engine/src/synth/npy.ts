/**
 * Minimal NumPy .npy reader/writer (format versions 1.0 and 2.0, C order), for exchanging clips,
 * ground-truth masks and saliency volumes with Python tools. Format reference:
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * Supported dtypes: float32 ('<f4') and uint8 ('|u1'); reading also accepts '<f8' (converted to float32).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export type NpyArray = { dtype: 'float32'; data: Float32Array; shape: number[] } | { dtype: 'uint8'; data: Uint8Array; shape: number[] };

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The .npy header (magic, version 1.0, padded dict) for a C-order array; the raw data follows it. */
export function npyHeader(dtype: 'float32' | 'uint8', shape: number[]): Buffer {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`invalid shape [${shape.join(',')}]`);
  const descr = dtype === 'float32' ? '<f4' : '|u1';
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // Pad with spaces so that magic(6) + version(2) + len(2) + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new RangeError('npy header too long');
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1')]);
}

export function encodeNpy(data: Float32Array | Uint8Array, shape: number[]): Buffer {
  const header = npyHeader(data instanceof Float32Array ? 'float32' : 'uint8', shape); // validates the shape
  if (product(shape) !== data.length) throw new RangeError(`shape [${shape.join(',')}] needs ${product(shape)} values, got ${data.length}`);
  // Copy the bytes: float32 little-endian is the host order on every platform Node supports here.
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

export function decodeNpy(buf: Buffer): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error('not a .npy file (bad magic)');
  const major = buf[6];
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new Error(`unsupported .npy version ${major}`);
  }
  const header = buf.toString('latin1', offset, offset + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeStr === undefined) throw new Error(`malformed .npy header: ${header.trim()}`);
  if (fortran === 'True') throw new Error('Fortran-order .npy arrays are not supported (C order only)');
  const shape = shapeStr
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const n = product(shape);
  const start = offset + headerLen;
  const bytes = buf.subarray(start);
  const copy = (itemSize: number): ArrayBuffer => {
    if (bytes.length < n * itemSize) throw new Error(`.npy data truncated: need ${n * itemSize} bytes, have ${bytes.length}`);
    const out = new ArrayBuffer(n * itemSize);
    new Uint8Array(out).set(bytes.subarray(0, n * itemSize));
    return out;
  };
  switch (descr) {
    case '<f4':
      return { dtype: 'float32', data: new Float32Array(copy(4)), shape };
    case '<f8':
      return { dtype: 'float32', data: Float32Array.from(new Float64Array(copy(8))), shape };
    case '|u1':
    case '<u1':
    case '|b1':
      return { dtype: 'uint8', data: new Uint8Array(copy(1)), shape };
    default:
      throw new Error(`unsupported .npy dtype ${descr} (float32 and uint8 only)`);
  }
}

export function writeNpy(file: string, data: Float32Array | Uint8Array, shape: number[]): void {
  writeFileSync(file, encodeNpy(data, shape));
}

export function readNpy(file: string): NpyArray {
  return decodeNpy(readFileSync(file));
}
