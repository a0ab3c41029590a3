/// <reference lib="dom" />
/**
 * The web app's core flow in a real browser (Debian Chromium via playwright-core) against the real
 * server (Next + GraphQL + graphql-ws + tus + engine worker in-process, PostgreSQL, Redis):
 * sign up → team → uploads (refused, interrupted+resumed, drag-and-drop) → F-EP with live progress
 * → synced overlay → compare with EP → annotate → rate → log out; and an outsider who sees nothing.
 * Every page must stay free of console errors. Screenshots land in test-artifacts/e2e/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryEntries, writeTinyModel, zipDirectory, zipEntries } from '@fep/api/testing/model-fixtures.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
/** Small limits keep the upload tests fast: the server refuses anything larger with 413. */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024; // lib/upload.ts UPLOAD_CHUNK_BYTES
/** Few iterations keep CI fast (engine default: 300); the flow, not the optimum, is under test. */
const FEP_ITERATIONS = 8;
const EP_ITERATIONS = 4;

let server: WebServer;
let browser: TestBrowser;
let page: Page;
let tmp: string;
let clipPath: string;
let bigClipPath: string;
const state: { videoId?: string; fepId?: string; epId?: string; email?: string } = {};

/** expect.poll with a timeout fit for a server whose event loop the in-process engine keeps busy. */
const poll = <T,>(fn: () => Promise<T> | T, timeout = 60_000) => expect.poll(fn, { timeout, interval: 200 });

async function shot(name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function expectNoConsoleErrors() {
  expect(browser.errors(), server.log().slice(-3000)).toEqual([]);
}

async function signUp(p: Page, name: string, email: string) {
  await p.goto('/signup');
  await p.getByLabel('Name').fill(name);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill('correct horse battery staple');
  await p.getByTestId('signup-submit').click();
  await p.getByTestId('no-team-empty-state').waitFor();
}

async function createTeam(p: Page, name: string) {
  await p.getByTestId('no-team-empty-state').getByTestId('create-team-button').click();
  await p.getByLabel('Team name').fill(name);
  await p.getByTestId('create-team-submit').click();
  await p.getByRole('heading', { level: 1, name }).waitFor();
}

/** Pixels of a canvas as a hash-like summary: [sum of alpha, sum of rgb, exact fingerprint]. */
async function canvasSummary(p: Page, testId: string, index = 0) {
  return p.evaluate(
    ({ testId, index }) => {
      const c = document.querySelectorAll<HTMLCanvasElement>(`[data-testid="${testId}"]`)[index]!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let alpha = 0;
      let rgb = 0;
      let h = 0;
      for (let i = 0; i < d.length; i++) {
        if (i % 4 === 3) alpha += d[i]!;
        else rgb += d[i]!;
        h = (h * 31 + d[i]!) >>> 0;
      }
      return { alpha, rgb, h, opaque: alpha === 255 * c.width * c.height };
    },
    { testId, index },
  );
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-e2e-'));
  clipPath = path.join(tmp, 'clip.mp4');
  execFileSync('npx', ['fep', 'synth', '--seed', '3', '--out', clipPath], { cwd: ROOT, stdio: 'ignore' });
  // A ~5 MB video (under the 8 MB limit) (noise defeats compression) so the upload needs two 4 MiB chunks.
  bigClipPath = path.join(tmp, 'big.mp4');
  execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-vf', 'noise=alls=80:allf=t', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '10M', '-maxrate', '10M', '-bufsize', '4M', '-pix_fmt', 'yuv420p', bigClipPath]);
  server = await startWebServer({ env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) } });
  browser = await launchBrowser({ baseURL: server.url });
  page = await browser.newPage();
  page.setDefaultTimeout(60_000);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('F-EP Studio in the browser', () => {
  it('signs up and creates a team', async () => {
    state.email = `owner-${Date.now()}@example.com`;
    await signUp(page, 'Olga Owner', state.email);
    await shot('01-signed-up');
    await createTeam(page, 'Motion Lab');
    await page.getByTestId('videos-empty-state').waitFor();
    await shot('02-team-created');
    expectNoConsoleErrors();
  });

  it('refuses a file that is not a video (415) and one over the size limit (413), in words', async () => {
    browser.allow(/status of 41[35]/);
    await page.getByTestId('upload-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes') });
    await poll(() => page.getByTestId('upload-error').textContent()).toMatch(/Only video files can be uploaded/);
    await shot('03-upload-not-video');
    await page.getByTestId('upload-input').setInputFiles({ name: 'huge.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(MAX_UPLOAD_BYTES + 1024) });
    await poll(() => page.getByTestId('upload-error').textContent()).toMatch(/larger than the (8 MB|upload) limit/);
    await shot('04-upload-too-large');
    expect(await page.getByTestId('video-card').count()).toBe(0);
    expectNoConsoleErrors();
  });

  it('resumes an upload interrupted mid-way from the server offset and finishes it', async () => {
    browser.allow(/ERR_CONNECTION_RESET|ERR_FAILED/);
    const offsets: number[] = [];
    let cut = true;
    let passed = 0;
    await page.route('**/api/uploads/**', async (route) => {
      const req = route.request();
      if (req.method() !== 'PATCH') return route.continue();
      if (cut && passed >= 1) return route.abort('connectionreset');
      passed += 1;
      offsets.push(Number(req.headers()['upload-offset']));
      return route.continue();
    });
    await page.getByTestId('upload-input').setInputFiles(bigClipPath);
    // The first chunk arrives, then the connection keeps dropping: after the automatic retries
    // the page says so and offers Resume.
    await poll(() => page.getByTestId('upload-error').textContent()).toMatch(/interrupted/);
    await page.getByTestId('upload-resume').waitFor();
    await shot('05-upload-interrupted');
    expect(offsets).toEqual([0]);
    cut = false;
    await page.getByTestId('upload-resume').click();
    await page.getByTestId('upload-done').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('upload-done').textContent()).toMatch(/ready to explain/);
    // The resumed PATCH started where the server had stopped, not at zero.
    expect(offsets).toEqual([0, CHUNK]);
    await page.unroute('**/api/uploads/**');
    await page.getByTestId('video-card').first().waitFor();
    expect(await page.getByTestId('video-probe').first().textContent()).toMatch(/25 fps · 100 frames · 320×240/);
    await shot('06-upload-resumed');
    expectNoConsoleErrors();
  });

  it('uploads a SynthActions clip by drag and drop and shows its probe', async () => {
    const bytes = readFileSync(clipPath).toString('base64');
    const dataTransfer = await page.evaluateHandle((b64) => {
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bin], 'synth-seed3.mp4', { type: 'video/mp4' }));
      return dt;
    }, bytes);
    await page.getByTestId('upload-dropzone').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('upload-dropzone').dispatchEvent('drop', { dataTransfer });
    await page.getByTestId('upload-done').filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    const card = page.getByTestId('video-card').filter({ hasText: 'synth-seed3' });
    await card.waitFor();
    expect(await card.getByTestId('video-probe').textContent()).toMatch(/8 fps · \d+ frames · \d+×\d+/);
    await shot('07-clip-uploaded');
    await card.getByRole('link').click();
    await page.getByTestId('request-form').waitFor();
    state.videoId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
    expectNoConsoleErrors();
  });

  it('requests F-EP (and EP, queued behind it) and watches F-EP progress reach 100 %', async () => {
    await poll(() => page.getByLabel('Method', { exact: true }).inputValue()).toBe('fep');
    await page.getByText('Advanced parameters').click();
    await poll(() => page.getByLabel('Iterations').inputValue()).toBe('300');
    await page.getByLabel('Iterations').fill(String(FEP_ITERATIONS));
    await page.getByTestId('request-submit').click();
    await page.getByTestId('explanation-item').first().waitFor();
    await page.getByLabel('Method', { exact: true }).selectOption('ep');
    await page.getByLabel('Iterations').fill(String(EP_ITERATIONS));
    await page.getByTestId('request-submit').click();
    await poll(() => page.getByTestId('explanation-item').count()).toBe(2);
    // Newest first: [EP, F-EP].
    const fepItem = page.getByTestId('explanation-item').nth(1);
    await fepItem.getByText(/iteration \d+\/\d+/).waitFor({ timeout: 120_000 });
    await shot('08-fep-progress');
    await fepItem.getByTestId('progress-percent').filter({ hasText: '100 %' }).waitFor({ timeout: 240_000 });
    await page.getByTestId('explanation-item').and(page.locator('[data-status="DONE"]')).first().waitFor();
    await shot('09-fep-done');
    const href = await fepItem.getByRole('link', { name: 'Open' }).getAttribute('href', { timeout: 30_000 });
    state.fepId = decodeURIComponent(href!.split('/').pop()!);
    expectNoConsoleErrors();
  });

  it('shows the heat map over the video, synced per frame', async () => {
    await page.goto(`/explanations/${state.fepId}`);
    // The video is served by the same process whose engine may still be running EP: allow time.
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 1/16' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('timeline').waitFor();
    await poll(async () => (await canvasSummary(page, 'saliency-canvas')).alpha).toBeGreaterThan(0);
    const first = await canvasSummary(page, 'saliency-canvas');
    await shot('10-viewer-frame-1');
    // → steps one clip frame: the video seeks to that frame's source timestamp and the overlay changes.
    await page.locator('body').press('ArrowRight');
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 2/16' }).waitFor();
    const ts = await page.evaluate(() => (document.querySelector('[data-testid="viewer-video"]') as HTMLVideoElement).currentTime);
    expect(ts).toBeGreaterThanOrEqual(0.125);
    expect(ts).toBeLessThan(0.25);
    await poll(async () => (await canvasSummary(page, 'saliency-canvas')).h).not.toBe(first.h);
    for (let i = 0; i < 5; i++) await page.locator('body').press('ArrowRight');
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 7/16' }).waitFor();
    const seventh = await canvasSummary(page, 'saliency-canvas');
    await page.locator('body').press('ArrowLeft');
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 6/16' }).waitFor();
    await poll(async () => (await canvasSummary(page, 'saliency-canvas')).h).not.toBe(seventh.h);
    // Clicking the timeline seeks.
    await page.getByTestId('timeline-frame').nth(11).click();
    await page.getByTestId('frame-indicator').filter({ hasText: 'frame 12/16' }).waitFor();
    // Mask-only view paints every pixel opaque; the original view hides the overlay.
    await page.getByText('Mask only', { exact: true }).click();
    await poll(async () => (await canvasSummary(page, 'saliency-canvas')).opaque).toBe(true);
    await page.getByLabel('Colour map').selectOption('turbo');
    await shot('11-viewer-mask-turbo');
    await page.getByText('Overlay', { exact: true }).click();
    await expect(page.getByTestId('metrics').textContent()).resolves.toMatch(/Insertion AUC[\s\S]*?↑higher better[01]\.\d{3}/);
    await expect(page.getByTestId('provenance').textContent()).resolves.toMatch(/synth-r2plus1d/);
    await page.locator('body').press('?');
    await page.getByTestId('shortcuts-dialog').getByText('Previous / next frame').waitFor();
    await shot('12-shortcuts');
    await page.keyboard.press('Escape');
    expectNoConsoleErrors();
  });

  it('draws a rectangle annotation on a frame range, comments and rates', async () => {
    await page.getByTestId('tool-rectangle').click();
    // The player sits at the top of the page; scroll there so the sticky header does not cover it.
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = (await page.getByTestId('player-stage').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 5 });
    await page.mouse.up();
    await page.getByLabel('From frame').fill('12');
    await page.getByLabel('To frame').fill('14');
    await page.getByLabel('Label (optional)').fill('moving shape');
    await page.getByTestId('annotation-save').click();
    await page.getByTestId('annotation-item').filter({ hasText: 'moving shape' }).waitFor();
    expect(await page.getByTestId('annotation-item').textContent()).toMatch(/frames 12–14/);
    await page.getByTestId('annotation-shape').first().waitFor();
    await shot('13-annotation');

    await page.getByTestId('comment-form').getByLabel('New comment').fill('The mask follows the shape here @Olga');
    await page.getByTestId('comment-submit').click();
    await page.getByTestId('comment').filter({ hasText: 'follows the shape' }).waitFor();
    expect(await page.getByTestId('comment').first().textContent()).toMatch(/Mentions: Olga Owner/);

    await page.getByLabel('6: Mostly plausible').check({ force: true });
    await poll(() => page.getByTestId('rating-anchor').textContent()).toBe('6 · Mostly plausible');
    await page.getByLabel('4: Sure').check({ force: true });
    await page.getByTestId('rating-form').getByLabel('Comment (optional)').fill('Looks at the moving object.');
    await page.getByTestId('rating-submit').click();
    await page.getByTestId('rating-saved').filter({ hasText: 'Saved.' }).waitFor();
    await poll(() => page.getByTestId('rating-summary').textContent()).toMatch(/1 rating, mean 6\.0 of 7/);
    await shot('14-rated');
    expectNoConsoleErrors();
  });

  it('compares F-EP with EP side by side on one clock', async () => {
    await page.goto(`/videos/${state.videoId}`);
    await poll(() => page.locator('[data-testid="explanation-item"][data-status="DONE"]').count(), 300_000).toBe(2);
    const boxes = page.getByTestId('compare-checkbox');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('link', { name: 'Compare 2' }).click();
    await page.getByTestId('compare-pane').nth(1).waitFor();
    await page.getByTestId('compare-frame').filter({ hasText: 'frame 1/16' }).waitFor({ timeout: 120_000 });
    await poll(async () => (await canvasSummary(page, 'compare-canvas', 1)).alpha).toBeGreaterThan(0);
    const a0 = await canvasSummary(page, 'compare-canvas', 0);
    const b0 = await canvasSummary(page, 'compare-canvas', 1);
    expect(a0.h).not.toBe(b0.h); // two different explanations
    await shot('15-compare');
    await page.getByTestId('compare-next').click();
    await page.getByTestId('compare-frame').filter({ hasText: 'frame 2/16' }).waitFor();
    await poll(async () => (await canvasSummary(page, 'compare-canvas', 0)).h).not.toBe(a0.h);
    await poll(async () => (await canvasSummary(page, 'compare-canvas', 1)).h).not.toBe(b0.h);
    const captions = (await page.getByTestId('compare-pane').allTextContents()).map((c) => c.split(' ·')[0]);
    expect(captions.sort()).toEqual(['EP', 'F-EP']);
    // Each caption links the explanation under its label ("EP · iterations … · <model> · <date> · by …").
    state.epId = (await page.getByTestId('compare-pane-label').filter({ hasText: /^EP ·/ }).getAttribute('href'))!.split('/').pop();
    expectNoConsoleErrors();
  });

  it('writes a model card revision and generates an audit report in the model registry', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    const panel = page.getByTestId('model-panel').first();
    await panel.waitFor();
    await page.getByRole('button', { name: 'Write model card' }).click();
    for (const label of ['Intended use', 'Training data', 'Evaluation', 'Limitations', 'Ethical considerations']) {
      await page.getByLabel(label).fill(`${label} written in the browser test.`);
    }
    await page.getByRole('button', { name: 'Save revision' }).click();
    await page.getByText(/Model card \(revision 1 by /).waitFor();
    await page.getByRole('button', { name: 'Generate report' }).click();
    const pdf = page.getByTestId('audit-reports').getByRole('link', { name: 'report.pdf' });
    await pdf.waitFor({ timeout: 120_000 });
    const res = await page.request.get(new URL((await pdf.getAttribute('href'))!, page.url()).toString());
    expect(res.status()).toBe(200);
    expect((await res.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await shot('15b-model-registry');
    expectNoConsoleErrors();
  });

  it('uploads a model: a zip without fep-model.json is refused inline, a good zip is listed with its manifest and card', async () => {
    const dir = path.join(tmp, 'tiny-model');
    await writeTinyModel(dir, { name: 'browser-upload', version: '0.1.0' });
    browser.allow(/status of 400/);
    const zipInput = page.getByLabel('choose a .zip');
    const broken = await zipEntries(directoryEntries(dir).filter(([p]) => p !== 'fep-model.json'));
    await zipInput.setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: broken });
    const error = page.getByTestId('model-upload-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/broken\.zip was not registered: fep-model\.json is missing.*There is no fep-model\.json in the upload/);
    await shot('15c-model-upload-refused');
    await zipInput.setInputFiles({ name: 'browser-upload.zip', mimeType: 'application/zip', buffer: await zipDirectory(dir, 'browser-upload') });
    await page.getByTestId('model-upload-done').waitFor();
    const panel = page.getByTestId('model-panel').filter({ hasText: 'class_0, class_1, class_2' });
    await panel.waitFor();
    expect(await panel.textContent()).toMatch(/A tiny test model/);
    await page.getByRole('heading', { name: 'browser-upload 0.1.0', exact: true }).waitFor();
    await shot('15d-model-uploaded');
    // The same model as a folder (the folder picker sends every file with its path in the folder).
    const folder = path.join(tmp, 'browser-upload-folder');
    await writeTinyModel(folder, { name: 'browser-upload', version: '0.2.0' });
    await page.getByLabel('choose a folder').setInputFiles(folder);
    await page.getByRole('heading', { name: 'browser-upload 0.2.0', exact: true }).waitFor();
    expectNoConsoleErrors();
  });

  it('logs out', async () => {
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('logout-button').click();
    await page.waitForURL(/\/login/);
    await shot('16-logged-out');
    expectNoConsoleErrors();
  });

  it('a user of another team sees none of it (direct URLs say not found)', async () => {
    await signUp(page, 'Mallory Other', `other-${Date.now()}@example.com`);
    await createTeam(page, 'Other Lab');
    await page.getByTestId('videos-empty-state').waitFor();
    for (const url of [`/videos/${state.videoId}`, `/explanations/${state.fepId}`, `/compare?ids=${state.fepId},${state.epId}`]) {
      await page.goto(url);
      await page.getByTestId('not-found').waitFor();
      expect(await page.textContent('body')).not.toMatch(/synth-seed3|moving shape|Olga/);
    }
    await shot('17-outsider-not-found');
    const media = await page.request.get(`/api/media/explanations/${state.fepId}/saliency.npy`);
    expect(media.status()).toBe(404);
    const video = await page.request.get(`/api/media/videos/${state.videoId}`);
    expect(video.status()).toBe(404);
    expectNoConsoleErrors();
  });
});
