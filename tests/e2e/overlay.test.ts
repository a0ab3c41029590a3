/// <reference lib="dom" />
/**
 * One explanation, four pages, one heat map. The explanation is of
 * a 4:3 video (320×240, 25 fps) whose automatic window starts at 0.8 s (provenance.frameTimestamps
 * every 0.08 s, as the engine decodes at stride 2; the row's requested windowStartSec is null) for
 * a square 56×56 model input, so the model saw the centre 240×240 of each frame. On the viewer,
 * compare, a live review and a study item the test seeks the page's video to the same media times
 * and reads the heat canvas's pixels: the clip frame painted, the bounding box of the painted
 * pixels (alpha > 0) and a fingerprint of them must be the same on every page, nothing may be painted
 * outside the explained window (in the review: nothing before 0.8 s), the box must sit in the model's
 * crop, and the canvas must cover exactly the video's content box (the rater's 16:9 stage pillarboxes
 * the 4:3 video). Screenshots land in test-artifacts/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { createStorage } from '@fep/shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, npyFloat32, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
const VIDEO = { width: 320, height: 240, fps: 25, seconds: 3 };
/** The model's input (and the saliency volume's H×W). */
const MODEL = 56;
const T = 16;
/** The automatic window: 16 frames decoded every 0.08 s from 0.8 s. */
const TIMESTAMPS = Array.from({ length: T }, (_, i) => Math.round((0.8 + i * 0.08) * 1e6) / 1e6);
/** The centre crop of a 320×240 frame for a square model, in frame pixels. */
const CROP_PX = { x: 40, y: 0, w: 240, h: 240 };
/** Per clip frame i, the volume is 1 on model columns [8 + 2i, 24 + 2i) × rows [20, 36), else 0. */
const box = (i: number) => ({ x0: 8 + 2 * i, x1: 24 + 2 * i, y0: 20, y1: 36 });
/**
 * Media times probed, chosen so the presented video frame (pts on a 0.04 s grid) is never equidistant
 * from two clip timestamps. Expected clip frame: null outside the window [0.76, 2.04].
 */
const PROBES: { t: number; frame: number | null }[] = [
  { t: 0.21, frame: null },
  { t: 0.49, frame: null },
  { t: 0.69, frame: null },
  { t: 0.81, frame: 0 },
  { t: 1.05, frame: 3 },
  { t: 1.45, frame: 8 },
  { t: 2.01, frame: 15 },
  { t: 2.33, frame: null },
  { t: 2.65, frame: null },
];

let server: WebServer;
let world: StudyWorld;
let ownerBrowser: TestBrowser;
let raterBrowser: TestBrowser;
let explanationId: string;
let otherId: string;
let reviewId: string;
let studyId: string;

function volume(offset: number): Float32Array {
  const v = new Float32Array(T * MODEL * MODEL);
  for (let i = 0; i < T; i++) {
    const b = box(i);
    for (let y = b.y0 + offset; y < b.y1 + offset; y++) for (let x = b.x0; x < b.x1; x++) v[(i * MODEL + y) * MODEL + x] = 1;
  }
  return v;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startWebServer();
  world = await createStudyWorld(server);
  const storage = createStorage(path.join(server.dataDir, 'storage'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-overlay-e2e-'));
  try {
    const file = path.join(tmp, 'four-three.mp4');
    execFileSync(ffmpeg.path, [
      '-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${VIDEO.width}x${VIDEO.height}:rate=${VIDEO.fps}`, '-t', String(VIDEO.seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file,
    ]);
    const stored = await storage.putBuffer(readFileSync(file));
    const prisma = world.db.prisma;
    const video = await prisma.video.create({
      data: {
        teamId: world.teamId,
        uploadedById: world.owner.userId,
        title: 'four-three',
        filename: 'four-three.mp4',
        sha256: stored.sha256,
        sizeBytes: BigInt(stored.size),
        status: 'READY',
        fps: VIDEO.fps,
        frameCount: VIDEO.fps * VIDEO.seconds,
        durationSec: VIDEO.seconds,
        width: VIDEO.width,
        height: VIDEO.height,
      },
    });
    const model = await prisma.model.create({
      data: { teamId: world.teamId, name: 'square-56', version: '1', format: 'layers-model', manifest: {}, labels: ['walk', 'run'], weightsSha256: 'b'.repeat(64) },
    });
    const make = async (method: string, offset: number) => {
      const npy = await storage.putBuffer(npyFloat32(volume(offset), [T, MODEL, MODEL]));
      const e = await prisma.explanation.create({
        data: {
          teamId: world.teamId,
          videoId: video.id,
          modelId: model.id,
          requestedById: world.owner.userId,
          method,
          params: {},
          status: 'DONE',
          progress: 1,
          // Automatic window: nothing was requested; the engine chose 0.8 s and recorded what it decoded.
          windowStartSec: null,
          saliencySha256: npy.sha256,
          saliencyShape: [T, MODEL, MODEL],
          provenance: {
            seed: 1,
            frameTimestamps: TIMESTAMPS,
            windowStartSec: 0.8,
            windowSelection: 'auto',
            clip: { startSec: 0.8, windowSec: 1.28, frames: T, height: MODEL, width: MODEL, paddedFrames: 0, sourceFrameIndices: TIMESTAMPS.map((t) => Math.round(t * VIDEO.fps)) },
          },
          finishedAt: new Date(),
        },
      });
      return e.id;
    };
    explanationId = await make('fep', 0);
    otherId = await make('ep', 12);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const review = await world.owner.client.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
    i: { teamId: world.teamId, title: 'Overlay check', explanationIds: [explanationId] },
  });
  reviewId = review.startReviewSession.id;
  const study = await world.owner.client.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: { teamId: world.teamId, name: 'Overlay check', design: 'LIKERT', likertPoints: 5, blinded: true, seed: 3, overlap: 1, raterIds: [world.rater.userId], explanationIds: [explanationId] },
  });
  studyId = study.createStudy.id;
  await world.owner.client.ok(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id: studyId });
  ownerBrowser = await launchBrowser({ baseURL: server.url });
  raterBrowser = await launchBrowser({ baseURL: server.url });
  await signInBrowser(ownerBrowser.context, server.url, world.owner);
  await signInBrowser(raterBrowser.context, server.url, world.rater);
});

afterAll(async () => {
  await ownerBrowser?.close();
  await raterBrowser?.close();
  await world?.close();
  await server?.close();
});

interface Probe {
  frame: string;
  /** Bounding box of the painted pixels in canvas (= source frame) pixels; null when nothing is painted. */
  bbox: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Fingerprint of every pixel of the heat canvas. */
  hash: number;
  canvas: { width: number; height: number };
}

interface Surface {
  name: string;
  page: Page;
  video: string;
  canvas: string;
}

/** Seeks the page's video to `t` and reads what the heat canvas shows once it has painted for that time. */
async function probe(s: Surface, t: number): Promise<Probe> {
  await s.page.bringToFront();
  await s.page.evaluate(
    ({ video, t }) => {
      const v = document.querySelector<HTMLVideoElement>(video)!;
      v.pause();
      v.currentTime = t;
    },
    { video: s.video, t },
  );
  await s.page.waitForFunction(
    ({ video, canvas, t }) => {
      const v = document.querySelector<HTMLVideoElement>(video)!;
      const c = document.querySelector<HTMLCanvasElement>(canvas)!;
      return !v.seeking && v.readyState >= 2 && c.dataset.ready === 'true' && Math.abs(Number(c.dataset.time) - t) < 0.035;
    },
    { video: s.video, canvas: s.canvas, t },
  );
  return s.page.evaluate((canvas) => {
    const c = document.querySelector<HTMLCanvasElement>(canvas)!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -1;
    let y1 = -1;
    let hash = 0;
    for (let i = 0; i < d.length; i++) hash = (hash * 31 + d[i]!) >>> 0;
    for (let y = 0; y < c.height; y++)
      for (let x = 0; x < c.width; x++)
        if (d[(y * c.width + x) * 4 + 3]! > 0) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x + 1);
          y1 = Math.max(y1, y + 1);
        }
    return { frame: c.dataset.frame ?? '', bbox: x1 < 0 ? null : { x0, y0, x1, y1 }, hash, canvas: { width: c.width, height: c.height } };
  }, s.canvas);
}

/**
 * The heat canvas's box on screen against the video's content box: the stage (the overlay's
 * positioned parent) fitted with object-fit: contain to the video's intrinsic size, and, where the
 * page shows the <video> itself, that element filling the stage.
 */
async function placement(s: Surface) {
  return s.page.evaluate(
    ({ video, canvas, visible }) => {
      const c = document.querySelector<HTMLCanvasElement>(canvas)!;
      const v = document.querySelector<HTMLVideoElement>(video)!;
      const stage = c.parentElement!.parentElement!.parentElement!;
      const st = stage.getBoundingClientRect();
      const scale = Math.min(st.width / v.videoWidth, st.height / v.videoHeight);
      const w = v.videoWidth * scale;
      const h = v.videoHeight * scale;
      const want = { x: st.x + (st.width - w) / 2, y: st.y + (st.height - h) / 2, w, h };
      const r = c.getBoundingClientRect();
      const vr = v.getBoundingClientRect();
      const crop = c.parentElement!.querySelector<HTMLElement>('[data-testid="overlay-crop"]')?.getBoundingClientRect() ?? null;
      return {
        stage: { w: st.width, h: st.height },
        want,
        got: { x: r.x, y: r.y, w: r.width, h: r.height },
        videoFillsStage: visible ? Math.abs(vr.x - st.x) < 1 && Math.abs(vr.y - st.y) < 1 && Math.abs(vr.width - st.width) < 1 && Math.abs(vr.height - st.height) < 1 : null,
        crop: crop ? { x: (crop.x - r.x) / r.width, y: (crop.y - r.y) / r.height, w: crop.width / r.width, h: crop.height / r.height } : null,
      };
    },
    { video: s.video, canvas: s.canvas, visible: s.name === 'viewer' || s.name === 'review' },
  );
}

describe('one explanation, the same heat map on every page', () => {
  it('viewer, compare, live review and study item paint the same pixels, in the model crop, on the same frames', async () => {
    // newPage() hands out the context's blank page first: navigate each page before opening the next.
    const open = async (b: TestBrowser, url: string) => {
      const p = await b.newPage();
      p.setDefaultTimeout(30_000);
      await p.goto(url);
      return p;
    };
    const viewer = await open(ownerBrowser, `/explanations/${explanationId}`);(`/explanations/${explanationId}`);
    // The viewer opens at the start of the explained window: let that first seek land before probing.
    await viewer.getByTestId('frame-indicator').filter({ hasText: 'frame 1/16' }).waitFor();
    // The explanation under test in the second pane, which mirrors the first pane's clock video.
    const compare = await open(ownerBrowser, `/compare?ids=${otherId},${explanationId}`);
    await compare.getByTestId('compare-frame').filter({ hasText: 'frame 1/16' }).waitFor();
    const review = await open(ownerBrowser, `/review/${reviewId}`);
    await review.locator('[data-testid="review-session"][data-host="true"]').waitFor();
    const rater = await open(raterBrowser, `/studies/${studyId}/rate`);
    await rater.getByTestId('rater-item').waitFor();

    const surfaces: Surface[] = [
      { name: 'viewer', page: viewer, video: '[data-testid="viewer-video"]', canvas: '[data-testid="saliency-canvas"]' },
      { name: 'compare', page: compare, video: '[data-testid="compare-grid"] video', canvas: '[data-testid="compare-pane"]:nth-child(2) [data-testid="compare-canvas"]' },
      { name: 'review', page: review, video: '[data-testid="review-video"]', canvas: '[data-testid="review-overlay"]' },
      { name: 'study', page: rater, video: '[data-testid="rater-video"]', canvas: '[data-testid="rater-canvas"]' },
    ];
    for (const s of surfaces) {
      await s.page.bringToFront();
      await s.page
        .waitForFunction((sel) => (document.querySelector<HTMLVideoElement>(sel)?.readyState ?? 0) >= 2, s.video)
        .catch(async (e: unknown) => {
          const state = await s.page.evaluate((sel) => {
            const v = document.querySelector<HTMLVideoElement>(sel);
            return v ? { readyState: v.readyState, networkState: v.networkState, src: v.currentSrc, error: v.error?.message ?? null } : 'no video';
          }, s.video);
          const text = (await s.page.locator('body').innerText()).slice(0, 1500);
          throw new Error(`${s.name}: the video did not load: ${JSON.stringify(state)} (${String(e)}) ${s.page.url()} ${text} ${ownerBrowser.errors().join(' | ')} ${raterBrowser.errors().join(' | ')}`);
        });
    }

    // Space: each canvas covers exactly the video's content box, and the crop outline marks the model's crop.
    for (const s of surfaces) {
      const p = await placement(s);
      for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(p.got[k] - p.want[k]), `${s.name} canvas ${k}: ${JSON.stringify(p)}`).toBeLessThan(1);
      if (p.videoFillsStage !== null) expect(p.videoFillsStage, `${s.name}: the <video> fills its stage`).toBe(true);
      expect(p.crop, `${s.name} crop outline`).not.toBeNull();
      expect(p.crop!.x).toBeCloseTo(CROP_PX.x / VIDEO.width, 2);
      expect(p.crop!.w).toBeCloseTo(CROP_PX.w / VIDEO.width, 2);
      expect(p.crop!.h).toBeCloseTo(1, 2);
      if (s.name === 'study') expect(p.want.w, 'the 4:3 video is pillarboxed in the 16:9 rater stage').toBeLessThan(p.stage.w - 10);
    }

    // Time and pixels: the same media times on every page.
    const seen: Record<string, Probe[]> = {};
    for (const { t, frame } of PROBES) {
      const row: Probe[] = [];
      for (const s of surfaces) {
        const got = await probe(s, t);
        (seen[s.name] ??= []).push(got);
        row.push(got);
        expect(got.canvas, `${s.name} at ${t} s: canvas pixels are the source frame's`).toEqual({ width: VIDEO.width, height: VIDEO.height });
        expect(got.frame, `${s.name} at ${t} s`).toBe(frame === null ? '' : String(frame));
        if (frame === null) {
          expect(got.bbox, `${s.name} paints nothing at ${t} s (outside the window)`).toBeNull();
        } else {
          // The painted box is the volume's box placed in the model's crop (± a few pixels of smoothing),
          // not stretched over the whole frame.
          const b = box(frame);
          const k = CROP_PX.w / MODEL;
          const want = { x0: CROP_PX.x + b.x0 * k, x1: CROP_PX.x + b.x1 * k, y0: CROP_PX.y + b.y0 * k, y1: CROP_PX.y + b.y1 * k };
          expect(got.bbox, `${s.name} at ${t} s`).not.toBeNull();
          for (const key of ['x0', 'x1', 'y0', 'y1'] as const) expect(Math.abs(got.bbox![key] - want[key]), `${s.name} at ${t} s ${key}: ${JSON.stringify(got.bbox)} vs ${JSON.stringify(want)}`).toBeLessThanOrEqual(4);
        }
      }
      // Every page shows exactly the same picture at this time.
      for (const got of row.slice(1)) {
        expect(got.frame).toBe(row[0]!.frame);
        expect(got.bbox).toEqual(row[0]!.bbox);
        expect(got.hash).toBe(row[0]!.hash);
      }
      if (t === 1.05) for (const s of surfaces) await s.page.screenshot({ path: path.join(ARTIFACTS, `overlay-${s.name}.png`), fullPage: true });
    }
    // The live review shows nothing before the automatic window starts (it used to show 0–0.64 s).
    expect(seen.review!.filter((p, i) => PROBES[i]!.t < 0.8).every((p) => p.bbox === null && p.frame === '')).toBe(true);
    const framesShown = (name: string) => seen[name]!.map((p, i) => (p.bbox ? PROBES[i]!.t : null)).filter((x) => x !== null);
    for (const s of surfaces) expect(framesShown(s.name), s.name).toEqual([0.81, 1.05, 1.45, 2.01]);
    console.log(`overlay: ${PROBES.length} media times × ${surfaces.length} pages agree; painted at ${framesShown('viewer').join(', ')} s`);

    expect(ownerBrowser.errors()).toEqual([]);
    expect(raterBrowser.errors()).toEqual([]);
  });
});
