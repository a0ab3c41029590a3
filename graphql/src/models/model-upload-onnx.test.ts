/**
 * Uploading an ONNX model (fep-model.json with format "onnx" + model.onnx) through the real API:
 * it is validated by the engine's loader (so unsupported operators are refused at upload, with
 * each node named), stored, and the stored files load again the way the worker loads them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '@fep/engine/model/load-model.ts';
import { materialiseModel, readModelIndex } from '@fep/engine/model/model-store.ts';
import { fixtureClip, fixtureDir, withUnsupportedOps, writeEditedOnnxFixture, type OnnxFixtureName } from '@fep/engine/model/onnx/fixtures.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { directoryEntries, zipDirectory } from '../testing/model-fixtures.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;
let root: string;

async function upload(files: [string, Buffer | string][], manifest?: string): Promise<{ status: number; body: any }> {
  const form = new FormData();
  if (manifest !== undefined) form.append('manifest', manifest);
  for (const [name, data] of files) form.append('file', new Blob([Buffer.isBuffer(data) ? new Uint8Array(data) : data]), name);
  const res = await fetch(`${api.url}/api/models/upload?teamId=${encodeURIComponent(teamId)}`, { method: 'POST', headers: { cookie: owner.cookie! }, body: form });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  api = await startTestApi();
  root = mkdtempSync(path.join(os.tmpdir(), 'fep-onnx-upload-'));
  owner = (await api.signUp('Owner')).client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Onnx" }) { id } }`)).createTeam.id;
});

afterAll(async () => {
  await api?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('model upload: ONNX', () => {
  it('registers a zip with fep-model.json and model.onnx; the stored files load as the worker loads them', async () => {
    const res = await upload([['r2plus1d.zip', await zipDirectory(fixtureDir('r2plus1d_18'), 'r2plus1d')]]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.model).toMatchObject({ name: 'r2plus1d_18-small-onnx-fixture', format: 'onnx', teamId });
    // The fixture's references are not part of the model.
    expect(res.body.ignored.sort()).toEqual(['grad.npy', 'reference.json']);

    const row = await api.runtime.db.model.findUniqueOrThrow({ where: { id: res.body.model.id } });
    const index = await readModelIndex(api.runtime.storage, row.archiveSha256!);
    expect(index.files.map((f) => f.path).sort()).toEqual(['fep-model.json', 'model.onnx']);
    const dir = await materialiseModel(api.runtime.storage, row.archiveSha256!, row.weightsSha256, path.join(root, 'cache'));
    const model = await loadModel(dir);
    const s = model.input;
    const logits = tf.tidy(() => model.logits(tf.tensor5d(fixtureClip(s.frames * s.height * s.width * 3), [1, s.frames, s.height, s.width, 3])).arraySync());
    model.dispose();
    expect(logits[0]).toHaveLength(10);
  });

  it('refuses unsupported operators at upload, naming each operator and node, and keeps nothing', async () => {
    const dir = path.join(root, 'unsupported');
    writeEditedOnnxFixture('r3d_18', dir, withUnsupportedOps);
    const before = await api.runtime.db.model.count();
    const res = await upload(directoryEntries(dir));
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('UNSUPPORTED_OPERATOR');
    expect(res.body.error.message).toContain('Einsum, com.microsoft.FusedGemm');
    expect(res.body.error.problems).toEqual(['unsupported operator Einsum in node /stem/stem.2/Relu', 'unsupported operator com.microsoft.FusedGemm in node /fc/Gemm']);
    expect(await api.runtime.db.model.count()).toBe(before);
  });

  it('refuses an ONNX manifest whose model.onnx is missing', async () => {
    const res = await upload(directoryEntries(fixtureDir('mc3_18')).filter(([p]) => p === 'fep-model.json'));
    expect(res.status).toBe(400);
    expect(res.body.error.reason).toBe('MODEL_JSON_INVALID');
    expect(res.body.error.message).toContain('model.onnx');
  });

  describe('the form: a manifest field + model.onnx (what the upload page sends)', () => {
    const fixtureManifest = (name: OnnxFixtureName) => JSON.parse(readFileSync(path.join(fixtureDir(name), 'fep-model.json'), 'utf8'));
    const onnx = (name: OnnxFixtureName) => readFileSync(path.join(fixtureDir(name), 'model.onnx'));

    it('registers it, filling in weightsSha256 from the .onnx it received', async () => {
      const { weightsSha256, ...manifest } = fixtureManifest('mc3_18');
      const res = await upload([['model.onnx', onnx('mc3_18')]], JSON.stringify({ ...manifest, version: 'form-1' }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.model).toMatchObject({ name: 'mc3_18-small-onnx-fixture', version: 'form-1', format: 'onnx', weightsSha256 });
      expect(res.body.ignored).toEqual([]);
      const row = await api.runtime.db.model.findUniqueOrThrow({ where: { id: res.body.model.id } });
      const index = await readModelIndex(api.runtime.storage, row.archiveSha256!);
      expect(index.files.map((f) => f.path).sort()).toEqual(['fep-model.json', 'model.onnx']);
      expect((row.manifest as any).weightsSha256).toBe(weightsSha256);
      const audit = await api.runtime.db.auditEvent.findFirstOrThrow({ where: { subjectId: row.id, action: 'model.uploaded' } });
      expect((audit.payload as any).source).toBe('form');
    });

    it('keeps a weightsSha256 the form states, and refuses it when the .onnx does not match', async () => {
      const manifest = { ...fixtureManifest('mc3_18'), version: 'form-2', weightsSha256: '0'.repeat(64) };
      const res = await upload([['model.onnx', onnx('mc3_18')]], JSON.stringify(manifest));
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe('WEIGHTS_HASH_MISMATCH');
    });

    it('refuses invalid manifest fields with one problem per field, by the same manifest code as a zip', async () => {
      const { weightsSha256: _sha, ...manifest } = fixtureManifest('mc3_18');
      const bad = { ...manifest, version: '', input: { ...manifest.input, layout: 'NCHW', std: [0.2, 0, 0.2] } };
      const res = await upload([['model.onnx', onnx('mc3_18')]], JSON.stringify(bad));
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe('MANIFEST_INVALID');
      const fields = res.body.error.problems.map((p: string) => p.split(':')[0]).sort();
      expect(fields).toEqual(['input.layout', 'input.std.1', 'version']);
    });

    it('refuses a manifest field that is not JSON, and one sent next to a fep-model.json file', async () => {
      const notJson = await upload([['model.onnx', onnx('mc3_18')]], '{ "name": ');
      expect(notJson.status).toBe(400);
      expect(notJson.body.error.reason).toBe('MANIFEST_NOT_JSON');
      const both = await upload(
        [
          ['model.onnx', onnx('mc3_18')],
          ['fep-model.json', JSON.stringify(fixtureManifest('mc3_18'))],
        ],
        JSON.stringify(fixtureManifest('mc3_18')),
      );
      expect(both.status).toBe(400);
      expect(both.body.error.reason).toBe('MANIFEST_INVALID');
    });

    it('reports an operator it cannot run with its node, as for a zip', async () => {
      const dir = path.join(root, 'unsupported-form');
      writeEditedOnnxFixture('r3d_18', dir, withUnsupportedOps);
      const { weightsSha256: _sha, ...manifest } = JSON.parse(readFileSync(path.join(dir, 'fep-model.json'), 'utf8'));
      const res = await upload([['model.onnx', readFileSync(path.join(dir, 'model.onnx'))]], JSON.stringify({ ...manifest, version: 'form-3' }));
      expect(res.status).toBe(400);
      expect(res.body.error.reason).toBe('UNSUPPORTED_OPERATOR');
      expect(res.body.error.problems).toEqual(['unsupported operator Einsum in node /stem/stem.2/Relu', 'unsupported operator com.microsoft.FusedGemm in node /fc/Gemm']);
    });
  });
});
