/**
 * The whole data flow, end to end against the machine's real PostgreSQL and Redis:
 * tus upload → content-addressed storage → requestExplanation (row QUEUED + job carrying the id)
 * → engine worker (decodes with ffmpeg, runs F-EP on the shipped model) → row DONE with
 * saliency, metrics and provenance → progress over a graphql-ws subscription → media route.
 */
import { decodeMaskPreview } from '@fep/shared/progress';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinModel } from '@fep/api';
import { startTestApi, type TestApi, type TestClient } from '@fep/api/testing/test-api.ts';
import { initBackend } from '@fep/engine/backend.ts';
import { decodeNpy } from '@fep/engine/synth/npy.ts';
import { generateClip, SYNTH_ACTIONS_LABELS } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { disposeModelCache, startExplainWorker } from '@fep/engine/worker/explain-worker.ts';
import type { Worker } from 'bullmq';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';

let api: TestApi;
let owner: TestClient;
let teamId: string;
let modelId: string;
let worker: Worker;
let tensorsAtStart: number;

function uploadVideo(client: TestClient, file: string): Promise<string> {
  return uploadVideoOverTus(api.url, client, teamId, file, { filename: 'clip.mp4' });
}

beforeAll(async () => {
  api = await startTestApi();
  const model = await registerBuiltinModel(api.runtime.db);
  expect(model, 'the shipped model must be committed under apps/engine/models').not.toBeNull();
  modelId = model!.id;
  owner = (await api.signUp('Pipeline')).client;
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Pipeline" }) { id } }`)).createTeam.id;
  const backend = await initBackend();
  tensorsAtStart = tf.memory().numTensors;
  worker = startExplainWorker(
    // 16 causal-metric steps instead of 256 keep the test quick; the maths is the same.
    { db: api.runtime.db, storage: api.runtime.storage, redis: api.runtime.redis, backend, metricSteps: 16 },
    { redisUrl: api.runtime.config.redisUrl, prefix: api.runtime.queue.opts.prefix },
  );
});

afterAll(async () => {
  await worker?.close();
  await disposeModelCache();
  await api?.close();
});

const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

/**
 * Follows an explanation's progress over the graphql-ws subscription (no polling) until a final
 * status; returns every event. `onConnected` runs once the socket is acknowledged. A job that
 * finished before the subscription started is recognised from its row.
 */
async function followProgress(id: string, onConnected: () => Promise<void> = async () => {}): Promise<any[]> {
  const ws = createClient({
    url: api.url.replace('http', 'ws') + '/api/graphql',
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: owner.cookie! } });
      }
    },
  });
  const events: any[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('connected', () => void onConnected().catch(reject));
      ws.subscribe(
        { query: `subscription($id: ID!) { explanationProgress(id: $id) { status fraction iteration totalIterations energy preview { frames height width iteration data overlay { frameTimestamps modelWidth modelHeight crop { x y w h } } } } }`, variables: { id } },
        {
          next: (msg) => {
            if (msg.errors) return reject(new Error(JSON.stringify(msg.errors)));
            const ev = (msg.data as any).explanationProgress;
            events.push(ev);
            if (FINAL.includes(ev.status)) resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
      void api.runtime.db.explanation.findUnique({ where: { id } }).then((row) => {
        if (row && FINAL.includes(row.status)) {
          events.push({ status: row.status });
          resolve();
        }
      });
    });
    return events;
  } finally {
    await ws.dispose();
  }
}

async function waitForFinal(id: string): Promise<string> {
  return (await followProgress(id)).at(-1).status;
}

describe('explanation pipeline', () => {
  it('uploads a SynthActions clip, explains it with F-EP through the queue, and stores the result', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fep-pipeline-'));
    const clip = generateClip({ seed: 11, classIndex: 1 });
    const file = path.join(dir, 'clip.mp4');
    await encodeMp4(clip.frames, [16, 112, 112, 3], file, { fps: 8, quality: 'lossless' });
    const videoId = await uploadVideo(owner, file);

    // The worker is paused while we subscribe, so no progress event is missed.
    await worker.pause(true);
    const requested = await owner.ok<any>(
      `mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id status } }`,
      { i: { teamId, videoId, modelId, method: 'fep', iterations: 12, seed: 3, windowStartSec: 0 } },
    );
    const id = requested.requestExplanation.id as string;
    expect(requested.requestExplanation.status).toBe('QUEUED');

    const events = await followProgress(id, async () => worker.resume());
    const final = events.at(-1);
    expect(final.status).toBe('DONE');
    const iterations = events.filter((e) => e.iteration > 0).map((e) => e.iteration);
    expect(iterations.length).toBeGreaterThan(0);
    expect(Math.max(...iterations)).toBe(12);
    // The mask as it forms, pooled to ≤ 32 cells a side (112 → 28), the last one at iteration 12.
    const previews = events.filter((e) => e.preview).map((e) => e.preview);
    expect(previews.length).toBeGreaterThan(0);
    expect(previews.at(-1)).toMatchObject({ frames: 16, height: 28, width: 28, iteration: 12 });
    const mask = decodeMaskPreview(previews.at(-1));
    expect(mask.length).toBe(16 * 28 * 28);
    expect(Math.max(...mask)).toBeGreaterThan(Math.min(...mask));

    const { explanation } = await owner.ok<any>(
      `query($id: ID!) { explanation(id: $id) { status progress method saliencyShape saliencyUrl prediction metrics provenance timings video { sha256 } model { weightsSha256 } } }`,
      { id },
    );
    expect(explanation.status).toBe('DONE');
    expect(explanation.progress).toBe(1);
    expect(explanation.saliencyShape).toEqual([16, 112, 112]);
    // The preview is placed with the same geometry as the finished explanation.
    const { explanation: placed } = await owner.ok<any>(`query($id: ID!) { explanation(id: $id) { overlay { frameTimestamps modelWidth modelHeight crop { x y w h } } } }`, { id });
    expect(previews.at(-1).overlay).toEqual(placed.overlay);
    expect(explanation.provenance.videoSha256).toBe(explanation.video.sha256);
    expect(explanation.provenance.weightsSha256).toBe(explanation.model.weightsSha256);
    expect(explanation.provenance.seed).toBe(3);
    expect(explanation.provenance.backend).toBeTruthy();
    // Which class the model predicts is the engine suite's business (shipped-model accuracy test);
    // here the record must be complete and self-consistent.
    expect(SYNTH_ACTIONS_LABELS).toContain(explanation.prediction.label);
    expect(explanation.prediction.probability).toBeGreaterThan(0);
    expect(explanation.prediction.top5).toHaveLength(5);
    for (const key of ['insertionAuc', 'deletionAuc', 'temporalConsistency', 'spatialSmoothness']) {
      expect(typeof explanation.metrics[key], key).toBe('number');
    }

    const res = await fetch(new URL(explanation.saliencyUrl, api.url), { headers: { cookie: owner.cookie! } });
    expect(res.status).toBe(200);
    const npy = decodeNpy(Buffer.from(await res.arrayBuffer()));
    expect(npy.shape).toEqual([16, 112, 112]);
    expect(npy.dtype).toBe('float32');

    // The audit chain records the request and the engine's completion, and still verifies.
    const { auditEvents, verifyAuditChain } = await owner.ok<any>(
      `query($t: ID!) { auditEvents(teamId: $t, first: 100) { nodes { action subjectId } pageInfo { hasNextPage } } verifyAuditChain(teamId: $t) { ok } }`,
      { t: teamId },
    );
    expect(auditEvents.pageInfo.hasNextPage).toBe(false);
    const actions = auditEvents.nodes.filter((e: any) => e.subjectId === id).map((e: any) => e.action);
    expect(actions).toEqual(['explanation.requested', 'explanation.completed']);
    expect(verifyAuditChain.ok).toBe(true);

    // Another team cannot reach the result, not even the saliency file.
    const stranger = (await api.signUp('Stranger')).client;
    const denied = await fetch(new URL(explanation.saliencyUrl, api.url), { headers: { cookie: stranger.cookie! } });
    expect(denied.status).toBe(404);
  });

  it('re-delivering a finished job changes nothing (exactly one result)', async () => {
    const done = await api.runtime.db.explanation.findFirstOrThrow({ where: { status: 'DONE' } });
    const { processExplanation } = await import('@fep/engine/worker/explain-worker.ts');
    const { outcome } = await processExplanation({ db: api.runtime.db, storage: api.runtime.storage, redis: api.runtime.redis }, done.id);
    expect(outcome).toBe('skipped');
    const after = await api.runtime.db.explanation.findUniqueOrThrow({ where: { id: done.id } });
    expect(after.saliencySha256).toBe(done.saliencySha256);
    expect(after.finishedAt?.getTime()).toBe(done.finishedAt?.getTime());
  });

  it('reproduces an explanation from its provenance with identical results on the same backend', async () => {
    const original = await api.runtime.db.explanation.findFirstOrThrow({ where: { status: 'DONE', reproducesId: null } });
    const { reproduceExplanation } = await owner.ok<any>(`mutation($id: ID!) { reproduceExplanation(id: $id) { id status } }`, { id: original.id });
    const final = await waitForFinal(reproduceExplanation.id);
    expect(final).toBe('DONE');
    const { explanation } = await owner.ok<any>(`query($id: ID!) { explanation(id: $id) { reproducesId comparison provenance } }`, {
      id: reproduceExplanation.id,
    });
    expect(explanation.reproducesId).toBe(original.id);
    expect(explanation.comparison).toMatchObject({ identical: true, pearson: 1, maxAbsDiff: 0, topAreaIoU: 1, sameBackend: true });
    const repro = await api.runtime.db.explanation.findUniqueOrThrow({ where: { id: reproduceExplanation.id } });
    expect(repro.saliencySha256).toBe(original.saliencySha256);
  });

  it('detects a provenance row edited behind the database (trigger bypassed by a superuser)', async () => {
    const e = await api.runtime.db.explanation.findFirstOrThrow({ where: { status: 'DONE', reproducesId: null } });
    const VERIFY = `query($id: ID!) { verifyExplanationProvenance(id: $id) { ok matchesRow matchesAuditEvent auditChainOk detail } }`;
    expect((await owner.ok<any>(VERIFY, { id: e.id })).verifyExplanationProvenance.ok).toBe(true);
    // The trigger refuses a normal edit…
    await expect(api.runtime.database.sql.exec(`UPDATE "Explanation" SET provenance = '{}' WHERE id = '${e.id}'`)).rejects.toThrow(/immutable/);
    // …a superuser can bypass it, and verification names the problem.
    const pg = (await import('pg')).default;
    const { pgConfigFromUrl } = await import('@fep/db');
    const client = new pg.Client(pgConfigFromUrl(api.runtime.config.databaseUrl!));
    await client.connect();
    await client.query(`SET session_replication_role = replica`);
    await client.query(`UPDATE "Explanation" SET provenance = jsonb_set(provenance, '{seed}', '4') WHERE id = $1`, [e.id]);
    await client.end();
    const { verifyExplanationProvenance: v } = await owner.ok<any>(VERIFY, { id: e.id });
    expect(v).toMatchObject({ ok: false, matchesRow: false, matchesAuditEvent: false, auditChainOk: true });
    expect(v.detail).toMatch(/Tampering detected/);
  });

  it('generates an audit report whose manifest verifies, and a changed byte fails', async () => {
    const { generateAuditReport: report } = await owner.ok<any>(
      `mutation($t: ID!, $m: ID!) { generateAuditReport(teamId: $t, modelId: $m) { id manifestSha256 files { name sha256 url } } }`,
      { t: teamId, m: modelId },
    );
    const names = report.files.map((f: any) => f.name).sort();
    expect(names).toEqual(['manifest.json', 'report.html', 'report.json', 'report.pdf']);
    const files: Record<string, Buffer> = {};
    for (const f of report.files) {
      const res = await fetch(new URL(f.url, api.url), { headers: { cookie: owner.cookie! } });
      expect(res.status).toBe(200);
      files[f.name] = Buffer.from(await res.arrayBuffer());
    }
    const { verifyBundle } = await import('@fep/api/governance/report-render.ts');
    const manifest = JSON.parse(files['manifest.json']!.toString());
    expect(verifyBundle(manifest, files)).toEqual({ ok: true, problems: [] });
    expect(files['report.pdf']!.subarray(0, 5).toString()).toBe('%PDF-');
    const data = JSON.parse(files['report.json']!.toString());
    expect(data.provenance.length).toBeGreaterThanOrEqual(2);
    // The tampered explanation of the previous test is flagged in the report.
    expect(data.provenance.some((p: any) => p.provenanceVerified === false)).toBe(true);
    const tampered = Buffer.from(files['report.html']!);
    tampered[100] = tampered[100]! ^ 1;
    expect(verifyBundle(manifest, { ...files, 'report.html': tampered }).ok).toBe(false);
  });

  it('leaks no tensors across explanations', () => {
    // The model cache holds the model's weights; dispose it and compare with the count before it loaded.
    return disposeModelCache().then(() => expect(tf.memory().numTensors).toBe(tensorsAtStart));
  });
});
