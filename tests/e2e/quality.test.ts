/// <reference lib="dom" />
/**
 * The UI quality bar in a real browser, on every main page, with real data:
 * - accessibility: axe-core (Lighthouse's engine) finds no serious or critical violation
 *   (colour contrast, labels, names, ARIA, landmarks…);
 * - no console errors and no uncaught page errors;
 * - no layout shift on load: CLS < 0.1 from a PerformanceObserver installed before any script;
 * - laptop screens: at 1280×720 and 1366×768 nothing overflows sideways and the page's main
 *   controls are on screen; a phone (390×844): nothing overflows sideways;
 * - dark mode (prefers-color-scheme: dark): the same axe bar, contrast included;
 * - keyboard: Tab reaches the viewer's primary controls in reading order, and keys a focused
 *   control uses itself (Space on a button, arrows on a slider) are not taken by the shortcuts.
 * The data: the study world (three people, two clips, four finished explanations, a study and a
 * live review) plus one SynthActions clip explained for real by the in-process engine (F-EP and
 * gradient). Screenshots land in test-artifacts/quality/ (`<page>.png` light, `-dark.png`, `-390.png`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { focusWithoutIndicator, horizontalOverflow, insideViewport, layoutShift, observeLayoutShift, runAxe, seriousViolations } from '../support/quality.ts';
import { createStudyWorld, signInBrowser, type Person, type StudyWorld } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/quality');
const LAPTOPS = [
  { width: 1280, height: 720 },
  { width: 1366, height: 768 },
];
/** A common phone (iPhone 12–15): nothing may scroll sideways down to this width. */
const PHONE = { width: 390, height: 844 };
/** The CLS threshold web-vitals calls "good". */
const CLS_GOOD = 0.1;
/** Added to every GraphQL request the browser makes. */
const API_LATENCY_MS = 150;

let server: WebServer;
let world: StudyWorld;
let browser: TestBrowser;
let page: Page;
let tmp: string;
let noTeam: TestClient;
const ids: { studyId?: string; reviewId?: string; videoId?: string; fepId?: string; gradientId?: string } = {};
/** What each page measured, printed at the end (the report's figures). */
const figures: { page: string; cls: number; total: number; violations: number; minor: number; contrast: string; sources: string }[] = [];

function uploadVideo(client: TestClient, teamId: string, file: string): Promise<string> {
  return uploadVideoOverTus(server.url, client, teamId, file, { filename: 'synth-seed3.mp4' });
}

/** Whose session the browser carries. */
async function actAs(who: Person | TestClient | null) {
  await browser.context.clearCookies();
  if (!who) return;
  const person = who instanceof TestClient ? ({ client: who } as Person) : who;
  await signInBrowser(browser.context, server.url, person);
}

/** Loaded: the page's own marker is there, no loading region is busy, and two frames have passed. */
async function settle(p: Page) {
  await p.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0, undefined, { timeout: 30_000 });
  await p.evaluate(() => document.fonts.ready.then(() => undefined));
  // Late shifts (a video's metadata, a second query) would land here.
  await p.waitForTimeout(400);
  await p.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

interface PageSpec {
  name: string;
  url: () => string;
  ready: (p: Page) => Promise<unknown>;
  /** The controls someone on a laptop must be able to see and reach without scrolling sideways. */
  controls?: (p: Page) => Locator[];
  /** The controls of a working view (player, rating) that must be on the first screen, unscrolled. */
  firstScreen?: (p: Page) => Locator[];
}

/**
 * Opens the page at 1280×720 and checks it: axe, console, CLS, overflow; then at 1366×768:
 * overflow and main controls. Returns nothing; failures name the page and what broke.
 */
async function audit(spec: PageSpec) {
  const errorsBefore = browser.errors().length;
  await page.setViewportSize(LAPTOPS[0]!);
  await page.goto(spec.url());
  try {
    await spec.ready(page);
    await settle(page);
  } catch (err) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${spec.name}-not-ready.png`), fullPage: true });
    throw err;
  }
  await page.screenshot({ path: path.join(ARTIFACTS, `${spec.name}.png`), fullPage: true });

  const { violations, contrastPassed, contrastUndecided } = await runAxe(page);
  const serious = seriousViolations(violations);
  const shift = await layoutShift(page);
  figures.push({ page: spec.name, cls: shift.cls, total: shift.total, violations: serious.length, minor: violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').length, contrast: `${contrastPassed}/${contrastUndecided.length}`, sources: shift.shifts.map((x) => `${x.value.toFixed(4)}@${Math.round(x.time)}ms ${x.sources.join(' + ')}`).join('; ') });
  // Below the bar but worth reading: moderate/minor findings, and text whose contrast axe could not
  // measure (over an image or video) and a person has to judge.
  const notes = [...violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), ...contrastUndecided.map((c) => `contrast undecided: ${c}`)];
  if (notes.length) console.log(`${spec.name}:\n${notes.map((n) => `  ${n.slice(0, 220)}`).join('\n')}`);
  expect.soft(serious, `${spec.name}: axe serious/critical violations`).toEqual([]);
  expect.soft(shift.cls, `${spec.name}: CLS ${shift.cls.toFixed(4)}; shifts ${JSON.stringify(shift.shifts)}`).toBeLessThan(CLS_GOOD);
  expect.soft(browser.errors().slice(errorsBefore), `${spec.name}: console errors`).toEqual([]);

  for (const viewport of LAPTOPS) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const { overflow, culprits } = await horizontalOverflow(page);
    expect.soft(overflow, `${spec.name} at ${viewport.width}×${viewport.height}: overflows sideways by ${overflow}px: ${culprits.join(', ')}`).toBeLessThanOrEqual(0);
    for (const control of spec.controls?.(page) ?? []) {
      expect.soft(await insideViewport(page, control), `${spec.name} at ${viewport.width}×${viewport.height}: ${control} is cut off or hidden`).toBe(true);
    }
    for (const control of spec.firstScreen?.(page) ?? []) {
      expect.soft(await insideViewport(page, control, true), `${spec.name} at ${viewport.width}×${viewport.height}: ${control} is not on the first screen`).toBe(true);
    }
  }
  await page.screenshot({ path: path.join(ARTIFACTS, `${spec.name}-1366.png`) });
  // Keyboard users see where they are: every Tab stop shows a focus indicator.
  expect.soft(await focusWithoutIndicator(page), `${spec.name}: focused without a visible indicator`).toEqual([]);

  await page.setViewportSize(PHONE);
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const phone = await horizontalOverflow(page);
  expect.soft(phone.overflow, `${spec.name} at ${PHONE.width}×${PHONE.height}: overflows sideways by ${phone.overflow}px: ${phone.culprits.join(', ')}`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(ARTIFACTS, `${spec.name}-390.png`), fullPage: true });

  // Dark mode: the same axe bar (contrast included) with the system preferring dark.
  await page.setViewportSize(LAPTOPS[0]!);
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    // Controls with transition-colors fade to the new scheme: measure contrast once they have arrived.
    await page.evaluate(() =>
      Promise.all(document.getAnimations().filter((a) => a instanceof CSSTransition).map((a) => a.finished.catch(() => undefined))).then(() => undefined),
    );
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const dark = await runAxe(page);
    const darkSerious = seriousViolations(dark.violations);
    expect.soft(darkSerious, `${spec.name} (dark): axe serious/critical violations:\n${darkSerious.join('\n')}`).toEqual([]);
    const undecided = dark.contrastUndecided.map((c) => `contrast undecided (dark): ${c}`);
    if (undecided.length) console.log(`${spec.name} (dark):\n${undecided.map((n) => `  ${n.slice(0, 220)}`).join('\n')}`);
    await page.screenshot({ path: path.join(ARTIFACTS, `${spec.name}-dark.png`), fullPage: true });
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

const h1 = (p: Page) => p.getByRole('heading', { level: 1 }).first().waitFor();
const nav = (p: Page) => p.getByRole('navigation', { name: 'Main' });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-quality-'));
  const clip = path.join(tmp, 'clip.mp4');
  execFileSync('npx', ['fep', 'synth', '--seed', '3', '--out', clip], { cwd: ROOT, stdio: 'ignore' });
  server = await startWebServer();
  world = await createStudyWorld(server);
  const owner = world.owner.client;

  // Real explanations first: the engine works on them while the other pages are checked.
  ids.videoId = await uploadVideo(owner, world.teamId, clip);
  const models = await owner.ok<any>(`query($t: ID!) { models(teamId: $t, first: 100) { nodes { id builtin } } }`, { t: world.teamId });
  const modelId = models.models.nodes.find((m: any) => m.builtin).id as string;
  const request = async (method: string, extra: Record<string, unknown>) =>
    (
      await owner.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
        i: { teamId: world.teamId, videoId: ids.videoId, modelId, method, seed: 3, windowStartSec: 0, ...extra },
      })
    ).requestExplanation.id as string;
  // Few iterations: the pages, not the optimum, are under test.
  ids.fepId = await request('fep', { iterations: 3 });
  ids.gradientId = await request('gradient', {});

  const study = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: {
      teamId: world.teamId,
      name: 'Plausibility of F-EP vs EP',
      instructions: 'Judge how well the highlighted region explains the action.',
      design: 'LIKERT',
      likertPoints: 5,
      blinded: true,
      seed: 7,
      overlap: 1,
      raterIds: [world.rater.userId],
      explanationIds: world.explanations.map((e) => e.id),
    },
  });
  ids.studyId = study.createStudy.id;
  await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id: ids.studyId });
  const review = await owner.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
    i: { teamId: world.teamId, title: 'Pre-release review', explanationIds: world.explanations.map((e) => e.id) },
  });
  ids.reviewId = review.startReviewSession.id;
  await owner.ok(`mutation { createApiToken(input: { name: "CI uploads" }) { apiToken { id } } }`);
  noTeam = new TestClient(server.url);
  await noTeam.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
    i: { email: `newcomer-${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Nina Newcomer' },
  });

  browser = await launchBrowser({ baseURL: server.url, viewport: LAPTOPS[0] });
  await observeLayoutShift(browser.context);
  // A real network's latency: every API answer arrives after the skeletons have painted, so a page
  // whose placeholders are not the size of its content shows it as layout shift.
  await browser.context.route('**/api/graphql', async (route) => {
    await new Promise((r) => setTimeout(r, API_LATENCY_MS));
    await route.continue();
  });
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  if (figures.length) console.log(`quality figures:\n${figures.map((f) => `  ${f.page.padEnd(22)} CLS ${f.cls.toFixed(4)} (sum ${f.total.toFixed(4)}) · serious ${f.violations} · other rules ${f.minor} · contrast ok/undecided ${f.contrast}${f.sources ? `\n      shifts: ${f.sources}` : ''}`).join('\n')}`);
  await browser?.close();
  await world?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Waits (through the API) until the engine has finished an explanation. */
async function finished(id: string) {
  await expect
    .poll(async () => (await world.owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { status error } }`, { id })).explanation.status, { timeout: 240_000, interval: 500 })
    .toBe('DONE');
}

describe('quality bar of the main pages', () => {
  it('signed out: log in, sign up, and a failed log-in', async () => {
    await actAs(null);
    await audit({
      name: 'login',
      url: () => '/login',
      ready: (p) => p.getByTestId('email-input').waitFor(),
      controls: (p) => [p.getByLabel('Email'), p.getByLabel('Password'), p.getByTestId('login-submit')],
    });
    await audit({
      name: 'reset-password',
      url: () => '/reset-password#fep_reset_not-a-real-token',
      ready: (p) => p.getByTestId('reset-form').waitFor(),
      controls: (p) => [p.getByLabel('New password', { exact: true }), p.getByTestId('reset-submit')],
    });
    await audit({
      name: 'signup',
      url: () => '/signup',
      ready: (p) => p.getByTestId('name-input').waitFor(),
      controls: (p) => [p.getByLabel('Name'), p.getByLabel('Email'), p.getByLabel('Password'), p.getByTestId('signup-submit')],
    });
    // An error state, in words, that passes the same audit.
    await page.goto('/login');
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByLabel('Password').fill('not the password at all');
    browser.allow(/status of 401|UNAUTHENTICATED/);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('form-error').waitFor();
    expect(await page.getByTestId('form-error').innerText()).toMatch(/\w+ \w+ \w+/);
    expect(seriousViolations((await runAxe(page)).violations)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'login-error.png') });
  });

  it('a newcomer without a team sees an empty state that says what to do', async () => {
    await actAs(noTeam);
    await audit({
      name: 'dashboard-no-team',
      url: () => '/',
      ready: (p) => p.getByTestId('no-team-empty-state').waitFor(),
      controls: (p) => [p.getByTestId('no-team-empty-state').getByTestId('create-team-button'), p.getByTestId('user-menu-button')],
    });
    // The dialog it opens, and the account menu, pass the same audit.
    await page.getByTestId('no-team-empty-state').getByTestId('create-team-button').click();
    await page.getByLabel('Team name').waitFor();
    expect(seriousViolations((await runAxe(page)).violations), 'create-team dialog').toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dialog-create-team.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('user-menu-button').click();
    await page.getByTestId('logout-button').waitFor();
    expect(seriousViolations((await runAxe(page)).violations), 'user menu').toEqual([]);
  });

  it('owner: library, members, audit log, tokens, models, studies, reviews, compare', async () => {
    await actAs(world.owner);
    const team = () => encodeURIComponent(world.teamId);
    const specs: PageSpec[] = [
      {
        name: 'videos-library',
        url: () => `/?team=${team()}`,
        ready: async (p) => expect.poll(() => p.getByTestId('video-card').count()).toBe(3),
        controls: (p) => [nav(p), p.getByTestId('upload-dropzone'), p.getByTestId('user-menu-button'), p.getByTestId('team-switcher')],
      },
      {
        name: 'team-members',
        url: () => `/teams/${team()}`,
        ready: (p) => p.getByTestId('members-table').waitFor(),
        controls: (p) => [p.getByTestId('members-table'), p.getByTestId('member-role-select').first()],
      },
      {
        name: 'audit-log',
        url: () => `/teams/${team()}/audit`,
        ready: (p) => p.getByTestId('audit-table').waitFor(),
        controls: (p) => [p.getByTestId('verify-chain'), p.getByTestId('audit-filter-action'), p.getByTestId('audit-filter-apply'), p.getByTestId('audit-table')],
      },
      {
        name: 'profile',
        url: () => '/settings/profile',
        ready: (p) => p.getByTestId('profile-form').waitFor(),
        controls: (p) => [p.getByTestId('profile-name-input'), p.getByTestId('profile-save'), p.getByTestId('current-password-input'), p.getByTestId('password-submit')],
      },
      {
        name: 'tokens',
        url: () => '/settings/tokens',
        ready: (p) => p.getByTestId('tokens-table').waitFor(),
        controls: (p) => [p.getByTestId('token-name-input'), p.getByTestId('create-token-submit'), p.getByTestId('tokens-table')],
      },
      {
        name: 'models',
        url: () => `/models?team=${team()}`,
        ready: (p) => p.getByTestId('model-panel').first().waitFor(),
        controls: (p) => [p.getByTestId('model-panel').first()],
      },
      {
        name: 'studies',
        url: () => `/studies?team=${team()}`,
        ready: (p) => p.getByText('Plausibility of F-EP vs EP').first().waitFor(),
        controls: (p) => [p.getByRole('link', { name: 'New study' })],
      },
      {
        name: 'study-new',
        url: () => `/studies/new?team=${team()}`,
        ready: (p) => p.getByTestId('builder-explanations').waitFor(),
        controls: (p) => [p.getByTestId('study-builder'), p.getByTestId('builder-create')],
      },
      {
        name: 'study-admin',
        url: () => `/studies/${ids.studyId}`,
        ready: (p) => p.getByTestId('study-admin').waitFor(),
        controls: (p) => [p.getByTestId('study-close')],
      },
      {
        name: 'study-results',
        url: () => `/studies/${ids.studyId}/results`,
        ready: (p) => p.getByTestId('study-results').waitFor(),
        controls: (p) => [p.getByTestId('export-csv'), p.getByTestId('export-json')],
      },
      {
        name: 'reviews',
        url: () => `/review?team=${team()}`,
        ready: (p) => p.getByTestId('review-sessions').waitFor(),
        controls: (p) => [p.getByRole('button', { name: 'Start session' })],
      },
      {
        name: 'review-session',
        url: () => `/review/${ids.reviewId}`,
        ready: async (p) => {
          await p.getByTestId('review-session').waitFor();
          await p.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')?.readyState ?? 0) >= 1);
        },
        controls: (p) => [p.getByTestId('review-comment-input')],
        firstScreen: (p) => [p.getByTestId('review-video'), p.getByTestId('review-end')],
      },
      {
        name: 'not-found',
        url: () => '/explanations/does-not-exist',
        ready: (p) => p.getByTestId('not-found').waitFor(),
      },
    ];
    for (const spec of specs) await audit(spec);
  });

  it('rater: the blinded rating view', async () => {
    await actAs(world.rater);
    await audit({
      name: 'study-rate',
      url: () => `/studies/${ids.studyId}/rate`,
      ready: async (p) => {
        await p.getByTestId('rater-item').waitFor();
        await p.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="rater-video"]')?.readyState ?? 0) >= 1);
      },
      controls: (p) => [p.getByTestId('rater-item'), p.getByTestId('rater-progress')],
      firstScreen: (p) => [p.getByTestId('rater-canvas'), p.getByTestId('rating-1'), p.getByTestId('rating-5'), p.getByTestId('rater-submit')],
    });
  });

  it('owner: a video with real explanations, the viewer and compare', async () => {
    await actAs(world.owner);
    await finished(ids.fepId!);
    await finished(ids.gradientId!);
    await audit({
      name: 'video-detail',
      url: () => `/videos/${ids.videoId}`,
      ready: async (p) => expect.poll(() => p.locator('[data-testid="explanation-item"][data-status="DONE"]').count()).toBe(2),
      controls: (p) => [p.getByTestId('video-player'), p.getByTestId('request-form'), p.getByTestId('request-submit'), p.getByTestId('compare-checkbox').first()],
    });
    await audit({
      name: 'explanation-viewer',
      url: () => `/explanations/${ids.fepId}`,
      ready: async (p) => {
        await p.getByTestId('frame-indicator').filter({ hasText: /frame 1\// }).waitFor();
        await p.getByTestId('timeline').waitFor();
        await p.getByTestId('metrics').waitFor();
        // Audit the folded parameters too.
        await p.getByText('Parameters', { exact: true }).click();
      },
      controls: (p) => [p.getByTestId('overlay-controls'), p.getByTestId('metrics')],
      firstScreen: (p) => [p.getByTestId('player-stage'), p.getByTestId('prev-frame'), p.getByTestId('play-pause'), p.getByTestId('next-frame'), p.getByTestId('frame-indicator')],
    });
    await audit({
      name: 'compare',
      url: () => `/compare?ids=${ids.fepId},${ids.gradientId}`,
      ready: (p) => p.getByTestId('compare-frame').filter({ hasText: /frame 1\// }).waitFor(),
      firstScreen: (p) => [p.getByTestId('compare-pane').nth(0), p.getByTestId('compare-pane').nth(1), p.getByTestId('compare-play'), p.getByTestId('compare-next'), p.getByTestId('compare-frame')],
    });
  });

  it('keyboard: Tab walks the viewer in reading order; focused controls keep their own keys', async () => {
    await page.setViewportSize(LAPTOPS[1]!);
    await page.goto(`/explanations/${ids.fepId}`);
    await page.getByTestId('frame-indicator').filter({ hasText: /frame 1\// }).waitFor();
    await settle(page);
    const order: string[] = [];
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return 'body';
          const id = el.getAttribute('data-testid');
          const label = el.getAttribute('aria-label') ?? (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ?? el.closest('label')?.textContent ?? el.textContent;
          return id ?? `${el.tagName.toLowerCase()}:${(label ?? '').trim().replace(/\s+/g, ' ').slice(0, 30)}`;
        }),
      );
    }
    const at = (want: string | RegExp) => order.findIndex((o) => (typeof want === 'string' ? o === want : want.test(o)));
    expect(order[0], order.join(' → ')).toBe('a:Skip to content');
    const sequence = ['team-switcher', 'user-menu-button', 'prev-frame', 'play-pause', 'next-frame', /^button:Shortcuts/, /^input:(Original|Overlay|Mask only)$/, /^select:/, 'opacity-slider', 'threshold-slider'].map(at);
    expect(sequence.every((i) => i >= 0), order.join(' → ')).toBe(true);
    expect([...sequence].sort((a, b) => a - b), order.join(' → ')).toEqual(sequence);

    // Enter on the focused Play button plays; the frame shortcut still steps when the page has focus.
    await page.getByTestId('play-pause').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('play-pause').filter({ hasText: 'Pause' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('play-pause').filter({ hasText: 'Play' }).waitFor();
    // Space on a focused button presses that button (here: opens the shortcuts), it does not play.
    await page.getByRole('button', { name: /^Shortcuts/ }).focus();
    await page.keyboard.press('Space');
    await page.getByTestId('shortcuts-dialog').getByText('Previous / next frame').waitFor();
    expect(seriousViolations((await runAxe(page)).violations), 'shortcuts dialog').toEqual([]);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('play-pause').innerText()).toBe('Play');
    // Arrows on a focused slider move the slider, not the frame.
    const frameBefore = await page.getByTestId('frame-indicator').innerText();
    await page.getByTestId('opacity-slider').focus();
    const opacity = await page.getByTestId('opacity-slider').inputValue();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.getByTestId('opacity-slider').inputValue()).not.toBe(opacity);
    expect(await page.getByTestId('frame-indicator').innerText()).toBe(frameBefore);
    // …and from the page itself → steps one frame.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('frame-indicator').filter({ hasText: /frame 2\// }).waitFor();
    expect(browser.errors()).toEqual([]);
  });

  it('error state: the library says in words that the network failed, and Try again recovers', async () => {
    let offline = true;
    await page.route('**/api/graphql', (route) => (offline && /query Videos\b/.test(route.request().postData() ?? '') ? route.abort('failed') : route.fallback()));
    browser.allow(/Failed to load resource: net::ERR_FAILED/);
    await page.setViewportSize(LAPTOPS[0]!);
    await page.goto(`/?team=${encodeURIComponent(world.teamId)}`);
    const alert = page.getByRole('alert').filter({ hasText: "We could not load this team's videos" });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/could not reach F-EP Studio\. Check your connection and try again\./);
    expect(seriousViolations((await runAxe(page)).violations)).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'error-videos-offline.png') });
    offline = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.getByTestId('video-card').count()).toBe(3);
    await page.unroute('**/api/graphql');
    expect(browser.errors()).toEqual([]);
  });
});
