/**
 * An uploaded model runs like the built-in one, end to end on the real PostgreSQL and Redis:
 * the shipped model's files (read now, whatever checkpoint is committed) re-packaged under a new
 * name/version → POST /api/models/upload (zip) → tus video upload → requestExplanation → engine
 * worker materialises the model from blob storage into its cache (named by the weights hash),
 * verifies it, runs F-EP → row DONE with the uploaded model in the provenance. A cached copy
 * changed on disk is detected by the hash check and rebuilt from storage.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';
import { repackageShippedModel, zipDirectory } from '@fep/api/testing/model-fixtures.ts';
import { initBackend } from '@fep/engine/backend.ts';
import { BUILTIN_MODEL_DIR } from '@fep/engine/model/load-model.ts';
import { computeWeightsSha256 } from '@fep/engine/model/manifest.ts';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { disposeModelCache, startExplainWorker } from '@fep/engine/worker/explain-worker.ts';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;
let worker: Worker;
let work: string;
let cacheDir: string;
let modelId: string;
let videoId: string;
let shippedSha: string;

function uploadVideo(client: TestClient, file: string): Promise<string> {
  return uploadVideoOverTus(api.url, client, teamId, file, { filename: 'clip.mp4' });
}

/** Resolves with the row once the worker has finished the job (completed or failed). */
function finished(explanationId: string): Promise<{ status: string; error: string | null; provenance: any }> {
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

async function explain(method: string, extra: Record<string, unknown> = {}) {
  const { requestExplanation } = await owner.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
    i: { teamId, videoId, modelId, method, windowStartSec: 0, ...extra },
  });
  return finished(requestExplanation.id);
}

beforeAll(async () => {
  api = await startTestApi();
  owner = (await api.signUp('Uploader')).client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Uploads" }) { id } }`)).createTeam.id;
  work = mkdtempSync(path.join(os.tmpdir(), 'fep-uploaded-model-'));
  cacheDir = path.join(work, 'model-cache');
  shippedSha = computeWeightsSha256(BUILTIN_MODEL_DIR);
  const backend = await initBackend();
  worker = startExplainWorker(
    { db: api.runtime.db, storage: api.runtime.storage, redis: api.runtime.redis, backend, metricSteps: 8, modelCacheDir: cacheDir },
    { redisUrl: api.runtime.config.redisUrl, prefix: api.runtime.queue.opts.prefix },
  );
});

afterAll(async () => {
  await worker?.close();
  await disposeModelCache();
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('explanations with an uploaded model', () => {
  it('uploads the re-packaged shipped model as a zip', async () => {
    const dir = path.join(work, 'model');
    repackageShippedModel(dir, 'synth-uploaded', 'test-1');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await zipDirectory(dir, 'synth-uploaded'))]), 'synth-uploaded.zip');
    const res = await fetch(`${api.url}/api/models/upload?teamId=${teamId}`, { method: 'POST', headers: { cookie: owner.cookie! }, body: form });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.model).toMatchObject({ name: 'synth-uploaded', version: 'test-1', weightsSha256: shippedSha });
    modelId = body.model.id;

    const clip = generateClip({ seed: 5, classIndex: 2 });
    const file = path.join(work, 'clip.mp4');
    await encodeMp4(clip.frames, [16, 112, 112, 3], file, { fps: 8, quality: 'lossless' });
    videoId = await uploadVideo(owner, file);
  });

  it('runs F-EP through the queue with the uploaded model, loaded from storage into the cache', async () => {
    const row = await explain('fep', { iterations: 6, seed: 1 });
    expect(row.error).toBeNull();
    expect(row.status).toBe('DONE');
    expect(row.provenance).toMatchObject({ modelId, modelName: 'synth-uploaded', modelVersion: 'test-1', weightsSha256: shippedSha });

    const cached = readdirSync(cacheDir).filter((d) => !d.startsWith('.'));
    expect(cached).toHaveLength(1);
    expect(cached[0]!.startsWith(`${shippedSha}-`)).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(cacheDir, cached[0]!, 'fep-model.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'synth-uploaded', version: 'test-1' });
  });

  it('rebuilds a cached copy whose weights were changed on disk, and still completes', async () => {
    await disposeModelCache();
    const [dir] = readdirSync(cacheDir).filter((d) => !d.startsWith('.'));
    const weights = path.join(cacheDir, dir!, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(weights, bytes);

    const row = await explain('gradient');
    expect(row.error).toBeNull();
    expect(row.status).toBe('DONE');
    expect(computeWeightsSha256(path.join(cacheDir, dir!))).toBe(shippedSha);
    expect(existsSync(path.join(cacheDir, dir!, '.complete'))).toBe(true);
  });
});
