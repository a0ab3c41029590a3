/// <reference lib="dom" />
/**
 * Stored XSS: hostile strings in every user-controlled text the UI renders, opened in real Chromium
 * against the production build (tests/e2e/web-server.ts). Stored: team name, people's names, video
 * titles and file names, model name, class labels and card (the uploaded Markdown and every
 * revision field), annotation labels, comments and replies, rating comments, study name,
 * instructions and scale anchors, review-session titles, comments and decision notes, API-token
 * names, and the team and inviter shown on an invitation.
 * Each payload sets `window.__xss` to its field's name if it ever runs: raw `<img onerror>`,
 * `<script>`, `<svg onload>`, `<iframe srcdoc>`, `<details ontoggle>`, `javascript:` URLs as text
 * and as Markdown links, and Markdown with raw HTML. On every page: the flag stays undefined, no
 * dialog opens, no CSP violation is reported (the CSP would block an injected inline handler, so a
 * violation means the text reached the DOM as markup), no element carries an `on…` attribute or a
 * `javascript:` link, and the payload is on screen as plain text (the page really rendered it).
 * A control first shows that the same payloads do run when inserted as HTML into a page without CSP.
 */
import type { Page } from 'playwright-core';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type Person, type StudyWorld } from '../support/studies-server.ts';
import { startWebServer, type WebServer } from '../e2e/web-server.ts';

/** A short payload (≤ 80 characters) for fields with tight limits: an image handler and a script. */
const short = (field: string) => `<img src=x onerror="window.__xss='${field}'"><script>window.__xss='${field}'</script>`;
/** Everything at once, for free-text fields. */
const long = (field: string) =>
  [
    `<img src=x onerror="window.__xss='${field}'">`,
    `<script>window.__xss='${field}'</script>`,
    `<svg onload="window.__xss='${field}'"></svg>`,
    `<iframe srcdoc="<script>parent.__xss='${field}'</script>"></iframe>`,
    `<details open ontoggle="window.__xss='${field}'">x</details>`,
    `javascript:window.__xss='${field}'`,
    `[click me](javascript:window.__xss='${field}') **bold** <a href="javascript:window.__xss='${field}'">link</a>`,
    `<div onmouseover="window.__xss='${field}'" style="position:fixed;inset:0">cover</div>`,
  ].join('\n');
/** What a rendered payload shows as text: its field name inside the handler. */
const marker = (field: string) => `window.__xss='${field}'`;

let server: WebServer;
let world: StudyWorld;
let browser: TestBrowser;
let page: Page;
let outsider: TestClient;
const dialogs: string[] = [];
const ids: { fep?: string; ep?: string; videoId?: string; studyId?: string; reviewId?: string; invitation?: string; modelId?: string } = {};

beforeAll(async () => {
  server = await startWebServer();
  world = await createStudyWorld(server);
  const owner = world.owner.client;
  const db = world.db.prisma;
  const [fep, ep] = world.explanations;
  ids.fep = fep!.id;
  ids.ep = ep!.id;
  ids.videoId = fep!.videoId;

  // People: names as they signed up (a name is free text, up to 120 characters).
  for (const [who, field] of [
    [world.owner, 'owner-name'],
    [world.rater, 'rater-name'],
    [world.member, 'member-name'],
  ] as const) {
    await db.user.update({ where: { id: who.userId }, data: { name: long(field).slice(0, 120) } });
  }
  await owner.ok(`mutation($t: ID!, $n: String!) { renameTeam(teamId: $t, name: $n) { id } }`, { t: world.teamId, n: short('team') });

  // Videos: the title comes from the uploaded file name, which the uploader chooses.
  const videos = [...new Set(world.explanations.map((e) => e.videoId))];
  await db.video.update({ where: { id: videos[0]! }, data: { title: long('video-title'), filename: long('video-filename') } });
  await db.video.update({ where: { id: videos[1]! }, data: { title: short('video2') } });

  // Models: name and class labels come from an uploaded manifest (a registered version is immutable,
  // so a new one), with a finished explanation of the first video; a second model has only the
  // Markdown card it was uploaded with (shown as such when no revision exists).
  const hostile = await db.model.create({
    data: { teamId: world.teamId, name: short('model-name'), version: '1', format: 'layers-model', manifest: {}, labels: [long('class-label'), 'run'], weightsSha256: 'c'.repeat(64) },
  });
  ids.modelId = hostile.id;
  const done = await db.explanation.findUniqueOrThrow({ where: { id: ids.fep } });
  await db.explanation.create({
    data: {
      teamId: world.teamId,
      videoId: done.videoId,
      modelId: hostile.id,
      requestedById: world.owner.userId,
      method: 'fep',
      params: {},
      status: 'DONE',
      progress: 1,
      windowStartSec: 0,
      saliencySha256: done.saliencySha256,
      saliencyShape: done.saliencyShape as number[],
      provenance: { seed: 1 },
      finishedAt: new Date(),
    },
  });
  await db.model.create({
    data: {
      teamId: world.teamId,
      name: 'uploaded',
      version: '2',
      format: 'layers-model',
      manifest: { input: { frames: 16, height: 112, width: 112, layout: short('layout') } },
      labels: ['a'],
      weightsSha256: 'b'.repeat(64),
      modelCard: { markdown: `# Card\n\n${long('shipped-card')}\n\n<style>body{display:none}</style>` },
    },
  });
  const fields = ['intendedUse', 'trainingData', 'evaluation', 'limitations', 'ethicalConsiderations'];
  await owner.ok(`mutation($t: ID!, $m: ID!, $i: ModelCardInput!) { updateModelCard(teamId: $t, modelId: $m, input: $i) { id } }`, {
    t: world.teamId,
    m: hostile.id,
    i: Object.fromEntries(fields.map((f) => [f, long(`card-${f}`)])),
  });

  // Feedback on an explanation.
  await owner.ok(`mutation($i: CreateAnnotationInput!) { createAnnotation(input: $i) { id } }`, {
    i: { explanationId: ids.fep, shape: 'RECTANGLE', rect: { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, frameStart: 0, frameEnd: 10, label: long('annotation').slice(0, 200) },
  });
  const comment = await owner.ok<any>(`mutation($i: AddCommentInput!) { addComment(input: $i) { id } }`, {
    i: { explanationId: ids.fep, body: long('comment'), timeStartSec: 0.5 },
  });
  await world.member.client.ok(`mutation($i: AddCommentInput!) { addComment(input: $i) { id } }`, {
    i: { explanationId: ids.fep, body: long('reply'), parentId: comment.addComment.id },
  });
  await owner.ok(`mutation($i: RateExplanationInput!) { rateExplanation(input: $i) { id } }`, {
    i: { explanationId: ids.fep, plausibility: 4, comment: long('rating-comment') },
  });

  // A study the rater takes.
  const study = await owner.ok<any>(`mutation($i: CreateStudyInput!) { createStudy(input: $i) { id } }`, {
    i: {
      teamId: world.teamId,
      name: long('study-name').slice(0, 120),
      instructions: long('study-instructions'),
      design: 'LIKERT',
      likertPoints: 5,
      anchors: [1, 2, 3, 4, 5].map((n) => short(`anchor${n}`)),
      blinded: true,
      seed: 7,
      overlap: 1,
      raterIds: [world.rater.userId],
      explanationIds: world.explanations.map((e) => e.id),
    },
  });
  ids.studyId = study.createStudy.id;
  await owner.ok(`mutation($id: ID!) { openStudy(id: $id) { status } }`, { id: ids.studyId });

  // A live review with a comment and a decision.
  const review = await owner.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
    i: { teamId: world.teamId, title: long('review-title').slice(0, 200), explanationIds: world.explanations.map((e) => e.id) },
  });
  ids.reviewId = review.startReviewSession.id;
  await owner.ok(`mutation($id: ID!) { joinReviewSession(id: $id) { id } }`, { id: ids.reviewId });
  await owner.ok(`mutation($id: ID!, $i: ReviewCommentInput!) { addReviewComment(id: $id, input: $i) { id } }`, {
    id: ids.reviewId,
    i: { explanationId: ids.fep, body: long('review-comment'), timeSec: 0.4 },
  });
  await owner.ok(`mutation($id: ID!, $i: ReviewDecisionInput!) { decideReviewExplanation(id: $id, input: $i) { verdict } }`, {
    id: ids.reviewId,
    i: { explanationId: ids.fep, verdict: 'NEEDS_WORK', note: long('review-note') },
  });

  await owner.ok(`mutation($n: String!) { createApiToken(input: { name: $n }) { token } }`, { n: short('token') });

  // An invitation opened by someone who is not in the team yet.
  outsider = new TestClient(server.url);
  const email = `outsider-${Date.now()}@example.com`;
  await outsider.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
    i: { email, password: 'correct horse battery staple', name: short('outsider') },
  });
  const invitation = await owner.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
    i: { teamId: world.teamId, email, role: 'RATER' },
  });
  ids.invitation = invitation.inviteMember.token;

  browser = await launchBrowser({ baseURL: server.url });
  // Every CSP violation the page sees, and every dialog it opens.
  await browser.context.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as any).__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  browser.context.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
  await server?.close();
});

async function actAs(who: Person | TestClient) {
  await browser.context.clearCookies();
  await signInBrowser(browser.context, server.url, who instanceof TestClient ? ({ client: who } as Person) : who);
}

/** What a page shows and what ran on it. */
async function inspect(p: Page) {
  return p.evaluate(() => {
    const handlers: string[] = [];
    const links: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name)) handlers.push(`${el.tagName.toLowerCase()}[${a.name}]`);
      const href = el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? '';
      if (/^\s*javascript:/i.test(href)) links.push(`${el.tagName.toLowerCase()} ${href}`);
    }
    const fields = Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')).map((i) => i.value);
    return {
      xss: (window as any).__xss as string | undefined,
      csp: (window as any).__csp as string[],
      handlers,
      links,
      srcdoc: document.querySelectorAll('iframe[srcdoc]').length,
      text: [document.title, document.body.innerText, ...fields].join('\n'),
    };
  });
}

interface PageCase {
  name: string;
  as: () => Person | TestClient;
  url: () => string;
  /** Fields whose payload this page shows (as text). */
  shows: string[];
  /** Something to do on the page before it is checked (open a fold, hover, play). */
  act?: (p: Page) => Promise<void>;
}

const PAGES: PageCase[] = [
  { name: 'library', as: () => world.owner, url: () => `/?team=${world.teamId}`, shows: ['team', 'video-title', 'video2', 'owner-name'] },
  { name: 'team members', as: () => world.owner, url: () => `/teams/${world.teamId}`, shows: ['team', 'owner-name', 'rater-name', 'member-name'] },
  { name: 'video', as: () => world.owner, url: () => `/videos/${ids.videoId}`, shows: ['video-title', 'model-name'] },
  {
    name: 'explanation viewer',
    as: () => world.owner,
    url: () => `/explanations/${ids.fep}`,
    shows: ['video-title', 'annotation', 'comment', 'reply', 'rating-comment', 'member-name'],
  },
  { name: 'compare', as: () => world.owner, url: () => `/compare?ids=${ids.fep},${ids.ep}`, shows: ['video-title'] },
  {
    name: 'models',
    as: () => world.owner,
    url: () => `/models?team=${world.teamId}`,
    shows: ['model-name', 'class-label', 'shipped-card', 'layout', 'card-intendedUse', 'card-ethicalConsiderations'],
  },
  { name: 'tokens', as: () => world.owner, url: () => '/settings/tokens', shows: ['token'] },
  { name: 'studies', as: () => world.owner, url: () => `/studies?team=${world.teamId}`, shows: ['study-name'] },
  { name: 'study admin', as: () => world.owner, url: () => `/studies/${ids.studyId}`, shows: ['study-name', 'study-instructions'] },
  { name: 'study results', as: () => world.owner, url: () => `/studies/${ids.studyId}/results`, shows: ['study-name'] },
  { name: 'study rating (rater)', as: () => world.rater, url: () => `/studies/${ids.studyId}/rate`, shows: ['study-instructions', 'anchor1', 'anchor5'] },
  { name: 'reviews', as: () => world.owner, url: () => `/review?team=${world.teamId}`, shows: ['review-title'] },
  { name: 'review session', as: () => world.member, url: () => `/review/${ids.reviewId}`, shows: ['review-title', 'review-comment', 'owner-name'] },
  {
    name: 'invitation, accepted',
    as: () => outsider,
    url: () => `/invite/${ids.invitation}`,
    shows: ['outsider'],
    act: async (p) => {
      await p.getByTestId('accept-invitation').click();
      await p.waitForURL((u) => u.searchParams.has('team'));
      await expect.poll(async () => (await inspect(p)).text.includes(marker('team')), { timeout: 30_000, interval: 200 }).toBe(true);
    },
  },
];

describe('stored XSS', () => {
  it('control: the payloads do run when inserted as HTML into a page without CSP', async () => {
    const fired = await page.evaluate(async (html) => {
      document.open();
      document.write('<!doctype html><title>control</title><body></body>');
      document.close();
      document.body.innerHTML = html;
      await new Promise((r) => setTimeout(r, 0));
      // An <img> error event fires once the (failing) load is done: wait for it, not for a time.
      await Promise.all(Array.from(document.images).map((img) => (img.complete ? undefined : new Promise((r) => img.addEventListener('error', r)))));
      return (window as any).__xss as string | undefined;
    }, long('control'));
    expect(fired).toBe('control');
  });

  for (const c of PAGES) {
    it(`${c.name}: no payload runs, and the payload is shown as text`, async () => {
      await actAs(c.as());
      const errorsBefore = browser.errors().length;
      const dialogsBefore = dialogs.length;
      await page.goto(c.url());
      // Loaded once every field this page renders is on screen (as text, if escaped).
      await expect
        .poll(async () => {
          const { text } = await inspect(page);
          return c.shows.filter((f) => !text.includes(marker(f)));
        }, { timeout: 30_000, interval: 200 })
        .toEqual([]);
      await c.act?.(page);
      // Hover over everything that could carry a handler; open every fold.
      await page.mouse.move(200, 200);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
      await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
      const seen = await inspect(page);
      expect(seen.xss, `${c.name}: a payload ran`).toBeUndefined();
      expect(seen.csp, `${c.name}: CSP violations (markup reached the DOM)`).toEqual([]);
      expect(seen.handlers, `${c.name}: inline handlers in the DOM`).toEqual([]);
      expect(seen.links, `${c.name}: javascript: URLs in the DOM`).toEqual([]);
      expect(seen.srcdoc).toBe(0);
      expect(dialogs.slice(dialogsBefore)).toEqual([]);
      expect(browser.errors().slice(errorsBefore), server.log().slice(-2000)).toEqual([]);
    });
  }
});
