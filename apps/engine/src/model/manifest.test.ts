import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import { fileSystemLoader, fileSystemSaver } from './fs-io.ts';
import { loadModel } from './load-model.ts';
import { computeWeightsSha256, MANIFEST_FILE, ModelFormatError, parseManifest, readManifest, type FepModelManifest } from './manifest.ts';
import { buildR2Plus1D } from './r2plus1d.ts';

// A tiny model of the same family as the shipped one: 4 frames of 16×16, 3 classes.
const SPEC = { frames: 4, height: 16, width: 16, channels: 3, layout: 'NTHWC' as const, valueRange: [0, 1] as [number, number], mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.5] };
let root: string;
let good: string;
let manifest: FepModelManifest;

function copyModel(name: string, edit?: (m: FepModelManifest) => unknown): string {
  const dir = path.join(root, name);
  cpSync(good, dir, { recursive: true });
  if (edit) writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(edit(structuredClone(manifest))));
  return dir;
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelFormatError);
  expect((err as ModelFormatError).code).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

beforeAll(async () => {
  await initBackend('wasm');
  root = mkdtempSync(path.join(tmpdir(), 'fep-manifest-test-'));
  good = path.join(root, 'good');
  const model = buildR2Plus1D({ frames: 4, height: 16, width: 16, classes: 3, widths: [2, 3, 4], seed: 5 });
  await model.save(fileSystemSaver(good));
  model.dispose();
  manifest = {
    name: 'tiny',
    version: '0.0.1',
    format: 'layers-model',
    input: SPEC,
    labels: ['a', 'b', 'c'],
    weightsSha256: computeWeightsSha256(good),
  };
  writeFileSync(path.join(good, MANIFEST_FILE), JSON.stringify(manifest));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  expect(existsSync(root)).toBe(false);
});

describe('parseManifest', () => {
  it('accepts a valid manifest and round-trips it', () => {
    expect(readManifest(good)).toEqual(manifest);
  });

  const bad: [string, (m: FepModelManifest) => unknown, RegExp][] = [
    ['missing labels', (m) => ({ ...m, labels: undefined }), /labels/],
    ['unknown format', (m) => ({ ...m, format: 'saved-model' }), /format/],
    ['bad layout', (m) => ({ ...m, input: { ...m.input, layout: 'NHWC' } }), /input\.layout/],
    ['mean of wrong length', (m) => ({ ...m, input: { ...m.input, mean: [0.5] } }), /input\.mean.*3 entries/],
    ['zero std', (m) => ({ ...m, input: { ...m.input, std: [0.2, 0, 0.5] } }), /input\.std/],
    ['reversed value range', (m) => ({ ...m, input: { ...m.input, valueRange: [1, 0] } }), /valueRange/],
    ['non-integer frames', (m) => ({ ...m, input: { ...m.input, frames: 3.5 } }), /input\.frames/],
    ['short hash', (m) => ({ ...m, weightsSha256: 'abc' }), /weightsSha256/],
  ];
  for (const [what, edit, msg] of bad) {
    it(`rejects ${what} with MANIFEST_INVALID`, () => {
      let err: unknown = null;
      try {
        parseManifest(edit(structuredClone(manifest)));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as ModelFormatError).code).toBe('MANIFEST_INVALID');
      expect((err as Error).message).toMatch(msg);
    });
  }
});

describe('loadModel', () => {
  it('loads a valid model and applies mean/std itself', async () => {
    const clf = await loadModel(good);
    expect(clf.labels).toEqual(['a', 'b', 'c']);
    expect(clf.weightsSha256).toBe(manifest.weightsSha256);
    const clip = tf.randomUniform([2, 4, 16, 16, 3], 0, 1, 'float32', 9) as tf.Tensor5D;
    const logits = clf.logits(clip);
    expect(logits.shape).toEqual([2, 3]);
    // Same numbers as running the raw network on (x − mean) / std.
    const raw = await tf.loadLayersModel(fileSystemLoader(good));
    const expected = raw.predict(tf.div(tf.sub(clip, tf.tensor1d(SPEC.mean)), tf.tensor1d(SPEC.std))) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(logits, expected))).dataSync()[0]).toBeLessThan(1e-4);
    // Differentiable with respect to the clip.
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(clf.logits(x as tf.Tensor5D), [0, 1], [2, 1])))(clip);
    expect(g.shape).toEqual(clip.shape);
    expect(tf.sum(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    expect(() => clf.logits(tf.zeros([1, 5, 16, 16, 3]) as tf.Tensor5D)).toThrow(ModelFormatError);
    raw.dispose();
    clf.dispose();
  });

  it('reports a missing manifest, model.json or weight shard as MISSING_FILE', async () => {
    const noManifest = copyModel('no-manifest');
    unlinkSync(path.join(noManifest, MANIFEST_FILE));
    await expectCode(loadModel(noManifest), 'MISSING_FILE', /fep-model\.json/);
    const noTopology = copyModel('no-topology');
    unlinkSync(path.join(noTopology, 'model.json'));
    await expectCode(loadModel(noTopology), 'MISSING_FILE', /model\.json/);
    const noWeights = copyModel('no-weights');
    unlinkSync(path.join(noWeights, 'weights.bin'));
    await expectCode(loadModel(noWeights), 'MISSING_FILE', /weights\.bin/);
  });

  it('reports unparsable JSON as MANIFEST_INVALID', async () => {
    const dir = copyModel('bad-json');
    writeFileSync(path.join(dir, MANIFEST_FILE), '{ "name": ');
    await expectCode(loadModel(dir), 'MANIFEST_INVALID', /not valid JSON/);
  });

  it('reports changed weights as WEIGHTS_HASH_MISMATCH', async () => {
    const dir = copyModel('tampered');
    const file = path.join(dir, 'weights.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(file, bytes);
    await expectCode(loadModel(dir), 'WEIGHTS_HASH_MISMATCH', /hash to [0-9a-f]{64}/);
  });

  it('reports a label count that does not match the output units as SHAPE_MISMATCH', async () => {
    const dir = copyModel('four-labels', (m) => ({ ...m, labels: ['a', 'b', 'c', 'd'] }));
    await expectCode(loadModel(dir), 'SHAPE_MISMATCH', /output/);
  });

  it('reports input dimensions that do not match the network as SHAPE_MISMATCH', async () => {
    const dir = copyModel('eight-frames', (m) => ({ ...m, input: { ...m.input, frames: 8 } }));
    await expectCode(loadModel(dir), 'SHAPE_MISMATCH', /input/);
    const nc = copyModel('ncthw', (m) => ({ ...m, input: { ...m.input, layout: 'NCTHW' } }));
    await expectCode(loadModel(nc), 'SHAPE_MISMATCH', /input/);
  });

  it('reports a format that disagrees with model.json as MANIFEST_INVALID', async () => {
    const dir = copyModel('graph-claim', (m) => ({ ...m, format: 'graph-model' }));
    await expectCode(loadModel(dir), 'MANIFEST_INVALID', /format/);
  });
});

describe('error details for people (used by the model upload API)', () => {
  it('lists every failing manifest field', () => {
    let err: ModelFormatError | null = null;
    try {
      parseManifest({ ...manifest, version: '', labels: ['only-one'], input: { ...manifest.input, std: [0.2, 0, 0.5] } });
    } catch (e) {
      err = e as ModelFormatError;
    }
    expect(err?.code).toBe('MANIFEST_INVALID');
    expect(err?.details.issues?.map((i) => i.field).sort()).toEqual(['input.std.1', 'labels', 'version']);
  });

  it('refuses a model card path outside the directory', () => {
    expect(() => parseManifest({ ...manifest, modelCard: '../../etc/passwd' })).toThrow(/modelCard/);
  });

  it('names the missing weight shard and the two hashes of a mismatch', async () => {
    const noWeights = copyModel('no-weights-details');
    unlinkSync(path.join(noWeights, 'weights.bin'));
    const missing = await loadModel(noWeights).catch((e: ModelFormatError) => e);
    expect((missing as ModelFormatError).details).toMatchObject({ file: 'weights.bin', problem: 'missing' });
    const wrong = copyModel('wrong-sha', (m) => ({ ...m, weightsSha256: '0'.repeat(64) }));
    const mismatch = await loadModel(wrong).catch((e: ModelFormatError) => e);
    expect((mismatch as ModelFormatError).details).toEqual({ expectedSha256: '0'.repeat(64), actualSha256: manifest.weightsSha256 });
  });

  it('refuses weight paths that leave the model directory, before reading them', async () => {
    const dir = copyModel('escaping-shard');
    const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    modelJson.weightsManifest[0].paths = ['../good/weights.bin'];
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    const err = (await loadModel(dir).catch((e: ModelFormatError) => e)) as ModelFormatError;
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.details.problem).toBe('unsafe-path');
  });

  it('says how many output units the network has against the number of labels', async () => {
    const dir = copyModel('two-labels', (m) => ({ ...m, labels: ['a', 'b'] }));
    const err = (await loadModel(dir).catch((e: ModelFormatError) => e)) as ModelFormatError;
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toMatch(/3 output units but fep-model\.json lists 2 labels/);
    expect(err.details).toMatchObject({ check: 'output', outputUnits: 3, labels: 2 });
  });

  it('reports a layer class TF.js does not know as UNSUPPORTED_LAYER, naming it', async () => {
    const dir = copyModel('python-layer');
    const modelJson = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    const layers = modelJson.modelTopology.config.layers as { class_name: string }[];
    layers[layers.length - 1]!.class_name = 'MyPythonOnlyLayer';
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    const err = (await loadModel(dir).catch((e: ModelFormatError) => e)) as ModelFormatError;
    expect(err.code).toBe('UNSUPPORTED_LAYER');
    expect(err.details.layerClasses).toEqual(['MyPythonOnlyLayer']);
  });
});
