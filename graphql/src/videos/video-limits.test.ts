/**
 * Hostile files: a 64×64 300 fps file with 177 000 frames and a 4K clip
 * become FAILED videos with a readable reason at upload, and never a job.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { uploadVideoOverTus } from '../testing/tus-upload.ts';

let api: TestApi;
let owner: { client: TestClient; userId: string };
let teamId: string;
let modelId: string;
let dir: string;

const ff = (...args: string[]) => execFileSync(ffmpeg.path, ['-v', 'error', '-y', ...args]);

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Hostile');
  teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Hostile files" }) { id } }`)).createTeam.id;
  modelId = (
    await api.runtime.db.model.create({
      data: { teamId, name: 'm', version: '1', format: 'layers-model', manifest: {}, labels: ['a'], weightsSha256: 'd'.repeat(64) },
    })
  ).id;
  dir = mkdtempSync(path.join(os.tmpdir(), 'fep-hostile-'));
  // One second at 300 fps, looped without re-encoding: 177 000 frames over 590 s in well under a second.
  ff('-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=300', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path.join(dir, 'one.mp4'));
  ff('-stream_loop', '589', '-i', path.join(dir, 'one.mp4'), '-c', 'copy', path.join(dir, 'hfr.mp4'));
  ff('-f', 'lavfi', '-i', 'testsrc=size=3840x2160:rate=8', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path.join(dir, '4k.mp4'));
  ff('-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=10', '-t', '2', '-pix_fmt', 'yuv420p', path.join(dir, 'ok.mp4'));
});
afterAll(async () => {
  await api?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function upload(file: string) {
  const id = await uploadVideoOverTus(api.url, owner.client, teamId, path.join(dir, file));
  return api.runtime.db.video.findUniqueOrThrow({ where: { id } });
}

describe('video limits at upload', () => {
  it('a 64×64 300 fps file with 177 000 frames is a FAILED video with the reason', async () => {
    const video = await upload('hfr.mp4');
    expect(video.status).toBe('FAILED');
    expect(video.error).toBe('The video runs at 300 frames per second; the highest accepted is 120.');
  });

  it('the frame count alone is refused too (frame rate within its limit)', async () => {
    const saved = api.runtime.config.limits;
    api.runtime.config.limits = { ...saved, maxVideoFps: 1000 };
    try {
      const video = await upload('hfr.mp4');
      expect(video.status).toBe('FAILED');
      expect(video.error).toBe('The video has 177000 frames; the most accepted is 18000.');
    } finally {
      api.runtime.config.limits = saved;
    }
  });

  it('a 4K clip is a FAILED video with the reason', async () => {
    const video = await upload('4k.mp4');
    expect(video.status).toBe('FAILED');
    expect(video.error).toBe('The video is 3840×2160; the largest accepted size is 1920×1080 (either orientation).');
  });

  it('an ordinary clip is READY, and a refused file never becomes a job', async () => {
    expect((await upload('ok.mp4')).status).toBe('READY');
    const refused = await upload('4k.mp4');
    const jobs = await api.runtime.queue.count();
    const res = await owner.client.gql(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId, videoId: refused.id, modelId, method: 'random' },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await api.runtime.db.explanation.count({ where: { videoId: refused.id } })).toBe(0);
    expect(await api.runtime.queue.count()).toBe(jobs);
  });
});
