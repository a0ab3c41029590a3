/**
 * The committed ONNX fixtures (./fixtures/<name>/, written by scripts/export-onnx-fixtures.py):
 * reduced-width torchvision video architectures with PyTorch reference logits and input gradients,
 * and the shipped model's ONNX twin (scripts/export_shipped_onnx.py).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import { readNpy } from '../../synth/npy.ts';
import { MANIFEST_FILE, readManifest } from '../manifest.ts';

const { onnx } = onnxProto;

export const ONNX_FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const ONNX_FIXTURES = ['r3d_18', 'mc3_18', 'r2plus1d_18', 's3d', 'ops_zoo'] as const;
export type OnnxFixtureName = (typeof ONNX_FIXTURES)[number];
/** The shipped SynthActions model exported to ONNX by scripts/export_shipped_onnx.py. */
export const SHIPPED_ONNX_DIR = path.join(ONNX_FIXTURES_DIR, 'synth-r2plus1d');

export interface OnnxFixtureReference {
  clip: { shape: number[] };
  target: number;
  /** PyTorch logits in float64 (model and clip cast to double), [1, K]. */
  logits: number[][];
  /** The same in float32. */
  logitsFloat32: number[][];
  onnxOps: string[] | null;
  /** d logits[0, target] / d clip (float64 in PyTorch, stored as float32), NTHWC like the clip. */
  grad: Float32Array;
}

/**
 * The fixture clip: Knuth's multiplicative hash of the flat NTHWC index, top 24 of 32 bits, / 2^24
 * — the same numbers as `clip_value` in scripts/export-onnx-fixtures.py (exact in float32).
 */
export function fixtureClip(size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (Math.imul(i, 2654435761) >>> 8) / 2 ** 24;
  return out;
}

export function fixtureDir(name: OnnxFixtureName): string {
  return path.join(ONNX_FIXTURES_DIR, name);
}

export function readFixtureReference(name: OnnxFixtureName): OnnxFixtureReference {
  const dir = fixtureDir(name);
  const ref = JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Omit<OnnxFixtureReference, 'grad'> & { gradFile: string };
  const grad = readNpy(path.join(dir, ref.gradFile));
  if (grad.dtype !== 'float32') throw new Error(`${name}: ${ref.gradFile} is not float32`);
  return { ...ref, grad: grad.data };
}

/**
 * Writes into `dir` a model directory (model.onnx + fep-model.json with the right sha256) that is
 * the fixture `name` with its ModelProto edited: for tests of what the import refuses.
 */
export function writeEditedOnnxFixture(name: OnnxFixtureName, dir: string, edit: (m: InstanceType<typeof onnx.ModelProto>) => void): void {
  const src = fixtureDir(name);
  const m = onnx.ModelProto.decode(readFileSync(path.join(src, 'model.onnx')));
  edit(m);
  const bytes = onnx.ModelProto.encode(m).finish();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), bytes);
  const manifest = { ...readManifest(src), weightsSha256: createHash('sha256').update(bytes).digest('hex') };
  writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
}

/** Makes the first Relu an Einsum and the Gemm a com.microsoft FusedGemm (two unsupported operators). */
export function withUnsupportedOps(m: InstanceType<typeof onnx.ModelProto>): void {
  const nodes = m.graph!.node!;
  nodes.find((n) => n.opType === 'Relu')!.opType = 'Einsum';
  const gemm = nodes.find((n) => n.opType === 'Gemm')!;
  gemm.opType = 'FusedGemm';
  gemm.domain = 'com.microsoft';
}
