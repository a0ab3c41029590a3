/**
 * A rater completes a Likert, a pairwise and a ranking study with the keyboard only (digits, ←/→, Enter),
 * resumes after a reload, never sees a method name; the stored judgements match the keys pressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodLabel } from '@fep/shared/methods';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { startWebServer, type WebServer } from './web-server.ts';

let server: WebServer;
let world: StudyWorld;
let browser: TestBrowser;
let page: Page;
let likertStudyId: string;

async function createOpenStudy(design: 'LIKERT' | 'PAIRWISE' | 'RANKING', name: string): Promise<string> {
  const input: Record<string, unknown> = {
    teamId: world.teamId,
    name,
    instructions: 'Judge how well the highlighted region explains the action.',
    design,
    blinded: true,
    seed: 7,
    overlap: 1,
    raterIds: [world.rater.userId],
    explanationIds: world.explanations.map((e) => e.id),
    ...(design === 'LIKERT' ? { likertPoints: 5 } : design === 'PAIRWISE' ? { allowTie: true } : { rankK: 2 }),
  };
  const created = await world.owner.client.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, { i: input });
  const id = created.createStudy.id as string;
  const opened = await world.owner.client.ok<any>(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id });
  expect(opened.openStudy.status).toBe('OPEN');
  return id;
}

/** True once every canvas with this test id has painted something (the video frame and/or its heat map). */
const painted = (testId: string) => {
  const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>(`[data-testid="${testId}"]`));
  return (
    canvases.length > 0 &&
    canvases.every((c) => {
      if (!c.width || !c.height) return false;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) return true;
      return false;
    })
  );
};

const progressText = () => page.getByTestId('rater-progress-text').innerText();

/** Waits until the progress reads `judged / total` (the page re-renders after the server answers). */
async function waitProgress(judged: number, total: number) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="rater-progress-text"]')?.textContent?.replace(/\s+/g, ' ').trim() === want,
    `${judged} / ${total}`,
  );
}

/** No method name anywhere in what the rater sees (blinded study). */
async function expectBlinded() {
  const text = await page.getByTestId('rater-page').innerText();
  expect(text).not.toMatch(/\bf-?ep\b|\bep\b|extremal|fep/i);
}

beforeAll(async () => {
  server = await startWebServer();
  world = await createStudyWorld(server);
  browser = await launchBrowser({ baseURL: server.url });
  await signInBrowser(browser.context, server.url, world.rater);
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
  await server?.close();
});

describe('rater flow in the browser, keyboard only', () => {
  it('completes a Likert study: digits rate, ←/→ step frames, Enter submits, a reload resumes', async () => {
    const studyId = await createOpenStudy('LIKERT', 'Likert plausibility');
    likertStudyId = studyId;
    await page.goto(`/studies/${studyId}/rate`);
    await page.getByTestId('rater-item').waitFor();
    const total = 4;
    expect(await progressText()).toBe(`0 / ${total}`);
    await expectBlinded();
    // The option canvases are painted (frame drawn from the study-scoped video route).
    await page.waitForFunction(painted, 'rater-canvas');

    const ratings = [4, 2, 5, 1];
    for (let i = 0; i < total; i++) {
      const ref = await page.getByTestId('rater-item').getAttribute('data-ref');
      // Step two frames forward and one back: the shared clock moves by exactly one frame (1/25 s).
      await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="rater-video"]')?.readyState ?? 0) >= 1);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowLeft');
      const t = await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="rater-video"]')!.currentTime);
      expect(t).toBeCloseTo(1 / 25, 3);
      await page.keyboard.press(String(ratings[i]));
      expect(await page.getByTestId(`rating-${ratings[i]}`).getAttribute('aria-checked')).toBe('true');
      await page.keyboard.press('Enter');
      await waitProgress(i + 1, total);
      if (i === 0) {
        // Resume: a fresh page load continues at the next unjudged item.
        await page.reload();
        await page.getByTestId('rater-item').waitFor();
        expect(await progressText()).toBe(`1 / ${total}`);
        expect(await page.getByTestId('rater-item').getAttribute('data-ref')).not.toBe(ref);
      } else if (i < total - 1) {
        await page.waitForFunction((old) => document.querySelector('[data-testid="rater-item"]')?.getAttribute('data-ref') !== old, ref);
      }
    }
    await page.getByTestId('rater-done').waitFor();

    const rows = await world.db.prisma.judgement.findMany({ where: { studyId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => (r.value as { rating: number }).rating)).toEqual(ratings);
    expect(rows.every((r) => r.raterId === world.rater.userId && r.timeOnItemMs > 0)).toBe(true);
    const assignment = await world.db.prisma.studyAssignment.findFirstOrThrow({ where: { studyId } });
    expect(assignment.completedAt).not.toBeNull();
    expect(browser.errors()).toEqual([]);
  });

  it('completes a pairwise study: 1 = left, 2 = right, 0 = can\'t tell, Enter submits', async () => {
    const studyId = await createOpenStudy('PAIRWISE', 'Pairwise plausibility');
    await page.goto(`/studies/${studyId}/rate`);
    await page.getByTestId('rater-item').waitFor();
    expect(await page.getByTestId('rater-option').count()).toBe(2);
    await page.waitForFunction(painted, 'rater-canvas');
    const total = 2;
    expect(await progressText()).toBe(`0 / ${total}`);
    await expectBlinded();

    const keys = ['2', '0'];
    for (let i = 0; i < total; i++) {
      const ref = await page.getByTestId('rater-item').getAttribute('data-ref');
      // Enter before choosing does nothing.
      await page.keyboard.press('Enter');
      expect(await progressText()).toBe(`${i} / ${total}`);
      await page.keyboard.press(keys[i]!);
      if (keys[i] === '2') expect(await page.getByTestId('rater-option').nth(1).getAttribute('data-selected')).toBe('true');
      await page.keyboard.press('Enter');
      await waitProgress(i + 1, total);
      if (i < total - 1) await page.waitForFunction((old) => document.querySelector('[data-testid="rater-item"]')?.getAttribute('data-ref') !== old, ref);
    }
    await page.getByTestId('rater-done').waitFor();

    const rows = await world.db.prisma.judgement.findMany({ where: { studyId }, orderBy: { createdAt: 'asc' } });
    const values = rows.map((r) => r.value as { choice: string; winner: string | null; shown: string[] });
    expect(values.map((v) => v.choice)).toEqual(['RIGHT', 'TIE']);
    // The winner is the explanation that was placed on the right.
    expect(values[0]!.winner).toBe(values[0]!.shown[1]);
    expect(values[1]!.winner).toBeNull();
    expect(browser.errors()).toEqual([]);
  });

  it('completes a ranking study: digits give the order, Backspace undoes, Enter submits', async () => {
    const studyId = await createOpenStudy('RANKING', 'Ranking plausibility');
    await page.goto(`/studies/${studyId}/rate`);
    await page.getByTestId('rater-item').waitFor();
    const total = 2;
    for (let i = 0; i < total; i++) {
      const ref = await page.getByTestId('rater-item').getAttribute('data-ref');
      await page.keyboard.press('1');
      await page.keyboard.press('Backspace');
      await page.keyboard.press('2');
      await page.keyboard.press('1');
      expect(await page.getByTestId('ranking-order').innerText()).toContain('2 › 1');
      await page.keyboard.press('Enter');
      await waitProgress(i + 1, total);
      if (i < total - 1) await page.waitForFunction((old) => document.querySelector('[data-testid="rater-item"]')?.getAttribute('data-ref') !== old, ref);
    }
    await page.getByTestId('rater-done').waitFor();
    const rows = await world.db.prisma.judgement.findMany({ where: { studyId } });
    expect(rows).toHaveLength(total);
    for (const r of rows) {
      const v = r.value as { ranking: string[]; shown: string[] };
      expect(v.ranking).toEqual([v.shown[1], v.shown[0]]);
    }
  });

  it('the owner builds and opens a study in the builder; the results page shows per-method means and the CSV export', async () => {
    const owner = await launchBrowser({ baseURL: server.url });
    try {
      await signInBrowser(owner.context, server.url, world.owner);
      const p = await owner.newPage();
      p.setDefaultTimeout(30_000);
      await p.goto(`/studies?team=${world.teamId}`);
      await p.getByRole('link', { name: 'New study' }).click();
      await p.getByTestId('study-builder').waitFor();
      await p.getByLabel('Name', { exact: true }).fill('Built in the browser');
      await p.getByLabel('Design', { exact: true }).selectOption('PAIRWISE');
      await p.getByLabel('Raters per item (overlap)').fill('1');
      await p.getByLabel('Seed (blank: random)').fill('11');
      await p.getByLabel('Rita Rater').check();
      for (const e of world.explanations) {
        const video = world.explanations.findIndex((x) => x.videoId === e.videoId) / 2 + 1;
        // Picker options read "clip 1 · F-EP · toy-r2plus1d 1 · <date> · by Olga Owner (done)" (explanationLabel).
        await p.getByLabel(new RegExp(`^clip ${video} · ${methodLabel(e.method)} ·`)).check();
      }
      await p.getByTestId('builder-create').click();
      await p.getByTestId('study-admin').waitFor();
      await p.getByTestId('study-open').click();
      await p.getByTestId('study-close').waitFor();
      const studyId = p.url().split('/studies/')[1]!;
      const row = await world.db.prisma.study.findUniqueOrThrow({ where: { id: studyId } });
      expect(row).toMatchObject({ name: 'Built in the browser', design: 'PAIRWISE', status: 'OPEN', seed: 11, overlap: 1, blinded: true });
      expect(row.protocol).not.toBeNull();

      // Results of the Likert study the rater completed above.
      await p.goto(`/studies/${likertStudyId}/results`);
      await p.getByTestId('results-methods').waitFor();
      const judgements = await world.db.prisma.judgement.findMany({ where: { studyId: likertStudyId }, include: { item: true } });
      const byMethod = new Map<string, number[]>();
      for (const j of judgements) {
        const method = world.explanations.find((e) => e.id === j.item.explanationIds[0])!.method;
        byMethod.set(method, [...(byMethod.get(method) ?? []), (j.value as { rating: number }).rating]);
      }
      // One rater, overlap 1: agreement cannot be computed, and the page says why (n = 0), with a caution.
      await expect.poll(() => p.getByTestId('results-alpha').innerText()).toContain('Not enough data: needs an item rated by ≥ 2 raters (n = 0 pairable values)');
      expect(await p.getByTestId('results-fleiss').innerText()).toMatch(/Not enough data: needs items rated exactly overlap = 1 ≥ 2 times/);
      expect(await p.getByTestId('results-cautions').innerText()).toMatch(/Small sample: \d+ judged items/);
      const rows = await p.getByTestId('results-methods').locator('tbody tr').allInnerTexts();
      for (const [method, values] of byMethod) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const line = rows.find((r) => r.startsWith(method + '\t'));
        expect(line, rows.join('\n')).toBeDefined();
        expect(line).toContain(mean.toFixed(3));
      }
      // The CSV the download link points at has one row per judgement.
      const href = await p.getByTestId('export-csv').getAttribute('href');
      const csv = await p.request.get(href!);
      expect(csv.status()).toBe(200);
      const lines = (await csv.text()).trim().split(/\r?\n/);
      expect(lines).toHaveLength(1 + judgements.length);
      expect(owner.errors()).toEqual([]);
    } finally {
      await owner.close();
    }
  });

  it('a draft: readiness updates without a reload, Markdown instructions render, edit and delete', async () => {
    const owner = await launchBrowser({ baseURL: server.url });
    const db = world.db.prisma;
    try {
      await signInBrowser(owner.context, server.url, world.owner);
      // A fresh explanation still RUNNING (finished rows are immutable): the draft waits for it.
      const done = await db.explanation.findUniqueOrThrow({ where: { id: world.explanations[0]!.id } });
      const waiting = await db.explanation.create({
        data: { teamId: done.teamId, videoId: done.videoId, modelId: done.modelId, method: 'gradcam', target: done.target, params: {}, status: 'RUNNING', requestedById: done.requestedById },
      });
      const created = await world.owner.client.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
        i: {
          teamId: world.teamId,
          name: 'Draft to edit',
          instructions: 'Judge **plausibility**.\n\n<b onclick="window.__x=1">raw</b>',
          design: 'LIKERT',
          overlap: 1,
          raterIds: [world.rater.userId],
          explanationIds: [...world.explanations.map((e) => e.id), waiting.id],
        },
      });
      const id = created.createStudy.id as string;
      const p = await owner.newPage();
      p.setDefaultTimeout(30_000);
      await p.goto(`/studies/${id}`);
      await p.getByText('Waiting for explanations').waitFor();
      expect(await p.getByTestId('study-open').isDisabled()).toBe(true);
      // Markdown rendered; the raw HTML is shown as text, not as an element.
      expect(await p.getByTestId('study-instructions').locator('strong').innerText()).toBe('plausibility');
      expect(await p.getByTestId('study-instructions').locator('b').count()).toBe(0);
      expect(await p.getByTestId('study-instructions').innerText()).toContain('<b onclick="window.__x=1">raw</b>');
      // The explanation finishes: the banner turns without a reload.
      await db.explanation.update({
        where: { id: waiting.id },
        data: { status: 'DONE', progress: 1, saliencySha256: done.saliencySha256, saliencyShape: (done.saliencyShape ?? []) as number[], finishedAt: new Date() },
      });
      await p.getByText('Ready to open').waitFor();
      expect(await p.getByTestId('study-open').isDisabled()).toBe(false);
      // Edit the draft.
      await p.getByTestId('study-edit').click();
      await p.getByTestId('study-edit-form').getByLabel('Name', { exact: true }).fill('Draft renamed');
      await p.getByTestId('study-edit-save').click();
      await p.getByRole('heading', { name: 'Draft renamed' }).waitFor();
      expect((await db.study.findUniqueOrThrow({ where: { id } })).name).toBe('Draft renamed');
      // Delete it, after confirming.
      await p.getByTestId('study-delete').click();
      await p.getByTestId('delete-study-dialog-confirm').click();
      await p.waitForURL((u) => u.pathname === '/studies');
      expect(await db.study.count({ where: { id } })).toBe(0);
      expect(await db.auditEvent.count({ where: { subjectId: id, action: 'study.deleted' } })).toBe(1);
      expect(owner.errors()).toEqual([]);
    } finally {
      await owner.close();
    }
  });
});
