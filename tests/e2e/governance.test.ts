/// <reference lib="dom" />
/**
 * Governance on screen, in a real browser against the real product:
 * - the viewer's Reproduce button re-runs a finished explanation (the in-process engine runs it),
 *   links to the new run, which is labelled "Reproduction of …" (linked to its original) there and
 *   in the video's list, and shows its agreement with the original once it is DONE;
 * - the team's audit-log page lists events with people by name, filters them by action, person and
 *   date range, pages with "Load more", and "Verify chain" reports an intact chain — and names the
 *   first event after a database superuser edits one behind the trigger's back.
 * Screenshots land in test-artifacts/governance/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgConfigFromUrl } from '@fep/db';
import { uploadVideoOverTus } from '@fep/api/testing/tus-upload.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/governance');

let server: WebServer;
let world: StudyWorld;
let browser: TestBrowser;
let page: Page;
let tmp: string;
let videoId: string;
let originalId: string;
let reproductionId: string;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function status(id: string): Promise<string> {
  return (await world.owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { status } }`, { id })).explanation.status;
}

/** All of the team's events through the API (the page's reference), following every cursor. */
async function allEvents(vars: Record<string, unknown> = {}): Promise<{ seq: number; action: string; actor: { name: string } | null }[]> {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await world.owner.client.ok(
      `query($t: ID!, $after: String, $action: String, $actorId: ID, $since: DateTime, $until: DateTime) {
        auditEvents(teamId: $t, first: 100, after: $after, action: $action, actorId: $actorId, since: $since, until: $until) {
          nodes { seq action actor { name } } pageInfo { hasNextPage endCursor } } }`,
      { t: world.teamId, after, ...vars },
    );
    out.push(...res.auditEvents.nodes);
    if (!res.auditEvents.pageInfo.hasNextPage) return out;
    after = res.auditEvents.pageInfo.endCursor;
  }
}

const rowSeqs = async () => (await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq')))));

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-governance-'));
  const clip = path.join(tmp, 'clip.mp4');
  execFileSync('npx', ['fep', 'synth', '--seed', '5', '--out', clip], { cwd: ROOT, stdio: 'ignore' });
  server = await startWebServer();
  world = await createStudyWorld(server);
  const owner = world.owner.client;
  videoId = await uploadVideoOverTus(server.url, owner, world.teamId, clip, { filename: 'synth-seed5.mp4' });
  const models = await owner.ok<any>(`query($t: ID!) { models(teamId: $t, first: 100) { nodes { id builtin } } }`, { t: world.teamId });
  const modelId = models.models.nodes.find((m: any) => m.builtin).id as string;
  originalId = (
    await owner.ok<any>(`mutation($i: RequestExplanationInput!) { requestExplanation(input: $i) { id } }`, {
      i: { teamId: world.teamId, videoId, modelId, method: 'gradient', seed: 5, windowStartSec: 0 },
    })
  ).requestExplanation.id;
  browser = await launchBrowser({ baseURL: server.url, viewport: { width: 1366, height: 900 } });
  await signInBrowser(browser.context, server.url, world.owner);
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('reproduce from the viewer', () => {
  it('Reproduce queues a re-run, links to it, and its viewer shows the agreement once it is done', async () => {
    await expect.poll(() => status(originalId), { timeout: 240_000, interval: 500 }).toBe('DONE');
    await page.goto(`/explanations/${originalId}`);
    await page.getByTestId('frame-indicator').filter({ hasText: /frame 1\// }).waitFor();
    await page.getByTestId('reproduce-button').click();
    const link = page.getByTestId('reproduction-link');
    await link.waitFor();
    reproductionId = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);
    expect(reproductionId).not.toBe(originalId);
    await link.click();
    await page.waitForURL(`**/explanations/${reproductionId}`);
    // Labelled as a reproduction, linked to its original, whatever its state.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).innerText()).toMatch(/ reproduction$/);
    const label = page.getByTestId('reproduction-of');
    await label.waitFor();
    expect(await label.innerText()).toMatch(/^Reproduction of the .+ explanation of .+ by Olga Owner$/);
    expect(await label.getByRole('link').getAttribute('href')).toBe(`/explanations/${originalId}`);
    // The page follows the run and shows the agreement once it is DONE (the same backend: identical).
    await page.getByTestId('agreement-verdict').waitFor({ timeout: 240_000 });
    expect(await status(reproductionId)).toBe('DONE');
    expect(await page.getByTestId('agreement-verdict').innerText()).toMatch(/Reproduced exactly/);
    expect(await page.getByTestId('agreement-identical').innerText()).toMatch(/^yes/);
    expect(await page.getByTestId('agreement-pearson').innerText()).toBe('1.0000');
    expect(await page.getByTestId('agreement-max-abs-diff').innerText()).toBe('0.0000');
    expect(await page.getByTestId('agreement-top-area-iou').innerText()).toBe('1.000');
    expect(await page.getByTestId('agreement-same-backend').innerText()).toBe('yes');
    // The numbers are the API's.
    const { explanation } = await world.owner.client.ok<any>(`query($id: ID!) { explanation(id: $id) { comparison } }`, { id: reproductionId });
    expect(explanation.comparison).toMatchObject({ originalId, identical: true, pearson: 1, maxAbsDiff: 0, topAreaIoU: 1, sameBackend: true });
    await shot('reproduction-viewer');
  });

  it('the original lists its reproduction; the video page and compare label it', async () => {
    await page.goto(`/explanations/${originalId}`);
    await page.getByTestId('reproductions').getByRole('link').first().waitFor();
    expect(await page.getByTestId('reproductions').getByRole('link').first().getAttribute('href')).toBe(`/explanations/${reproductionId}`);
    expect(await page.getByTestId('reproduction-of').count()).toBe(0);
    await page.goto(`/videos/${videoId}`);
    await expect.poll(() => page.locator('[data-testid="explanation-item"][data-status="DONE"]').count()).toBe(2);
    const labelled = page.getByTestId('explanation-item').filter({ has: page.getByTestId('reproduction-of') });
    expect(await labelled.count()).toBe(1);
    expect(await labelled.getByTestId('reproduction-of').getByRole('link').getAttribute('href')).toBe(`/explanations/${originalId}`);
    await shot('video-with-reproduction');
    // Compare, original beside its reproduction: only the reproduction's pane is labelled.
    await page.goto(`/compare?ids=${originalId},${reproductionId}`);
    await page.getByTestId('compare-frame').filter({ hasText: /frame 1\// }).waitFor();
    expect(await page.getByTestId('compare-pane').nth(0).getByTestId('reproduction-of').count()).toBe(0);
    expect(await page.getByTestId('compare-pane').nth(1).getByTestId('reproduction-of').getByRole('link').getAttribute('href')).toBe(`/explanations/${originalId}`);
  });

  it('the button follows the permission matrix: a REVIEWER gets it, an AUDITOR sees only the reproductions', async () => {
    const setRole = (role: string) =>
      world.owner.client.ok(`mutation($i: ChangeRoleInput!) { changeMemberRole(input: $i) { role } }`, { i: { teamId: world.teamId, userId: world.member.userId, role } });
    await browser.context.clearCookies();
    await signInBrowser(browser.context, server.url, world.member);
    try {
      await page.goto(`/explanations/${originalId}`);
      await page.getByTestId('reproduce-button').waitFor();
      await setRole('AUDITOR');
      await page.reload();
      await page.getByTestId('reproductions').waitFor();
      expect(await page.getByTestId('reproduce-button').count()).toBe(0);
    } finally {
      await setRole('REVIEWER');
      await browser.context.clearCookies();
      await signInBrowser(browser.context, server.url, world.owner);
    }
  });
});

describe('the audit log page', () => {
  it('lists events with names, filters by action, person and date, and pages with Load more', async () => {
    // More events than one page (50) holds: renames are cheap, audited state changes.
    for (let i = 0; (await allEvents()).length <= 60; i++) {
      await world.owner.client.ok(`mutation($id: ID!, $n: String!) { renameTeam(teamId: $id, name: $n) { id } }`, { id: world.teamId, n: `Plausibility Lab ${i}` });
    }
    const everything = await allEvents();
    await page.goto(`/teams/${world.teamId}`);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(`**/teams/${world.teamId}/audit`);
    await page.getByTestId('audit-table').waitFor();
    expect(await rowSeqs()).toEqual(everything.slice(0, 50).map((e) => e.seq));
    // People by name, never by id.
    const actors = await page.getByTestId('audit-actor').allInnerTexts();
    expect(actors).toContain('Olga Owner');
    expect(actors.some((a) => /^[a-z0-9]{20,}$/i.test(a))).toBe(false);
    await page.getByTestId('audit-load-more').click();
    await expect.poll(rowSeqs).toEqual(everything.map((e) => e.seq));
    expect(await page.getByTestId('audit-load-more').count()).toBe(0);
    await shot('audit-log');

    // Action: the reproduction request, by its exact name.
    await page.getByTestId('audit-filter-action').fill('explanation.reproduce_requested');
    await page.getByTestId('audit-filter-apply').click();
    await expect.poll(() => page.getByTestId('audit-row').count()).toBe(1);
    expect(await page.getByTestId('audit-row').getAttribute('data-action')).toBe('explanation.reproduce_requested');
    expect(await page.getByTestId('audit-actor').innerText()).toBe('Olga Owner');

    // A prefix and a person: Max Member's invitation events (he accepted his).
    const maxTeam = await allEvents({ action: 'invitation.', actorId: world.member.userId });
    expect(maxTeam.map((e) => e.action)).toEqual(['invitation.accepted']);
    await page.getByTestId('audit-filter-action').fill('invitation.');
    await page.getByTestId('audit-filter-actor').selectOption({ label: 'Max Member' });
    await page.getByTestId('audit-filter-apply').click();
    await expect.poll(rowSeqs).toEqual(maxTeam.map((e) => e.seq));
    expect(new Set(await page.getByTestId('audit-actor').allInnerTexts())).toEqual(new Set(['Max Member']));

    // A date range: everything happened today; nothing happened from tomorrow on.
    await page.getByTestId('audit-filter-action').fill('');
    await page.getByTestId('audit-filter-actor').selectOption({ label: 'Anyone' });
    const day = (offset: number) => {
      const d = new Date(Date.now() + offset * 86_400_000);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    await page.getByTestId('audit-filter-since').fill(day(1));
    await page.getByTestId('audit-filter-apply').click();
    await page.getByTestId('audit-empty').waitFor();
    await page.getByTestId('audit-filter-since').fill(day(-1));
    await page.getByTestId('audit-filter-until').fill(day(1));
    await page.getByTestId('audit-filter-apply').click();
    await expect.poll(rowSeqs).toEqual(everything.slice(0, 50).map((e) => e.seq));
    expect(browser.errors()).toEqual([]);
  });

  it('Verify chain says the chain is intact, and names the first event a superuser edited', async () => {
    await page.goto(`/teams/${world.teamId}/audit`);
    await page.getByTestId('audit-table').waitFor();
    await page.getByTestId('verify-chain').click();
    const total = (await allEvents()).length;
    await expect.poll(() => page.getByTestId('verify-chain-result').innerText()).toBe(`Chain intact: ${total} events verified.`);

    const sql = new pg.Client(pgConfigFromUrl(server.databaseUrl));
    await sql.connect();
    let tampered: string;
    try {
      tampered = (await sql.query(`SELECT id FROM "AuditEvent" WHERE chain = $1 AND seq = 3`, [world.teamId])).rows[0].id;
      await sql.query(`SET session_replication_role = replica`);
      await sql.query(`UPDATE "AuditEvent" SET payload = '{"forged":true}' WHERE id = $1`, [tampered]);
      await sql.query(`SET session_replication_role = origin`);
    } finally {
      await sql.end();
    }
    await page.getByTestId('verify-chain').click();
    await expect.poll(() => page.getByTestId('verify-chain-result').innerText()).toBe(
      `Chain broken: event ${tampered} does not match its content or predecessor (2 events before it verified).`,
    );
    await shot('audit-chain-broken');
    expect(browser.errors()).toEqual([]);
  });
});
