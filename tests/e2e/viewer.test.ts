/// <reference lib="dom" />
/**
 * The explanation viewer's readability and take-out features in Chromium, on explanations the
 * in-process engine computes for real: a SynthActions clip (`fep synth`, the built-in model's own
 * kind of input) and an ffmpeg `testsrc` pattern (320×240, 25 fps, 4 s: nothing like it).
 *
 * - progress: a running explanation's row names the engine's stage, "Computing metrics" included;
 * - one time per frame: the frame indicator, the timeline's axis and the comment pin read the
 *   overlay geometry's timestamp of the frame shown, on frame 1 and after a step;
 * - the timeline's curve spans most of its plot height, with the lowest and highest means labelled;
 * - the heat map's low end is transparent: the share of tinted pixels matches the share of voxels
 *   above 15 % of the volume's range, not the whole frame;
 * - downloads: each button saves a file (the .npy's header and shape, the MP4's frames by ffprobe,
 *   the zip's PNGs, the feedback JSON);
 * - the trust notice shows for the test pattern and not for the synth clip.
 * Screenshots land in test-artifacts/e2e/viewer-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import type { Page } from 'playwright-core';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { feedbackExportSchema } from '@fep/api/explanations/downloads.ts';
import { ffprobePath } from '@fep/engine/video/ffmpeg.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { signUpWithTeam, synthClipFile } from '../support/people.ts';
import { signInBrowser, type Person } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
/** Iterations of the test pattern's F-EP (the synth clip gets the form's defaults). */
const ITERATIONS = 40;

let server: WebServer;
let browser: TestBrowser;
let page: Page;
let owner: Person;
let teamId: string;
let tmp: string;
const ids: { synthVideo?: string; testsrcVideo?: string; synthFep?: string; testsrcFep?: string } = {};

const poll = <T>(fn: () => Promise<T>, timeout = 60_000) => expect.poll(fn, { timeout, interval: 200 });
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `viewer-${name}.png`), fullPage: true });

/** Polls (every 200 ms, like expect.poll) until `fn` returns `want`; usable outside a test. */
async function until<T>(fn: () => Promise<T>, want: T, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`still ${String(last)} after ${timeoutMs} ms (waiting for ${String(want)})`);
}

async function waitReady(videoId: string) {
  await until(async () => (await owner.client.ok<any>(`query($id: ID!) { video(id: $id) { status } }`, { id: videoId })).video.status, 'READY', 60_000);
}

async function waitDone(id: string) {
  await poll(async () => (await owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { status error } }`, { id })).explanation.status, 300_000).toBe('DONE');
}

async function overlayTimestamps(id: string): Promise<number[]> {
  return (await owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { overlay { frameTimestamps } } }`, { id })).explanation.overlay.frameTimestamps;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // 48 insertion/deletion steps: a metrics stage long enough to be seen on the page.
  server = await startWebServer({ env: { ENGINE_METRIC_STEPS: '48' } });
  ({ owner, teamId } = await signUpWithTeam(server.url, 'Vera Viewer', 'viewer', 'Viewer Lab'));
  const client = owner.client;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-viewer-e2e-'));
  const synth = synthClipFile(tmp, 7);
  const testsrc = path.join(tmp, 'testsrc.mp4');
  execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', testsrc]);
  try {
    ids.synthVideo = await uploadVideoOverTus(server.url, client, teamId, synth, { title: 'synth seed 7' });
    ids.testsrcVideo = await uploadVideoOverTus(server.url, client, teamId, testsrc, { title: 'test pattern' });
  } catch (err) {
    throw new Error(`upload failed: ${String(err)}\n--- server log ---\n${server.log().slice(-4000)}`);
  }
  await waitReady(ids.synthVideo);
  await waitReady(ids.testsrcVideo);
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
  await signInBrowser(browser.context, server.url, owner);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('explanation viewer', () => {
  it('progress names the stage, the metrics stage included', async () => {
    // Every stage label the row shows is recorded, however briefly it is on screen.
    await page.addInitScript(() => {
      const seen = new Set<string>();
      (window as unknown as { __stages: Set<string> }).__stages = seen;
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-testid="progress-stage"]'))) seen.add((el.textContent ?? '').replace(/^\s*·\s*/, '').trim());
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`/videos/${encodeURIComponent(ids.synthVideo!)}`);
    await page.getByTestId('request-form').waitFor();
    // The form's defaults (F-EP, 300 iterations): the explanation a person gets without touching anything.
    await page.getByTestId('request-submit').click();
    const item = page.getByTestId('explanation-item').first();
    await item.getByTestId('progress-stage').filter({ hasText: 'Optimising mask' }).waitFor({ timeout: 120_000 });
    await item.getByTestId('progress-stage').filter({ hasText: 'Computing metrics' }).waitFor({ timeout: 300_000 });
    await shot('progress-metrics');
    await page.getByTestId('explanation-item').and(page.locator('[data-status="DONE"]')).first().waitFor({ timeout: 120_000 });
    const stages = await page.evaluate(() => [...(window as unknown as { __stages: Set<string> }).__stages]);
    expect(stages).toEqual(expect.arrayContaining(['Optimising mask', 'Computing metrics']));
    const href = await item.getByRole('link', { name: 'Open' }).getAttribute('href');
    ids.synthFep = decodeURIComponent(href!.split('/').pop()!);
    // The test pattern with the automatic window, as a person would ask for it.
    const req = await owner.client.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId, videoId: ids.testsrcVideo, modelId: await builtinModelId(), method: 'fep', iterations: ITERATIONS },
    });
    ids.testsrcFep = req.requestExplanation.id;
    await waitDone(ids.testsrcFep!);
  });

  it('frame 1 shows its overlay timestamp on every readout, and so does the next frame', async () => {
    const ts = await overlayTimestamps(ids.synthFep!);
    await page.goto(`/explanations/${encodeURIComponent(ids.synthFep!)}`);
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 1/16' }).waitFor({ timeout: 60_000 });
    const video = page.getByTestId('viewer-video');
    // Wait for the opening seek to land (it moves the media clock a quarter frame past the timestamp).
    await poll(() => video.evaluate((v: HTMLVideoElement) => !v.seeking && v.currentTime > 0)).toBe(true);
    expect(await page.getByTestId('frame-time').textContent()).toBe(`${ts[0]!.toFixed(3)} s`);
    expect(await page.getByTestId('timeline-time-axis').textContent()).toContain(`frame 1 · ${ts[0]!.toFixed(3)} s`);
    await page.getByText(`Pin to ${ts[0]!.toFixed(2)} s`).waitFor();
    await page.locator('body').press('ArrowRight');
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 2/16' }).waitFor();
    await poll(() => page.getByTestId('frame-time').textContent()).toBe(`${ts[1]!.toFixed(3)} s`);
    await page.getByText(`Pin to ${ts[1]!.toFixed(2)} s`).waitFor();
    await shot('frame-2');
  });

  it('the timeline spans a visible height and labels its range', async () => {
    const plot = (await page.getByTestId('timeline').boundingBox())!;
    const curve = (await page.getByTestId('timeline-curve').boundingBox())!;
    expect(plot.height).toBeGreaterThanOrEqual(64);
    // Lowest to highest frame: most of the plot's height (the old curve, normalised by the maximum, was a hairline at the top).
    expect(curve.height).toBeGreaterThan(0.6 * plot.height);
    const [hi, lo] = (await page.getByTestId('timeline-axis').locator('span').allTextContents()).map(Number);
    expect(hi).toBeGreaterThan(lo!);
    await page.getByTestId('timeline').screenshot({ path: path.join(ARTIFACTS, 'viewer-timeline.png') });
  });

  it('the heat map leaves the frame visible where saliency is low', async () => {
    const npy = Buffer.from(await (await page.request.get(`/api/media/explanations/${ids.synthFep}/saliency.npy`)).body());
    const values = parseNpy(npy).data;
    const frame = Number(await page.getByTestId('player-stage').getAttribute('data-frame'));
    const plane = 112 * 112;
    const slice = values.subarray(frame * plane, (frame + 1) * plane);
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const above = slice.filter((v) => (v - min) / (max - min) > 0.15).length / plane;
    await poll(() => page.getByTestId('saliency-canvas').getAttribute('data-ready')).toBe('true');
    const tinted = await page.getByTestId('saliency-canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n / (d.length / 4);
    });
    console.log(`[viewer] frame ${frame}: ${(tinted * 100).toFixed(1)} % of pixels tinted; ${(above * 100).toFixed(1)} % of voxels above 15 % of the range`);
    // Upscaling blurs edges a little, so allow a margin. Before, every pixel with saliency above zero
    // was tinted: the whole frame, as no voxel of an F-EP mask is exactly zero.
    expect(tinted).toBeLessThan(above + 0.05);
    expect(tinted).toBeLessThan(0.6);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByTestId('player-stage').screenshot({ path: path.join(ARTIFACTS, 'viewer-heat-default.png') });
  });

  it('download buttons save the npy, the overlay MP4, the PNG zip and the feedback JSON', async () => {
    await page.getByTestId('downloads').scrollIntoViewIfNeeded().catch(() => {});
    const save = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 120_000 }), page.getByTestId(testId).click()]);
      expect(await download.failure()).toBeNull();
      const file = path.join(tmp, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    };
    const npy = parseNpy(readFileSync(await save('download-npy')));
    expect(npy.shape).toEqual([16, 112, 112]);
    const mp4 = await save('download-mp4');
    expect(path.basename(mp4)).toMatch(/\.mp4$/);
    const probe = execFileSync(ffprobePath(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', mp4], { encoding: 'utf8' }).trim();
    expect(probe).toBe('112,112,16');
    const zip = await save('download-png');
    const listing = execFileSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.filter((n) => n.endsWith('.png'))).toHaveLength(16);
    expect(listing).toContain('frames.json');
    const feedback = feedbackExportSchema.parse(JSON.parse(readFileSync(await save('download-feedback'), 'utf8')));
    expect(feedback.explanationId).toBe(ids.synthFep);
    expect(feedback.frameTimestamps).toEqual(await overlayTimestamps(ids.synthFep!));
    await shot('downloads');
  });

  it('warns on the test pattern and not on the SynthActions clip', async () => {
    expect(await page.getByTestId('trust-notice').count()).toBe(0);
    await page.getByTestId('trust-clear').waitFor();
    await page.goto(`/explanations/${encodeURIComponent(ids.testsrcFep!)}`);
    await page.getByTestId('trust-notice').waitFor({ timeout: 60_000 });
    const codes = await page.getByTestId('trust-warning').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(codes).toEqual(expect.arrayContaining(['RESOLUTION_UNLIKE_TRAINING', 'FPS_UNLIKE_TRAINING', 'PIXEL_STATS_UNLIKE_TRAINING']));
    const prediction = (await owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { prediction } }`, { id: ids.testsrcFep })).explanation.prediction;
    console.log(`[viewer] testsrc prediction: ${prediction.label} ${(prediction.probability * 100).toFixed(1)} %; warnings ${codes.join(', ')}`);
    if (prediction.probability >= 0.99) expect(codes).toContain('SATURATED_ON_UNFAMILIAR_INPUT');
    await page.getByText('How these warnings are decided').click();
    await page.getByTestId('trust-rules').waitFor();
    await shot('trust-notice-testsrc');
    expect(browser.errors()).toEqual([]);
  });
});

async function builtinModelId(): Promise<string> {
  const data = await owner.client.ok<any>(`query($t: ID!) { models(teamId: $t) { nodes { id builtin } } }`, { t: teamId });
  return data.models.nodes.find((m: { builtin: boolean }) => m.builtin).id;
}

function parseNpy(buf: Buffer): { shape: number[]; data: Float32Array } {
  expect(buf.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const len = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + len).toString('latin1');
  expect(header).toContain("'descr': '<f4'");
  const shape = header.match(/'shape': \(([^)]*)\)/)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(10 + len);
  return { shape, data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)) };
}
