/**
 * Downloads of one explanation on a real API server, PostgreSQL, Redis and blob storage: the
 * saliency .npy (header, shape and every value against the stored volume), the overlay MP4
 * rendered by the engine's `fep overlay` (ffprobe: frame count, size; a second request streams the
 * cached blob), the PNG zip (every frame decodes to the model's size, frames.json gives each
 * frame's timestamp), annotations + comments as JSON (schema fep-feedback/1), another team's
 * member → 404 NOT_FOUND on every route, and the origin guard on them. Also Explanation.trust over
 * GraphQL: the shared rules applied to the stored prediction, video row and model manifest.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { ffprobePath } from '@fep/engine/video/ffmpeg.ts';
import { startTestApi, type TestApi, type TestClient } from '../testing/test-api.ts';
import { explanationDownloads, feedbackExportSchema } from './downloads.ts';

const T = 16;
const H = 112;
const W = 112;
const FPS = 8;

let api: TestApi;
let owner: { client: TestClient; userId: string };
let stranger: { client: TestClient; userId: string };
let explanationId: string;
let volume: Float32Array;
let tmp: string;
const timestamps = Array.from({ length: T }, (_, i) => i / FPS);

beforeAll(async () => {
  api = await startTestApi();
  owner = await api.signUp('Taker');
  stranger = await api.signUp('Stranger');
  const teamId = (await owner.client.ok<any>(`mutation { createTeam(input: { name: "Takeout" }) { id } }`)).createTeam.id;
  await stranger.client.ok(`mutation { createTeam(input: { name: "Elsewhere" }) { id } }`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-downloads-'));
  const clip = generateClip({ seed: 11 });
  const file = path.join(tmp, 'clip.mp4');
  await encodeMp4(clip.frames, [T, H, W, 3], file, { fps: FPS });
  const db = api.runtime.db;
  const storage = api.runtime.storage;
  const stored = await storage.putFile(file);
  const video = await db.video.create({
    data: { teamId, uploadedById: owner.userId, title: 'synth', filename: 'synth.mp4', sha256: stored.sha256, sizeBytes: BigInt(stored.size), status: 'READY', fps: FPS, frameCount: T, durationSec: T / FPS, width: W, height: H },
  });
  const model = await db.model.create({
    data: { teamId, name: 'tiny', version: '1', format: 'layers-model', manifest: {}, labels: ['a', 'b'], weightsSha256: 'c'.repeat(64) },
  });
  volume = new Float32Array(T * H * W);
  for (let i = 0; i < volume.length; i++) volume[i] = ((i * 2654435761) % 1000) / 1000;
  const npy = await storage.putBuffer(npyFloat32(volume, [T, H, W]));
  const e = await db.explanation.create({
    data: {
      teamId,
      videoId: video.id,
      modelId: model.id,
      requestedById: owner.userId,
      method: 'fep',
      params: {},
      status: 'DONE',
      progress: 1,
      windowStartSec: 0,
      saliencySha256: npy.sha256,
      saliencyShape: [T, H, W],
      prediction: { label: 'a', index: 0, probability: 0.97, top5: [{ probability: 0.97 }, { probability: 0.03 }] },
      provenance: { frameTimestamps: timestamps, windowStartSec: 0, clip: { startSec: 0, windowSec: T / FPS, frames: T, height: H, width: W, paddedFrames: 0 } },
      finishedAt: new Date(),
    },
  });
  explanationId = e.id;
  await db.annotation.create({ data: { teamId, explanationId, authorId: owner.userId, shape: 'RECTANGLE', geometry: { x: 0.1, y: 0.2, w: 0.3, h: 0.4 }, frameStart: 2, frameEnd: 5, label: 'ball' } });
  await db.comment.create({ data: { teamId, explanationId, authorId: owner.userId, body: 'Looks at the ball.', timeStartSec: 0.25, timeEndSec: 0.5 } });
});

afterAll(async () => {
  await api?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function npyFloat32(data: Float32Array, shape: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

async function get(client: TestClient, url: string, headers: Record<string, string> = {}) {
  return fetch(`${api.url}${url}`, { headers: { cookie: client.cookie!, ...headers } });
}

const urls = () => explanationDownloads(explanationId);

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Width, height and decoded RGB bytes of an 8-bit RGB PNG (filter type 0 rows only is not assumed: every filter is undone). */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).toString('latin1')).toBe('\x89PNG\r\n\x1a\n');
  expect(buf.subarray(12, 16).toString('latin1')).toBe('IHDR');
  // The image data must inflate to height rows of 1 + width × 3 bytes.
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let o = 8; o < buf.length; ) {
    const len = buf.readUInt32BE(o);
    const type = buf.subarray(o + 4, o + 8).toString('latin1');
    if (type === 'IDAT') idat.push(buf.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * 3));
  return { width, height };
}

describe('explanation downloads', () => {
  it('GraphQL lists the download URLs', async () => {
    const data = await owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { downloads { saliencyNpy overlayMp4 overlayPngZip feedbackJson } } }`, { id: explanationId });
    expect(data.explanation.downloads).toEqual(urls());
  });

  it('saliency .npy: float32 [T,H,W] header, every value as stored, saved as an attachment', async () => {
    const res = await get(owner.client, urls().saliencyNpy);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="saliency-/);
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const headerLen = buf.readUInt16LE(8);
    const header = buf.subarray(10, 10 + headerLen).toString('latin1');
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain("'fortran_order': False");
    expect(header).toContain(`'shape': (${T}, ${H}, ${W})`);
    const body = buf.subarray(10 + headerLen);
    expect(body.length).toBe(T * H * W * 4);
    const values = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    expect(values).toEqual(volume);
  });

  it('overlay MP4: H.264 with one frame per clip frame at the model size; the second request is the cached blob', async () => {
    const res = await get(owner.client, urls().overlayMp4);
    expect(res.status, await res.clone().text().catch(() => '')).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="overlay-.*\.mp4"$/);
    expect(res.headers.get('x-render-cache')).toBe('miss');
    const bytes = Buffer.from(await res.arrayBuffer());
    const file = path.join(tmp, 'overlay.mp4');
    writeFileSync(file, bytes);
    const probe = JSON.parse(
      execFileSync(ffprobePath(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' }),
    ).streams[0];
    expect(probe).toMatchObject({ codec_name: 'h264', width: W, height: H, nb_read_frames: String(T) });
    const again = await get(owner.client, urls().overlayMp4);
    expect(again.headers.get('x-render-cache')).toBe('hit');
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect(await api.runtime.db.renderedExport.count()).toBe(2);
  });

  it('overlay PNG zip: T frames of H×W and frames.json with the overlay geometry timestamps', async () => {
    const res = await get(owner.client, urls().overlayPngZip);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    const pngs = [...entries.keys()].filter((n) => n.endsWith('.png')).sort();
    expect(pngs).toEqual(Array.from({ length: T }, (_, i) => `frame_${String(i).padStart(3, '0')}.png`));
    for (const n of pngs) expect(pngSize(entries.get(n)!)).toEqual({ width: W, height: H });
    const index = JSON.parse(entries.get('frames.json')!.toString('utf8'));
    expect(index.frames.map((f: { timestampSec: number }) => f.timestampSec)).toEqual(timestamps);
  });

  it('annotations and comments as JSON matching fep-feedback/1, times from the overlay geometry', async () => {
    const res = await get(owner.client, urls().feedbackJson);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    const body = feedbackExportSchema.parse(await res.json());
    expect(body.explanationId).toBe(explanationId);
    expect(body.annotations).toHaveLength(1);
    expect(body.annotations[0]).toMatchObject({ label: 'ball', frameStart: 2, frameEnd: 5, timeStartSec: timestamps[2], timeEndSec: timestamps[5], author: { id: owner.userId, name: 'Taker' } });
    expect(body.comments).toHaveLength(1);
    expect(body.comments[0]).toMatchObject({ body: 'Looks at the ball.', timeStartSec: 0.25, timeEndSec: 0.5 });
  });

  it("another team's member gets 404 NOT_FOUND on every download, and nothing is rendered for them", async () => {
    for (const url of Object.values(urls())) {
      const res = await get(stranger.client, url);
      expect(res.status, url).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('NOT_FOUND');
    }
    const anonymous = await fetch(`${api.url}${urls().overlayMp4}`);
    expect(anonymous.status).toBe(401);
  });

  it('Explanation.trust: none on the synth row; resolution, fps, duration, pixel statistics and saturation on a 320×240 pattern', async () => {
    const q = `query($id: ID!) { explanation(id: $id) { trust { warnings { code message } } } }`;
    expect((await owner.client.ok<any>(q, { id: explanationId })).explanation.trust).toEqual({ warnings: [] });
    const db = api.runtime.db;
    const e = await db.explanation.findUniqueOrThrow({ where: { id: explanationId } });
    const video = await db.video.create({
      data: { teamId: e.teamId, uploadedById: owner.userId, title: 'pattern', filename: 'p.mp4', sha256: 'e'.repeat(64), sizeBytes: 1n, status: 'READY', fps: 25, frameCount: 100, durationSec: 4, width: 320, height: 240 },
    });
    const model = await db.model.create({
      data: {
        teamId: e.teamId, name: 'declared', version: '1', format: 'layers-model', labels: ['a', 'b', 'c', 'd'], weightsSha256: 'd'.repeat(64),
        manifest: {
          input: { mean: [0.4, 0.4, 0.4], std: [0.13, 0.13, 0.13] },
          trainingData: { shortSidePx: { min: 112, max: 112 }, aspectRatio: { min: 1, max: 1 }, fps: { min: 8, max: 8 }, durationSec: { min: 2, max: 2 } },
        },
      },
    });
    const row = await db.explanation.create({
      data: {
        teamId: e.teamId, videoId: video.id, modelId: model.id, requestedById: owner.userId, method: 'fep', params: {}, status: 'DONE', progress: 1,
        prediction: { label: 'd', index: 3, probability: 1, top5: [{ probability: 1 }] },
        provenance: { clip: { pixelStats: { mean: [0.45, 0.52, 0.52], std: [0.47, 0.49, 0.49] } } },
      },
    });
    const warnings = (await owner.client.ok<any>(q, { id: row.id })).explanation.trust.warnings;
    expect(warnings.map((w: { code: string }) => w.code)).toEqual([
      'RESOLUTION_UNLIKE_TRAINING', 'FPS_UNLIKE_TRAINING', 'DURATION_UNLIKE_TRAINING', 'PIXEL_STATS_UNLIKE_TRAINING', 'SATURATED_ON_UNFAMILIAR_INPUT',
    ]);
    expect(warnings[0].message).toContain('320×240');
    const queued = await db.explanation.create({ data: { teamId: e.teamId, videoId: video.id, modelId: model.id, requestedById: owner.userId, method: 'fep', params: {} } });
    expect((await owner.client.ok<any>(q, { id: queued.id })).explanation.trust).toBeNull();
    const other = await stranger.client.gql(q, { id: row.id });
    expect(other.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('the origin guard refuses cross-site fetches of the downloads with the session cookie', async () => {
    for (const url of Object.values(urls())) {
      const res = await get(owner.client, url, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'empty' });
      expect(res.status, url).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('FORBIDDEN');
    }
  });
});
