/**
 * Fault case (e): SIGTERM the web process during a tus upload → the upload resumes
 * on a new web process and completes; no half-written video row is ever visible.
 */
import { statSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { largeClip } from './support/clips.ts';
import { expectSettled, startFixture, type Fixture } from './support/fixture.ts';
import { HealthMonitor, report, sha256File } from './support/product.ts';
import { waitFor } from './support/services.ts';

let fx: Fixture;
beforeAll(async () => {
  // A 1 s drain: the slow upload below outlasts it, so SIGTERM really cuts it mid-way.
  fx = await startFixture({ extraEnv: { SHUTDOWN_GRACE_MS: '1000' } });
});
afterAll(async () => fx?.close());

const b64 = (v: string) => Buffer.from(v).toString('base64');

describe('web process restart during an upload', () => {
  it('(e) SIGTERM mid-upload: the upload resumes on a new web process and completes', async () => {
    const file = largeClip(fx.clipDir);
    const bytes = readFileSync(file);
    const auth = { cookie: fx.session.client.cookie! };
    const health = new HealthMonitor(() => fx.instance.url);
    const created = await fetch(`${fx.instance.url}/api/uploads`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': `teamId ${b64(fx.session.teamId)},filename ${b64('large.mp4')}`, ...auth },
    });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!, fx.instance.url).pathname;
    const uploadId = path.basename(location);
    const staged = path.join(fx.instance.storageDir, 'uploads', uploadId);

    // A slow PATCH: 32 KiB every 40 ms (~0.8 MB/s), the way a browser on a slow link sends.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= bytes.length) return controller.close();
        await new Promise((r) => setTimeout(r, 40));
        const chunk = bytes.subarray(sent, sent + 32768);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const patch = fetch(`${fx.instance.url}${location}`, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', ...auth },
      body,
      duplex: 'half',
    } as RequestInit).then((r) => r.status, (err: Error) => `error: ${err.message}`);

    await waitFor('part of the upload to reach the server', async () => existsSync(staged) && statSync(staged).size >= 256 * 1024, 30_000, 20);
    const api = fx.instance.processes.find((p) => p.name === 'api')!;
    health.pause();
    const termAt = Date.now();
    await fx.instance.kill(api, 'SIGTERM');
    const termExit = await api.exited;
    const firstPatch = await patch;
    const videosMidway = await fx.instance.query(`SELECT id FROM "Video"`);

    await fx.instance.startApi();
    const restartMs = Date.now() - termAt;
    health.resume();
    const head = await fetch(`${fx.instance.url}${location}`, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...auth } });
    expect(head.status, `HEAD after restart (first PATCH: ${firstPatch}, staged: ${existsSync(staged)})\n${fx.instance.logs()}`).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(bytes.length);
    const rest = await fetch(`${fx.instance.url}${location}`, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', ...auth },
      body: bytes.subarray(offset),
    });
    expect([200, 204]).toContain(rest.status);
    const videoId = rest.headers.get('x-video-id');

    const videos = await fx.instance.query(`SELECT id, status::text AS status, sha256, error FROM "Video"`);
    const h = await health.stop();
    report('e-web-sigterm-upload', {
      bytes: bytes.length, offsetAtRestart: offset, termExit, firstPatch, restartMs, videosMidway: videosMidway.length,
      videos: videos.length, healthMaxMs: h.maxMs, healthPolls: h.polls,
    });
    expect(videosMidway, 'no video row before the upload completed').toEqual([]);
    expect(videos).toHaveLength(1);
    expect(videos[0]).toMatchObject({ id: videoId, status: 'READY', sha256: sha256File(file) });
    expect(existsSync(path.join(fx.instance.storageDir, 'uploads')) ? readdirSync(path.join(fx.instance.storageDir, 'uploads')).filter((f) => f.startsWith(uploadId) && !f.endsWith('.json')) : []).toEqual([]);
    await expectSettled(fx.instance, h);
  });
});
