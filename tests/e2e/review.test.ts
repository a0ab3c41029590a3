/**
 * Two browsers in one live review session: each sees the other's presence, the host's seek is
 * mirrored to the member's player within a second (asserted on the member's video currentTime),
 * a member's comment reaches the host, and ending the session shows the saved summary to both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodLabel } from '@fep/shared/methods';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { startWebServer, type WebServer } from './web-server.ts';

let server: WebServer;
let world: StudyWorld;
let hostBrowser: TestBrowser;
let memberBrowser: TestBrowser;
let host: Page;
let member: Page;

const presenceOf = (p: Page, userId: string) => p.locator(`[data-testid="presence-item"][data-user-id="${userId}"]`);
const videoTime = (p: Page) => p.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.currentTime);

beforeAll(async () => {
  server = await startWebServer();
  world = await createStudyWorld(server);
  hostBrowser = await launchBrowser({ baseURL: server.url });
  memberBrowser = await launchBrowser({ baseURL: server.url });
  await signInBrowser(hostBrowser.context, server.url, world.owner);
  await signInBrowser(memberBrowser.context, server.url, world.member);
  host = await hostBrowser.newPage();
  member = await memberBrowser.newPage();
  host.setDefaultTimeout(30_000);
  member.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await hostBrowser?.close();
  await memberBrowser?.close();
  await world?.close();
  await server?.close();
});

describe('live review session in two browsers', () => {
  it('presence both ways, the host seek mirrored within a second, comments, end with summary', async () => {
    // The host starts the session from the Reviews page (nav link), choosing all four explanations.
    await host.goto(`/?team=${world.teamId}`);
    await host.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reviews' }).click();
    await host.getByLabel('Title').fill('Pre-release review');
    // Picker options read "clip 1 · F-EP · toy-r2plus1d 1 · <date> · by Olga Owner (done)" (explanationLabel).
    for (const [i, e] of world.explanations.entries()) await host.getByLabel(new RegExp(`^clip ${Math.floor(i / 2) + 1} · ${methodLabel(e.method)} ·`)).check();
    await host.getByRole('button', { name: 'Start session' }).click();
    await host.getByTestId('review-session').waitFor();
    const id = host.url().split('/review/')[1]!;
    const created = await world.db.prisma.reviewSession.findUniqueOrThrow({ where: { id } });
    expect(created.explanationIds).toEqual(world.explanations.map((e) => e.id));
    await member.goto(`/review/${id}`);
    // Each sees the other (and themselves).
    await presenceOf(host, world.member.userId).waitFor();
    await presenceOf(member, world.owner.userId).waitFor();
    await presenceOf(member, world.member.userId).waitFor();
    expect(await host.getByTestId('review-session').getAttribute('data-host')).toBe('true');
    expect(await member.getByTestId('review-session').getAttribute('data-host')).toBe('false');
    // Both players have loaded the first explanation's video and the member's live stream is up.
    for (const p of [host, member]) await p.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')?.readyState ?? 0) >= 1);
    await member.locator('[data-testid="review-session"][data-live="true"]').waitFor();
    expect(await videoTime(member)).toBe(0);
    // The saliency overlay is painted over the member's player.
    await member.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="review-overlay"]');
      if (!c?.width) return false;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) return true;
      return false;
    });

    // The host seeks (as the native controls would); the member's player must follow within 1 s.
    const target = 1.2;
    const t0 = Date.now();
    await host.evaluate((t) => {
      document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.currentTime = t;
    }, target);
    await member.waitForFunction(
      (t) => Math.abs(document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.currentTime - t) < 0.01,
      target,
      { timeout: 1000 },
    );
    const mirroredMs = Date.now() - t0;
    expect(mirroredMs).toBeLessThan(1000);
    console.log(`host seek mirrored to the member in ${mirroredMs} ms`);
    expect(await videoTime(member)).toBeCloseTo(target, 2);

    // A second seek, to be sure the first was not a coincidence of initial state.
    const t1 = Date.now();
    await host.evaluate(() => {
      document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.currentTime = 0.4;
    });
    await member.waitForFunction(
      () => Math.abs(document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.currentTime - 0.4) < 0.01,
      undefined,
      { timeout: 1000 },
    );
    expect(Date.now() - t1).toBeLessThan(1000);

    // Play and pause are mirrored too; after the pause both players show the same frame.
    await host.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.play());
    await member.waitForFunction(() => !document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.paused, undefined, { timeout: 1000 });
    await host.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!.pause());
    const paused = await videoTime(host);
    await member.waitForFunction(
      (t) => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')!;
        return v.paused && Math.abs(v.currentTime - t) < 0.01;
      },
      paused,
      { timeout: 1000 },
    );

    // The host switches to an explanation of the second video: the member's player follows.
    await host.getByTestId('review-explanation-2').click();
    const secondVideo = `/api/media/videos/${world.explanations[2]!.videoId}`;
    await member.waitForFunction((src) => document.querySelector<HTMLVideoElement>('[data-testid="review-video"]')?.src.endsWith(src) ?? false, secondVideo, {
      timeout: 2000,
    });

    // A member's comment appears for the host.
    await member.getByTestId('review-comment-input').fill('The heat map trails the hand by a frame');
    await member.getByTestId('review-comment-input').press('Enter');
    await host.getByTestId('review-comments').getByText('The heat map trails the hand by a frame').waitFor();

    // A decision by the host reaches the member.
    await host.getByTestId('decide-NEEDS_WORK').click();
    await member.getByTestId('decisions').getByText(/needs work/).waitFor();

    // The host ends the session: both see the summary; it is stored and audited.
    await host.getByTestId('review-end').click();
    // Ending is for everyone and cannot be undone: the host confirms it.
    await host.getByTestId('review-end-dialog-confirm').click();
    await member.getByTestId('review-summary').waitFor();
    await host.getByTestId('review-summary').waitFor();
    expect(await member.getByTestId('review-summary').innerText()).toContain('Max Member');
    const row = await world.db.prisma.reviewSession.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe('ENDED');
    const summary = row.summary as { attendees: { userId: string }[]; comments: unknown[]; decisions: unknown[] };
    expect(summary.attendees.map((a) => a.userId).sort()).toEqual([world.owner.userId, world.member.userId].sort());
    expect(summary.comments).toHaveLength(1);
    expect(summary.decisions).toHaveLength(1);
    const audit = await world.db.prisma.auditEvent.findMany({ where: { subjectId: id }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['review.started', 'review.ended']);
    expect(hostBrowser.errors()).toEqual([]);
    expect(memberBrowser.errors()).toEqual([]);
  });
});
