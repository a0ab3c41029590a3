/**
 * A reader for NumPy's .npy format (format spec: numpy.lib.format, versions 1.0–3.0), enough for
 * the engine's saliency volumes: little-endian float32 ('<f4'), C order, any shape.
 */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function parseNpy(buffer: ArrayBuffer): NpyArray {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('Not a .npy file.');
  const major = bytes[6]!;
  const view = new DataView(buffer);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    headerLen = view.getUint32(8, true);
    offset = 12;
  } else {
    throw new Error(`Unsupported .npy version ${major}.`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error('The .npy header is malformed.');
  if (descr !== '<f4' && descr !== '|f4') throw new Error(`Expected float32 data, got ${descr}.`);
  if (fortran === 'True') throw new Error('Fortran-ordered arrays are not supported.');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('The .npy shape is malformed.');
  const count = shape.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  if (buffer.byteLength - start < count * 4) throw new Error('The .npy file is truncated.');
  // Copy when unaligned (Float32Array views need a 4-byte aligned offset).
  const data = start % 4 === 0 ? new Float32Array(buffer, start, count) : new Float32Array(buffer.slice(start, start + count * 4));
  return { shape, data };
}

/** Builds a .npy (v1.0) from float32 data — used by tests and fixtures. */
export function encodeNpy(data: Float32Array, shape: number[]): ArrayBuffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1;
  const pad = (64 - (unpadded % 64)) % 64;
  const header = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out.buffer;
}

/** Mean of each [H,W] slice of a [T,H,W] volume: the per-frame importance curve. */
export function frameMeans(volume: NpyArray): number[] {
  const [T = 0, H = 0, W = 0] = volume.shape;
  const n = H * W;
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = t * n; i < (t + 1) * n; i++) s += volume.data[i]!;
    out.push(n ? s / n : 0);
  }
  return out;
}

/** Largest value of the volume (0 for an empty or all-negative one): the colour scale's top. */
export function volumeMax(volume: NpyArray): number {
  let m = 0;
  for (let i = 0; i < volume.data.length; i++) if (volume.data[i]! > m) m = volume.data[i]!;
  return m;
}

/** Smallest value of the volume (0 for an empty one): the colour scale's bottom. */
export function volumeMin(volume: NpyArray): number {
  if (!volume.data.length) return 0;
  let m = Infinity;
  for (let i = 0; i < volume.data.length; i++) if (volume.data[i]! < m) m = volume.data[i]!;
  return m;
}
