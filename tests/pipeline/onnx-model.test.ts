/**
 * ONNX models exported by torch.onnx.export run like any other model, end to end on the real
 * PostgreSQL and Redis: each committed torchvision fixture (reduced width, fixed random weights)
 * is uploaded — as a zip of fep-model.json + model.onnx, or as the upload page's form (a manifest
 * field without weightsSha256 + model.onnx) — then a tus video upload → requestExplanation (F-EP,
 * few iterations) → engine worker (compute thread) materialises the model from storage, imports
 * the ONNX graph, decodes the video at the model's input size and runs F-EP → row DONE, with a
 * saliency volume of the model's frames × height × width and the weights' sha256 in the provenance.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';
import { zipEntries } from '@fep/api/testing/model-fixtures.ts';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { initBackend } from '@fep/engine/backend.ts';
import { fixtureDir, type OnnxFixtureName } from '@fep/engine/model/onnx/fixtures.ts';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { disposeModelCache, startExplainWorker } from '@fep/engine/worker/explain-worker.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;
let worker: Worker;
let work: string;
let videoId: string;

/** Resolves with the row once the worker has finished the job (completed or failed). */
function finished(explanationId: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const check = async () => {
      const row = await api.runtime.db.explanation.findUniqueOrThrow({ where: { id: explanationId } });
      if (['DONE', 'FAILED', 'CANCELLED'].includes(row.status)) {
        worker.off('completed', check);
        worker.off('failed', check);
        resolve(row);
      }
    };
    worker.on('completed', check);
    worker.on('failed', check);
    check().catch(reject);
  });
}

async function uploadModel(form: FormData): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/api/models/upload?teamId=${teamId}`, { method: 'POST', headers: { cookie: owner.cookie! }, body: form });
  return { status: res.status, body: await res.json() };
}

const manifestOf = (name: OnnxFixtureName) => JSON.parse(readFileSync(path.join(fixtureDir(name), 'fep-model.json'), 'utf8'));
const onnxOf = (name: OnnxFixtureName) => readFileSync(path.join(fixtureDir(name), 'model.onnx'));

/** A zip holding exactly the two files of an ONNX model. */
async function zipForm(name: OnnxFixtureName): Promise<FormData> {
  const zip = await zipEntries([
    ['fep-model.json', readFileSync(path.join(fixtureDir(name), 'fep-model.json'))],
    ['model.onnx', onnxOf(name)],
  ]);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(zip)]), `${name}.zip`);
  return form;
}

/** What the upload page sends: the manifest as a field (no weightsSha256) + model.onnx. */
function pageForm(name: OnnxFixtureName): FormData {
  const { weightsSha256: _sha, ...manifest } = manifestOf(name);
  const form = new FormData();
  form.append('manifest', JSON.stringify(manifest));
  form.append('file', new Blob([new Uint8Array(onnxOf(name))]), 'model.onnx');
  return form;
}

beforeAll(async () => {
  api = await startTestApi();
  owner = (await api.signUp('Onnx uploader')).client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Onnx models" }) { id } }`)).createTeam.id;
  work = mkdtempSync(path.join(os.tmpdir(), 'fep-onnx-pipeline-'));
  const backend = await initBackend();
  worker = startExplainWorker(
    { db: api.runtime.db, storage: api.runtime.storage, redis: api.runtime.redis, backend, metricSteps: 4, modelCacheDir: path.join(work, 'model-cache') },
    { redisUrl: api.runtime.config.redisUrl, prefix: api.runtime.queue.opts.prefix },
  );
  // One 16-frame 64×64 clip for every model: the worker decodes it at each model's input size.
  const clip = generateClip({ seed: 3, classIndex: 1, frames: 16, height: 64, width: 64 });
  const file = path.join(work, 'clip.mp4');
  await encodeMp4(clip.frames, [16, 64, 64, 3], file, { fps: 8, quality: 'lossless' });
  videoId = await uploadVideoOverTus(api.url, owner, teamId, file, { filename: 'clip.mp4' });
});

afterAll(async () => {
  await worker?.close();
  await disposeModelCache();
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const cases: { fixture: OnnxFixtureName; via: 'zip' | 'page form' }[] = [
  { fixture: 'r2plus1d_18', via: 'zip' },
  { fixture: 's3d', via: 'page form' },
  { fixture: 'r3d_18', via: 'page form' },
  { fixture: 'mc3_18', via: 'zip' },
];

describe('explanations of uploaded ONNX models (torchvision architectures, reduced width)', () => {
  it.each(cases)('$fixture uploaded as a $via runs F-EP through the queue to DONE', async ({ fixture, via }) => {
    const manifest = manifestOf(fixture);
    const up = await uploadModel(via === 'zip' ? await zipForm(fixture) : pageForm(fixture));
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.model).toMatchObject({ name: manifest.name, format: 'onnx', weightsSha256: manifest.weightsSha256 });
    const modelId = up.body.model.id;

    const { requestExplanation } = await owner.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId, videoId, modelId, method: 'fep', windowStartSec: 0, iterations: 3, seed: 1 },
    });
    const row = await finished(requestExplanation.id);
    expect(row.error).toBeNull();
    expect(row.status).toBe('DONE');
    const { frames, height, width } = manifest.input;
    expect(row.saliencyShape).toEqual([frames, height, width]);
    expect(row.saliencySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.provenance.params).toMatchObject({ iterations: 3 });
    expect(row.provenance).toMatchObject({ modelId, modelName: manifest.name, modelVersion: manifest.version, weightsSha256: manifest.weightsSha256 });
    expect(manifest.labels).toContain(row.prediction.label);
  });
});
