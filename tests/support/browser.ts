/**
 * Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (the
 * Playwright-downloaded browsers cannot be installed offline). Flags: headless, no sandbox, no GPU, no
 * QUIC and no background networking (nothing outside is reachable); a persistent context needs an empty user-data-dir of its own.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Media plays without a user gesture (the viewer's Play is scripted in tests).
  '--autoplay-policy=no-user-gesture-required',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected. */
  newPage(): Promise<Page>;
  /** Console errors and page errors seen so far, minus those `allow`ed. */
  errors(): string[];
  /** Expected errors (e.g. the browser logging a 413 the test provoked) matching this pattern are ignored. */
  allow(pattern: RegExp): void;
  close(): Promise<void>;
}

export async function launchBrowser(opts: { baseURL: string; viewport?: { width: number; height: number }; acceptDownloads?: boolean }): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'fep-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_FLAGS,
    headless: true,
    baseURL: opts.baseURL,
    viewport: opts.viewport ?? { width: 1366, height: 900 },
    acceptDownloads: opts.acceptDownloads ?? false,
  });
  const seen: string[] = [];
  const allowed: RegExp[] = [];
  const watch = (page: Page) => {
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() === 'error') seen.push(`console: ${msg.text()} (${page.url()})`);
    });
    page.on('pageerror', (err) => seen.push(`pageerror: ${err.message} (${page.url()})`));
  };
  for (const p of context.pages()) watch(p);
  context.on('page', watch);
  return {
    context,
    newPage: async () => {
      const existing = context.pages().find((p) => p.url() === 'about:blank');
      return existing ?? context.newPage();
    },
    errors: () => seen.filter((e) => !allowed.some((re) => re.test(e))),
    allow: (re) => allowed.push(re),
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
