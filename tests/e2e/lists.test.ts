/**
 * Lists that scale, in Chromium against the real server: the videos grid holds more than one page
 * (Load more), is searched, filtered and sorted with the choice kept in the URL (a reload shows the
 * same view), a video is renamed and deleted through the dialogs (and one whose explanation is in a
 * study is refused with the reason shown), a video's explanations page with Load more, and two F-EP
 * runs of one clip read differently in the compare picker and on the compare page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/lists');

let server: WebServer;
let world: StudyWorld;
let browser: TestBrowser;
let page: Page;
let clip1: string;
let clip2: string;
let busyVideo: string;

const DAY = 86_400_000;
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const cards = () => page.getByTestId('video-card');
const card = (title: string) => cards().filter({ hasText: title });
const titles = () => page.getByTestId('video-card').locator('h3').allTextContents();

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startWebServer();
  world = await createStudyWorld(server);
  const db = world.db.prisma;
  const [first] = world.explanations;
  const original = await db.explanation.findUniqueOrThrow({ where: { id: first!.id }, include: { video: true } });
  clip1 = original.videoId;
  clip2 = world.explanations.find((e) => e.videoId !== clip1)!.videoId;
  // 28 more videos than the world's two: more than one page of the grid (24).
  const now = Date.now();
  const extra: { title: string; createdAt: Date; status?: 'FAILED' }[] = [
    ...Array.from({ length: 25 }, (_, i) => ({ title: `batch ${String(i + 1).padStart(2, '0')}`, createdAt: new Date(now - (i + 1) * 60_000) })),
    { title: 'aardvark walk', createdAt: new Date(now - DAY) },
    { title: 'zebra crossing', createdAt: new Date(now - 10 * DAY) },
    { title: 'broken upload', createdAt: new Date(now - 2 * DAY), status: 'FAILED' },
  ];
  for (const v of extra) {
    const row = await db.video.create({
      data: {
        teamId: world.teamId,
        uploadedById: world.owner.userId,
        title: v.title,
        filename: `${v.title.replace(/\W/g, '-')}.mp4`,
        sha256: original.video.sha256,
        sizeBytes: original.video.sizeBytes,
        status: v.status ?? 'READY',
        ...(v.status ? { error: 'The file is not a video.' } : { fps: 25, frameCount: 50, durationSec: 2, width: 160, height: 120 }),
        createdAt: v.createdAt,
      },
    });
    if (v.title === 'batch 01') busyVideo = row.id;
  }
  // More explanations of one video than its page shows (50).
  await db.explanation.createMany({
    data: Array.from({ length: 53 }, (_, i) => ({
      teamId: world.teamId,
      videoId: busyVideo,
      modelId: original.modelId,
      requestedById: world.owner.userId,
      method: i % 2 ? 'gradient' : 'occlusion',
      params: {},
      status: 'CANCELLED' as const,
      createdAt: new Date(now - i * 1000),
    })),
  });
  // A second F-EP run of clip 1 with another area: the picker must tell the two apart.
  await db.explanation.create({
    data: {
      teamId: world.teamId,
      videoId: clip1,
      modelId: original.modelId,
      requestedById: world.member.userId,
      method: 'fep',
      params: { area: 0.05 },
      status: 'DONE',
      progress: 1,
      windowStartSec: 0,
      saliencySha256: original.saliencySha256,
      saliencyShape: original.saliencyShape as number[],
      provenance: { seed: 2 },
      finishedAt: new Date(),
    },
  });
  // Clip 2's explanation is evidence in a study: deleting clip 2 is refused.
  const study = await db.study.create({ data: { teamId: world.teamId, createdById: world.owner.userId, name: 'Evidence study', design: 'LIKERT', config: {}, seed: 1 } });
  await db.studyItem.create({ data: { studyId: study.id, position: 0, explanationIds: [world.explanations.find((e) => e.videoId === clip2)!.id] } });

  browser = await launchBrowser({ baseURL: server.url });
  await signInBrowser(browser.context, server.url, world.owner);
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
  await server?.close();
});

describe('the videos grid', () => {
  it('pages with Load more: every video once', async () => {
    await page.goto(`/?team=${world.teamId}`);
    await page.getByTestId('video-grid').waitFor();
    await expect.poll(() => cards().count()).toBe(24);
    await shot('videos-first-page');
    await page.getByTestId('videos-load-more').click();
    await expect.poll(() => cards().count()).toBe(30);
    await expect.poll(() => page.getByTestId('videos-load-more').count()).toBe(0);
    const all = await titles();
    expect(new Set(all).size).toBe(30);
  });

  it('searches (case-insensitive), and the URL carries the search: a reload shows the same view', async () => {
    await page.getByTestId('video-filters-search').fill('ZEBRA');
    await page.waitForURL(/[?&]q=ZEBRA/);
    await expect.poll(titles).toEqual(['zebra crossing']);
    await shot('videos-search');
    await page.reload();
    await expect.poll(titles).toEqual(['zebra crossing']);
    await expect.poll(() => page.getByTestId('video-filters-search').inputValue()).toBe('ZEBRA');
    await page.getByTestId('video-filters-clear').click();
    await expect.poll(() => cards().count()).toBe(24);
  });

  it('filters by status', async () => {
    await page.getByTestId('video-filters-status').selectOption('FAILED');
    await page.waitForURL(/status=FAILED/);
    await expect.poll(titles).toEqual(['broken upload']);
    await page.getByTestId('video-filters-status').selectOption('');
    await expect.poll(() => cards().count()).toBe(24);
  });

  it('sorts by name and by age, paging stays right under each sort', async () => {
    await page.getByTestId('video-filters-sort').selectOption('NAME');
    await page.waitForURL(/sort=NAME/);
    await expect.poll(async () => (await titles())[0]).toBe('aardvark walk');
    await page.getByTestId('videos-load-more').click();
    await expect.poll(() => cards().count()).toBe(30);
    const byName = await titles();
    expect(new Set(byName).size).toBe(30);
    expect(byName.slice(0, 3)).toEqual(['aardvark walk', 'batch 01', 'batch 02']);
    expect(byName.at(-1)).toBe('zebra crossing');
    await shot('videos-sorted-by-name');
    await page.getByTestId('video-filters-sort').selectOption('OLDEST');
    await page.waitForURL(/sort=OLDEST/);
    await expect.poll(async () => (await titles())[0]).toBe('zebra crossing');
  });

  it('renames a video through its dialog', async () => {
    await page.goto(`/?team=${world.teamId}&q=aardvark`);
    await expect.poll(titles).toEqual(['aardvark walk']);
    await card('aardvark walk').getByTestId('video-rename').click();
    const dialog = page.getByTestId('rename-video-dialog');
    await dialog.getByTestId('rename-video-title').fill('anteater walk');
    await dialog.getByTestId('rename-video-save').click();
    await expect.poll(titles).toEqual(['anteater walk']);
    expect(await world.db.prisma.video.count({ where: { teamId: world.teamId, title: 'anteater walk' } })).toBe(1);
    expect(await world.db.prisma.auditEvent.count({ where: { chain: world.teamId, action: 'video.renamed' } })).toBe(1);
  });

  it('deletes a video after confirming; refuses one whose explanation is in a study and says why', async () => {
    await page.goto(`/?team=${world.teamId}&q=zebra`);
    await expect.poll(titles).toEqual(['zebra crossing']);
    await card('zebra crossing').getByTestId('video-delete').click();
    const dialog = page.getByTestId('delete-video-dialog');
    await dialog.getByText(/cannot be deleted/).waitFor();
    await shot('delete-confirm');
    await dialog.getByTestId('delete-video-dialog-confirm').click();
    await page.getByTestId('videos-no-match').waitFor();
    expect((await world.db.prisma.video.findFirstOrThrow({ where: { teamId: world.teamId, title: 'zebra crossing' } })).deletedAt).not.toBeNull();

    await page.goto(`/?team=${world.teamId}&q=clip%202`);
    await expect.poll(titles).toEqual(['clip 2']);
    await card('clip 2').getByTestId('video-delete').click();
    await dialog.getByTestId('delete-video-dialog-confirm').click();
    await dialog.getByRole('alert').filter({ hasText: /Evidence study/ }).waitFor();
    await shot('delete-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(titles).toEqual(['clip 2']);
    expect((await world.db.prisma.video.findUniqueOrThrow({ where: { id: clip2 } })).deletedAt).toBeNull();
  });
});

describe("a video's explanations", () => {
  it('page with Load more and filter by method', async () => {
    await page.goto(`/videos/${busyVideo}`);
    await page.getByTestId('explanation-list').waitFor();
    const items = page.getByTestId('explanation-item');
    await expect.poll(() => items.count()).toBe(50);
    await page.getByTestId('explanations-load-more').click();
    await expect.poll(() => items.count()).toBe(53);
    await page.getByTestId('explanation-filters-method').selectOption('gradient');
    await page.waitForURL(/method=gradient/);
    await expect.poll(() => items.count()).toBe(26);
  });

  it('two F-EP runs of one clip read differently in the compare picker and on the compare page', async () => {
    await page.goto(`/videos/${clip1}?method=fep`);
    const labels = page.getByTestId('explanation-label');
    await expect.poll(() => labels.count()).toBe(2);
    const [a, b] = await labels.allTextContents();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^F-EP/);
    expect(b).toMatch(/^F-EP/);
    expect([a, b].some((l) => l!.includes('area 0.05'))).toBe(true);
    expect([a, b].some((l) => l!.includes('by Max Member'))).toBe(true);
    const boxes = page.getByTestId('compare-checkbox');
    const names = await boxes.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
    expect(new Set(names).size).toBe(2);
    await shot('compare-picker');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByRole('link', { name: 'Compare 2' }).click();
    const paneLabels = page.getByTestId('compare-pane-label');
    await expect.poll(() => paneLabels.count()).toBe(2);
    const [pa, pb] = await paneLabels.allTextContents();
    expect(pa).not.toBe(pb);
    await shot('compare-labels');
  });
});

describe('the audit log', () => {
  it('takes its filter from the URL, so a filtered log can be shared', async () => {
    await page.goto(`/teams/${world.teamId}/audit?action=video.`);
    const rows = page.getByTestId('audit-row');
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-action')))).sort()).toEqual(['video.deleted', 'video.renamed']);
    await expect.poll(() => page.getByTestId('audit-filter-action').inputValue()).toBe('video.');
    await page.getByTestId('audit-filter-action').fill('video.renamed');
    await page.getByTestId('audit-filter-apply').click();
    await page.waitForURL(/action=video\.renamed/);
    await expect.poll(() => rows.count()).toBe(1);
    await shot('audit-filtered');
  });
});
