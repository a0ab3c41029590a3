import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let teamId: string;
let clip: Buffer;

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

async function createUpload(client: TestClient | null, size: number, meta: Record<string, string>) {
  return fetch(`${api.url}/api/uploads`, {
    method: 'POST',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(size),
      'Upload-Metadata': metadata(meta),
      ...(client?.cookie ? { cookie: client.cookie } : {}),
    },
  });
}

async function patch(client: TestClient, location: string, offset: number, chunk: Buffer) {
  return fetch(new URL(location, api.url), {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      ...(client.cookie ? { cookie: client.cookie } : {}),
    },
    body: chunk,
  });
}

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Uploader');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Uploads" }) { id } }`)).createTeam.id;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fep-upload-'));
  const file = path.join(dir, 'clip.mp4');
  execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', file]);
  clip = readFileSync(file);
});
afterAll(async () => {
  await api?.close();
});

describe('resumable uploads (tus)', () => {
  it('an upload interrupted half-way resumes from the server offset and becomes a probed video', async () => {
    const created = await createUpload(owner.client, clip.length, { teamId, filename: 'clip.mp4', filetype: 'video/mp4' });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    const half = Math.floor(clip.length / 2);
    expect((await patch(owner.client, location, 0, clip.subarray(0, half))).status).toBe(204);

    // The "network cut": the client asks the server how much arrived, then sends the rest.
    const head = await fetch(new URL(location, api.url), { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', cookie: owner.client.cookie! } });
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(half);
    const done = await patch(owner.client, location, offset, clip.subarray(offset));
    expect(done.status).toBe(200);
    const videoId = done.headers.get('x-video-id')!;
    const { video } = await owner.client.ok<any>(`query($id: ID!) { video(id: $id) { status fps frameCount width height sizeBytes sha256 } }`, { id: videoId });
    expect(video).toMatchObject({ status: 'READY', width: 96, height: 64, sizeBytes: clip.length });
    expect(video.fps).toBeCloseTo(10);
    expect(video.frameCount).toBe(20);
    // The staging file is gone; the object lives in content-addressed storage.
    expect(readdirSync(path.join(api.runtime.config.storageDir, 'uploads')).filter((f) => !f.startsWith('.'))).toEqual([]);
    expect(await api.runtime.storage.has(video.sha256)).toBe(true);
  });

  it('a file that is not a video is refused at creation (415)', async () => {
    const res = await createUpload(owner.client, 10, { teamId, filename: 'notes.txt', filetype: 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('a file over the size limit is refused (413) before any byte is stored', async () => {
    const res = await createUpload(owner.client, 3 * 1024 ** 3, { teamId, filename: 'huge.mp4', filetype: 'video/mp4' });
    expect(res.status).toBe(413);
  });

  it('a .mp4 that is not decodable is kept as FAILED with a readable reason', async () => {
    const bytes = Buffer.from('this is definitely not an mp4 file');
    const created = await createUpload(owner.client, bytes.length, { teamId, filename: 'fake.mp4', filetype: 'video/mp4' });
    const done = await patch(owner.client, created.headers.get('location')!, 0, bytes);
    expect(done.status).toBe(200);
    const { video } = await owner.client.ok<any>(`query($id: ID!) { video(id: $id) { status error } }`, { id: done.headers.get('x-video-id') });
    expect(video.status).toBe('FAILED');
    expect(video.error).toBeTruthy();
  });

  it('anonymous callers, outsiders and other users cannot upload or continue an upload', async () => {
    expect((await createUpload(null, 10, { teamId, filename: 'a.mp4' })).status).toBe(401);
    const outsider = await api.signUp('Outsider');
    expect((await createUpload(outsider.client, 10, { teamId, filename: 'a.mp4' })).status).toBe(403);
    const created = await createUpload(owner.client, clip.length, { teamId, filename: 'clip.mp4' });
    const res = await patch(outsider.client, created.headers.get('location')!, 0, clip.subarray(0, 100));
    expect(res.status).toBe(404);
  });
});
