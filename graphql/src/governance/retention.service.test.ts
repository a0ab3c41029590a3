import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retentionPolicyFromEnv, runRetention } from './retention.service.ts';
import { startTestApi, type TestApi } from '../testing/test-api.ts';

let api: TestApi;
let teamId: string;
let userId: string;

beforeAll(async () => {
  api = await startTestApi();
  const owner = await api.signUp('Keeper');
  userId = owner.userId;
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Retention" }) { id } }`)).createTeam.id;
});
afterAll(async () => {
  await api?.close();
});

const DAY = 86_400_000;

describe('retention', () => {
  it('reads the policy from the environment and refuses nonsense', () => {
    expect(retentionPolicyFromEnv({})).toEqual({ videoDays: null, saliencyDays: null });
    expect(retentionPolicyFromEnv({ RETENTION_VIDEO_DAYS: '365', RETENTION_SALIENCY_DAYS: '90' })).toEqual({ videoDays: 365, saliencyDays: 90 });
    expect(() => retentionPolicyFromEnv({ RETENTION_VIDEO_DAYS: '0' })).toThrow(/≥ 1/);
  });

  it('removes old blobs, keeps rows, hashes, provenance, shared blobs and the audit log', async () => {
    const db = api.runtime.db;
    const now = new Date();
    const old = new Date(now.getTime() - 400 * DAY);
    const oldBlob = await api.runtime.storage.putBuffer(Buffer.from('old video'));
    const sharedBlob = await api.runtime.storage.putBuffer(Buffer.from('shared video'));
    const mk = (sha256: string, createdAt: Date) =>
      db.video.create({ data: { teamId, uploadedById: userId, title: 't', filename: 'f.mp4', sha256, sizeBytes: 1n, status: 'READY', createdAt } });
    const oldVideo = await mk(oldBlob.sha256, old);
    const oldShared = await mk(sharedBlob.sha256, old);
    await mk(sharedBlob.sha256, now); // same bytes uploaded again recently: the blob must stay
    const model = await db.model.create({ data: { teamId, name: 'm', version: '1', format: 'x', manifest: {}, labels: [], weightsSha256: 'a'.repeat(64) } });
    const sal = await api.runtime.storage.putBuffer(Buffer.from('saliency'));
    const explanation = await db.explanation.create({
      data: {
        teamId, videoId: oldVideo.id, modelId: model.id, requestedById: userId, method: 'fep', params: {}, status: 'DONE',
        saliencySha256: sal.sha256, provenance: { seed: 1 }, provenanceSha256: 'p', finishedAt: old,
      },
    });
    const eventsBefore = await db.auditEvent.count({ where: { chain: teamId } });

    const result = await runRetention(db, api.runtime.storage, { videoDays: 365, saliencyDays: 180 }, now);
    expect(result).toEqual({ videosExpired: 2, videoBlobsDeleted: 1, saliencyExpired: 1, saliencyBlobsDeleted: 1, renderedBlobsDeleted: 0 });
    expect(await api.runtime.storage.has(oldBlob.sha256)).toBe(false);
    expect(await api.runtime.storage.has(sharedBlob.sha256)).toBe(true);
    expect(await api.runtime.storage.has(sal.sha256)).toBe(false);

    const keptVideo = await db.video.findUniqueOrThrow({ where: { id: oldVideo.id } });
    expect(keptVideo.sha256).toBe(oldBlob.sha256);
    expect(keptVideo.blobDeletedAt).not.toBeNull();
    expect((await db.video.findUniqueOrThrow({ where: { id: oldShared.id } })).blobDeletedAt).not.toBeNull();
    const keptExplanation = await db.explanation.findUniqueOrThrow({ where: { id: explanation.id } });
    expect(keptExplanation.provenance).toEqual({ seed: 1 });
    expect(keptExplanation.saliencySha256).toBe(sal.sha256);

    // The audit log only grew: one retention event, nothing removed, chain intact.
    expect(await db.auditEvent.count({ where: { chain: teamId } })).toBe(eventsBefore + 1);
    const { verifyChain } = await import('@fep/db');
    expect((await verifyChain(db, teamId)).ok).toBe(true);

    // A second run finds nothing new.
    expect(await runRetention(db, api.runtime.storage, { videoDays: 365, saliencyDays: 180 }, now)).toEqual({
      videosExpired: 0, videoBlobsDeleted: 0, saliencyExpired: 0, saliencyBlobsDeleted: 0, renderedBlobsDeleted: 0,
    });
  });

  it('removes rendered overlay downloads with the video or saliency blob they show', async () => {
    const db = api.runtime.db;
    const storage = api.runtime.storage;
    const now = new Date();
    const old = new Date(now.getTime() - 400 * DAY);
    const video = await storage.putBuffer(Buffer.from('video shown in an overlay'));
    const saliency = await storage.putBuffer(Buffer.from('a recent volume'));
    await db.video.create({ data: { teamId, uploadedById: userId, title: 'o', filename: 'o.mp4', sha256: video.sha256, sizeBytes: 1n, status: 'READY', createdAt: old } });
    const mp4 = await storage.putBuffer(Buffer.from('rendered overlay mp4'));
    const zip = await storage.putBuffer(Buffer.from('rendered overlay zip'));
    const other = await storage.putBuffer(Buffer.from('overlay of a kept video'));
    for (const [key, blob, videoSha256] of [['k-mp4', mp4, video.sha256], ['k-zip', zip, video.sha256], ['k-other', other, 'f'.repeat(64)]] as const) {
      await db.renderedExport.create({ data: { key, kind: 'overlay.mp4', sha256: blob.sha256, sizeBytes: 1n, videoSha256, saliencySha256: saliency.sha256 } });
    }
    const result = await runRetention(db, storage, { videoDays: 365, saliencyDays: null }, now);
    expect(result).toMatchObject({ videosExpired: 1, videoBlobsDeleted: 1, renderedBlobsDeleted: 2 });
    expect(await storage.has(mp4.sha256)).toBe(false);
    expect(await storage.has(zip.sha256)).toBe(false);
    expect(await storage.has(other.sha256)).toBe(true);
    expect((await db.renderedExport.findMany({ select: { key: true } })).map((r) => r.key)).toEqual(['k-other']);
  });
});
