/// <reference lib="dom" />
/**
 * Live previews in Chromium: while the in-process engine optimises an F-EP explanation, the viewer
 * shows the mask forming over the video (ExplanationProgress.preview, placed with the finished
 * explanation's geometry), its iteration advancing; cancelling from the viewer keeps the last
 * preview on screen. Screenshots land in test-artifacts/e2e/live-preview-*.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { signUpWithTeam, synthClipFile } from '../support/people.ts';
import { signInBrowser, type Person } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');

let server: WebServer;
let browser: TestBrowser;
let page: Page;
let owner: Person;
let teamId: string;
let videoId: string;
let tmp: string;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `live-preview-${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startWebServer();
  ({ owner, teamId } = await signUpWithTeam(server.url, 'Lena Live', 'live', 'Live Lab'));
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-live-e2e-'));
  const synth = synthClipFile(tmp, 5);
  videoId = await uploadVideoOverTus(server.url, owner.client, teamId, synth, { title: 'synth seed 5' });
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 1366, height: 900 } });
  await signInBrowser(browser.context, server.url, owner);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Tinted pixels of the live preview's heat canvas (alpha > 0). */
function paintedPixels(p: Page): Promise<number> {
  return p.getByTestId('live-preview-canvas').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    if (!ctx || !canvas.width || !canvas.height) return 0;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

/** Distinct colours on the live preview's heat canvas. */
function paintedColours(p: Page): Promise<number> {
  return p.getByTestId('live-preview-canvas').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    if (!ctx || !canvas.width || !canvas.height) return 0;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}

describe('live preview', () => {
  it('shows the mask forming while F-EP optimises, and keeps the last one after a cancel', async () => {
    await expect
      .poll(async () => (await owner.client.ok<any>(`query($id: ID!) { video(id: $id) { status } }`, { id: videoId })).video.status, { timeout: 60_000, interval: 200 })
      .toBe('READY');
    // Default F-EP (300 iterations): long enough to watch it form and to cancel it midway.
    const models = await owner.client.ok<any>(`query($t: ID!) { models(teamId: $t) { nodes { id builtin } } }`, { t: teamId });
    const modelId = models.models.nodes.find((m: { builtin: boolean }) => m.builtin).id;
    const req = await owner.client.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId, videoId, modelId, method: 'fep', windowStartSec: 0 },
    });
    const id = req.requestExplanation.id as string;
    await page.goto(`/explanations/${encodeURIComponent(id)}`);

    const stage = page.getByTestId('live-preview');
    await stage.waitFor({ timeout: 120_000 });
    const first = Number(await stage.getAttribute('data-iteration'));
    // Show a frame of the explained window (the clip starts at 0 s) and wait for it to be painted.
    await page.locator('[data-testid="live-preview"] video').evaluate((v) => {
      const video = v as HTMLVideoElement;
      video.pause();
      video.currentTime = 0.5;
    });
    await expect.poll(() => paintedPixels(page), { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
    // The preview follows the optimisation: the mask starts as all ones (one colour over the whole
    // crop) and takes shape, so the painted frame comes to hold many colours.
    await expect.poll(async () => Number(await stage.getAttribute('data-iteration')), { timeout: 120_000, interval: 200 }).toBeGreaterThan(Math.max(first, 60));
    await expect.poll(() => paintedColours(page), { timeout: 30_000, interval: 200 }).toBeGreaterThan(20);
    expect(await page.getByTestId('explanation-live-status').textContent()).toMatch(/running · \d+ % · Optimising mask/);
    await shot('forming');

    await page.getByTestId('cancel-explanation').click();
    await page.getByTestId('cancel-explanation-dialog').getByRole('button', { name: 'Cancel explanation' }).click();
    await expect
      .poll(async () => (await owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { status } }`, { id })).explanation.status, { timeout: 30_000, interval: 200 })
      .toBe('CANCELLED');
    await page.getByText('This explanation is cancelled.').waitFor({ timeout: 30_000 });
    await page.getByText(/stopped before it finished/).waitFor();
    // The last preview stays, and says that it is only a preview.
    await page.getByText('The last preview').waitFor();
    await page.getByText(/No result was stored/).waitFor();
    expect(await paintedPixels(page)).toBeGreaterThan(0);
    await shot('cancelled');
  }, 600_000);
});
