import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend.ts';
import { getMethod } from '../../methods/index.ts';
import type { VideoClassifier } from '../../methods/types.ts';
import { loadModel } from '../load-model.ts';
import { ModelFormatError, readManifest } from '../manifest.ts';
import { fixtureClip, fixtureDir, ONNX_FIXTURES, readFixtureReference, withUnsupportedOps, writeEditedOnnxFixture, type OnnxFixtureName } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** max |a − b| / max |b|: the error relative to the reference's largest magnitude. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0, mag = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return err / mag;
}

describe.each(ONNX_FIXTURES)('ONNX import of torchvision %s (reduced width) against PyTorch', (name: OnnxFixtureName) => {
  const ref = readFixtureReference(name);
  let model: VideoClassifier;
  beforeAll(async () => {
    model = await loadModel(fixtureDir(name));
  });
  afterAll(() => model?.dispose());

  it('gives PyTorch’s logits (1e-4 relative) and input gradients (1e-3 relative)', () => {
    const shape = ref.clip.shape as [number, number, number, number, number];
    const clip = tf.tensor5d(fixtureClip(shape.reduce((a, b) => a * b, 1)), shape);
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => model.logits(clip).dataSync());
    const grad = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.slice(model.logits(x as tf.Tensor5D), [0, ref.target], [1, 1]).sum())(clip).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    clip.dispose();
    const logitErr = relError(logits, ref.logits[0]!);
    const gradErr = relError(grad, ref.grad);
    console.log(`${name}: ops ${ref.onnxOps?.join(',')}; worst logit error ${logitErr.toExponential(2)}, worst input-gradient error ${gradErr.toExponential(2)} (relative to the largest reference magnitude)`);
    expect(logitErr).toBeLessThan(1e-4);
    expect(gradErr).toBeLessThan(1e-3);
  });
});

describe('ONNX import: batches and explanation methods', () => {
  let model: VideoClassifier;
  beforeAll(async () => {
    model = await loadModel(fixtureDir('r2plus1d_18'));
  });
  afterAll(() => model?.dispose());

  it('gives each clip of a batch the logits it has alone', () => {
    const s = model.input;
    const size = s.frames * s.height * s.width * 3;
    const data = fixtureClip(2 * size);
    const [both, a, b] = tf.tidy(() => [
      model.logits(tf.tensor5d(data, [2, s.frames, s.height, s.width, 3])).arraySync(),
      model.logits(tf.tensor5d(data.subarray(0, size), [1, s.frames, s.height, s.width, 3])).arraySync(),
      model.logits(tf.tensor5d(data.subarray(size), [1, s.frames, s.height, s.width, 3])).arraySync(),
    ]);
    expect(relError(both[0]!, a[0]!)).toBeLessThan(1e-6);
    expect(relError(both[1]!, b[0]!)).toBeLessThan(1e-6);
  });

  it.each(['fep', 'ep'])('%s runs on the imported model without leaking tensors', async (method) => {
    const s = model.input;
    const clip = tf.tensor4d(fixtureClip(s.frames * s.height * s.width * 3), [s.frames, s.height, s.width, 3]);
    const before = tf.memory().numTensors;
    const res = await getMethod(method).explain({ clip, model, target: 3 }, { iterations: 4 });
    expect(tf.memory().numTensors).toBe(before);
    clip.dispose();
    expect(res.shape).toEqual([s.frames, s.height, s.width]);
    expect(res.iterations).toBe(4);
    expect(res.saliency.every((v) => Number.isFinite(v))).toBe(true);
  });
});

describe('ONNX import refuses what it cannot run', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** A copy of the r3d_18 fixture with its ModelProto edited, and the manifest's sha256 updated. */
  function editedFixture(edit: Parameters<typeof writeEditedOnnxFixture>[2]): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fep-onnx-'));
    dirs.push(dir);
    writeEditedOnnxFixture('r3d_18', dir, edit);
    return dir;
  }

  async function refusal(dir: string): Promise<ModelFormatError> {
    const err = await loadModel(dir).then(
      (m) => {
        m.dispose();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelFormatError);
    return err as ModelFormatError;
  }

  it('lists every unsupported operator with its node in one error', async () => {
    const dir = editedFixture(withUnsupportedOps);
    const err = await refusal(dir);
    expect(err.code).toBe('UNSUPPORTED_OPERATOR');
    expect(err.details.operators).toEqual([
      { opType: 'Einsum', node: '/stem/stem.2/Relu' },
      { opType: 'FusedGemm', node: '/fc/Gemm', domain: 'com.microsoft' },
    ]);
    expect(err.message).toContain('Einsum (node /stem/stem.2/Relu)');
    expect(err.message).toContain('com.microsoft.FusedGemm (node /fc/Gemm)');
  });

  it('refuses an opset outside 13–18', async () => {
    const dir = editedFixture((m) => {
      m.opsetImport![0]!.version = 11;
    });
    const err = await refusal(dir);
    expect(err.code).toBe('UNSUPPORTED_OPSET');
    expect(err.details.opset).toBe(11);
  });

  it('refuses a .onnx whose sha256 is not the manifest’s, and bytes that are not ONNX', async () => {
    const dir = editedFixture(() => {});
    writeFileSync(path.join(dir, 'fep-model.json'), JSON.stringify({ ...readManifest(dir), weightsSha256: '0'.repeat(64) }));
    expect((await refusal(dir)).code).toBe('WEIGHTS_HASH_MISMATCH');
    const junk = Buffer.from('this is not a protobuf at all \xff\xff\xff');
    writeFileSync(path.join(dir, 'model.onnx'), junk);
    writeFileSync(path.join(dir, 'fep-model.json'), JSON.stringify({ ...readManifest(dir), weightsSha256: createHash('sha256').update(junk).digest('hex') }));
    const err = await refusal(dir);
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.details.problem).toBe('not-loadable');
  });

  it('refuses labels that do not match the output units', async () => {
    const dir = editedFixture(() => {});
    writeFileSync(path.join(dir, 'fep-model.json'), JSON.stringify({ ...readManifest(dir), labels: ['a', 'b', 'c'] }));
    const err = await refusal(dir);
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.details).toMatchObject({ check: 'output', outputUnits: 10, labels: 3 });
  });
});
