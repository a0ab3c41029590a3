import { describe, expect, it } from 'vitest';
import { encodeNpy as engineEncodeNpy } from '@fep/engine/synth/npy.ts';
import { encodeNpy, frameMeans, parseNpy, volumeMax } from './npy.ts';

describe('parseNpy', () => {
  it('reads what the engine writes (shape and values)', () => {
    const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i / 10);
    const buf = engineEncodeNpy(data, [2, 3, 4]);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    const arr = parseNpy(ab);
    expect(arr.shape).toEqual([2, 3, 4]);
    expect(Array.from(arr.data)).toEqual(Array.from(data));
  });

  it('round-trips its own encoder and computes per-frame means and the max', () => {
    const data = new Float32Array([0, 0, 0, 0, 1, 1, 1, 1, 0, 2, 0, 2]);
    const arr = parseNpy(encodeNpy(data, [3, 2, 2]));
    expect(frameMeans(arr)).toEqual([0, 1, 1]);
    expect(volumeMax(arr)).toBe(2);
  });

  it('refuses other files, other dtypes and truncated data', () => {
    expect(() => parseNpy(new TextEncoder().encode('hello world!').buffer as ArrayBuffer)).toThrow(/Not a .npy/);
    const f8 = new Uint8Array(encodeNpy(new Float32Array(4), [4]));
    const text = new TextDecoder('latin1').decode(f8).replace('<f4', '<f8');
    expect(() => parseNpy(Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer)).toThrow(/float32/);
    const full = encodeNpy(new Float32Array(16), [16]);
    expect(() => parseNpy(full.slice(0, full.byteLength - 8))).toThrow(/truncated/);
  });
});
