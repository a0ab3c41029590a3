/**
 * Collaboration in two Chromium browsers (Olga, the team owner; Max, a reviewer):
 *   - Olga types @ in a comment box: the combobox offers team members (aria-expanded,
 *     aria-activedescendant, arrow keys, Enter, Escape); the mention reaches Max's bell live,
 *     without a reload, and the notification leads to the comment;
 *   - Olga edits her comment (shown as edited), Max resolves the thread and Olga reopens it;
 *   - the invite page names the team, the role and the inviter, and a bad link reveals nothing;
 *   - in a live review the host's decision is labelled "Accepted by Olga Owner for <explanation>"
 *     and Max's votes never replace it; "End session" asks first, and Cancel ends nothing;
 *   - removing an annotation asks first, and Cancel keeps it.
 * Screenshots go to test-artifacts/e2e/collaboration-*.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodLabel } from '@fep/shared/methods';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { createStudyWorld, signInBrowser, type StudyWorld } from '../support/studies-server.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
let server: WebServer;
let world: StudyWorld;
let olgaBrowser: TestBrowser;
let maxBrowser: TestBrowser;
let olga: Page;
let max: Page;

const shot = (p: Page, name: string) => p.screenshot({ path: path.join(ARTIFACTS, `collaboration-${name}.png`), fullPage: true });
const unread = async (p: Page) => Number(await p.getByTestId('notification-bell').getAttribute('data-unread'));

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await startWebServer();
  world = await createStudyWorld(server);
  olgaBrowser = await launchBrowser({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
  maxBrowser = await launchBrowser({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
  await signInBrowser(olgaBrowser.context, server.url, world.owner);
  await signInBrowser(maxBrowser.context, server.url, world.member);
  olga = await olgaBrowser.newPage();
  max = await maxBrowser.newPage();
  olga.setDefaultTimeout(30_000);
  max.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await olgaBrowser?.close();
  await maxBrowser?.close();
  await world?.close();
  await server?.close();
});

describe('collaboration between two people', () => {
  const explanationLabel = () => `1. clip 1 · ${methodLabel('fep')}`;

  it('an @mention picked from the combobox lights up the other person’s bell live; edit and resolve', async () => {
    const e0 = world.explanations[0]!.id;
    // Max sits on the dashboard; his bell is live once its first event (the current count) arrived.
    await max.goto(`/?team=${world.teamId}`);
    await max.locator('[data-testid="notification-bell"][data-live="true"]').waitFor();
    const before = await unread(max);

    await olga.goto(`/explanations/${e0}`);
    const box = olga.getByTestId('comment-input');
    await box.waitFor();
    await box.click();
    await box.pressSequentially('The mask sits on the hand, @M');
    // The combobox opens with the matching member and points at the highlighted option.
    await olga.locator('[data-testid="comment-input"][aria-expanded="true"]').waitFor();
    const list = olga.getByTestId('comment-input-mentions');
    expect(await list.getByRole('option').allInnerTexts()).toEqual(['Max Member']);
    const activeId = await box.getAttribute('aria-activedescendant');
    expect(activeId).toBeTruthy();
    expect(await olga.locator(`[id="${activeId}"]`).innerText()).toBe('Max Member');
    expect(await box.getAttribute('aria-controls')).toBe(await list.getAttribute('id'));
    await shot(olga, '1-mention-combobox');
    // Escape closes the list without touching the text; typing on brings it back.
    await box.press('Escape');
    await olga.locator('[data-testid="comment-input"][aria-expanded="false"]').waitFor();
    expect(await box.inputValue()).toBe('The mask sits on the hand, @M');
    await box.press('Backspace');
    await box.press('Backspace');
    await box.pressSequentially('@');
    await olga.locator('[data-testid="comment-input"][aria-expanded="true"]').waitFor();
    // With an empty query every member who can open the explanation is offered, by name (Rita
    // is a RATER: no explanation.read); the arrow keys walk them, wrapping.
    expect(await list.getByRole('option').allInnerTexts()).toEqual(['Max Member', 'Olga Owner']);
    await box.press('ArrowDown');
    expect(await olga.locator(`[id="${await box.getAttribute('aria-activedescendant')}"]`).innerText()).toBe('Olga Owner');
    await box.press('ArrowDown');
    await box.press('ArrowUp');
    await box.press('ArrowUp');
    expect(await olga.locator(`[id="${await box.getAttribute('aria-activedescendant')}"]`).innerText()).toBe('Max Member');
    await box.press('Enter');
    await olga.locator('[data-testid="comment-input"][aria-expanded="false"]').waitFor();
    expect(await box.inputValue()).toBe('The mask sits on the hand, @Max ');
    await box.pressSequentially('is that right?');
    await olga.getByTestId('comment-submit').click();
    const comment = olga.getByTestId('comment').filter({ hasText: 'The mask sits on the hand' });
    await comment.waitFor();
    expect(await comment.innerText()).toContain('Mentions: Max Member');

    // Max's bell counts up without a reload.
    await max.locator(`[data-testid="notification-bell"][data-unread="${before + 1}"]`).waitFor({ timeout: 10_000 });
    await max.getByTestId('notification-button').click();
    const item = max.getByTestId('notification-item').first();
    await item.waitFor();
    expect(await item.innerText()).toContain(`Olga Owner mentioned you in a comment on the ${methodLabel('fep')} explanation of “clip 1”`);
    expect(await item.getAttribute('data-unread')).toBe('true');
    await shot(max, '2-bell-live');

    // Olga edits her comment: it says so, with the time.
    await comment.getByTestId('comment-edit').click();
    const edit = olga.getByTestId('comment-edit-input');
    await edit.fill('The mask sits on the left hand, @Max is that right?');
    await olga.getByTestId('comment-edit-save').click();
    const edited = olga.getByTestId('comment').filter({ hasText: 'the left hand' });
    await edited.getByTestId('comment-edited').waitFor();
    expect(await edited.getByTestId('comment-edited').innerText()).toMatch(/edited /);

    // The notification leads Max to the comment; opening it marks it read.
    await item.click();
    await max.waitForURL(`**/explanations/${e0}#comment-*`);
    await max.locator(`[data-testid="notification-bell"][data-unread="${before}"]`).waitFor();
    const thread = max.getByTestId('comment-thread').filter({ hasText: 'the left hand' });
    await thread.waitFor();
    // Max is a reviewer: he may resolve Olga's thread, not edit her words.
    expect(await thread.getByTestId('comment-edit').count()).toBe(0);
    await thread.getByTestId('comment-resolve').click();
    await thread.getByTestId('comment-resolved').waitFor();
    expect(await thread.getByTestId('comment-resolved').innerText()).toContain('Resolved by Max Member');
    await shot(max, '3-resolved');
    // Olga reopens it.
    await olga.reload();
    const olgaThread = olga.getByTestId('comment-thread').filter({ hasText: 'the left hand' });
    await olgaThread.getByTestId('comment-reopen').click();
    await olga.locator('[data-testid="comment-thread"][data-resolved="false"]').filter({ hasText: 'the left hand' }).waitFor();
    const audit = await world.db.prisma.auditEvent.findMany({ where: { teamId: world.teamId, action: { startsWith: 'comment.' } }, orderBy: { seq: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['comment.added', 'comment.edited', 'comment.resolved', 'comment.reopened']);
    expect(olgaBrowser.errors()).toEqual([]);
    expect(maxBrowser.errors()).toEqual([]);
  });

  it('removing an annotation asks first, and Cancel keeps it', async () => {
    const e1 = world.explanations[1]!.id;
    const created = await world.owner.client.ok<any>(`mutation($i: CreateAnnotationInput!) { createAnnotation(input: $i) { id } }`, {
      i: { explanationId: e1, shape: 'RECTANGLE', rect: { x: 0.1, y: 0.1, w: 0.3, h: 0.3 }, frameStart: 0, frameEnd: 2, label: 'the hand' },
    });
    const id = created.createAnnotation.id as string;
    const live = async () => (await world.db.prisma.annotation.findUniqueOrThrow({ where: { id } })).deletedAt;
    await olga.goto(`/explanations/${e1}`);
    const item = olga.getByTestId('annotation-item').filter({ hasText: 'the hand' });
    await item.getByTestId('annotation-remove').click();
    const dialog = olga.getByTestId('annotation-remove-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('The rectangle “the hand” on frames 1–3 will be removed');
    await shot(olga, '7-annotation-remove-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await live()).toBeNull();
    await item.getByTestId('annotation-remove').click();
    await dialog.getByRole('button', { name: 'Remove annotation' }).click();
    await item.waitFor({ state: 'detached' });
    expect(await live()).not.toBeNull();
  });

  it('the invite page names the team, the role and the inviter; a bad link reveals nothing', async () => {
    const inv = await world.owner.client.ok<any>(`mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`, {
      i: { teamId: world.teamId, email: 'newcomer@example.com', role: 'AUDITOR' },
    });
    const guestBrowser = await launchBrowser({ baseURL: server.url, viewport: { width: 1280, height: 720 } });
    try {
      const guest = await guestBrowser.newPage();
      await guest.goto(`/invite/${encodeURIComponent(inv.inviteMember.token)}`);
      await guest.getByTestId('invitation-facts').waitFor();
      expect(await guest.getByTestId('invitation-team').innerText()).toBe('Plausibility Lab');
      expect(await guest.getByTestId('invitation-role').innerText()).toBe('Auditor');
      expect(await guest.getByTestId('invitation-inviter').innerText()).toBe('Olga Owner');
      expect(await guest.getByRole('heading', { level: 1 }).innerText()).toContain('Join Plausibility Lab');
      await shot(guest, '4-invite');
      await guest.goto(`/invite/${'x'.repeat(43)}`);
      await guest.getByTestId('invitation-invalid').waitFor();
      expect(await guest.locator('body').innerText()).not.toContain('Plausibility Lab');
      expect(guestBrowser.errors()).toEqual([]);
    } finally {
      await guestBrowser.close();
    }
  });

  it('the host’s decision is labelled and a participant’s vote never replaces it; End session asks first', async () => {
    const { startReviewSession: s } = await world.owner.client.ok<any>(`mutation($i: StartReviewSessionInput!) { startReviewSession(input: $i) { id } }`, {
      i: { teamId: world.teamId, title: 'Sign-off', explanationIds: world.explanations.slice(0, 2).map((e) => e.id) },
    });
    await olga.goto(`/review/${s.id}`);
    await max.goto(`/review/${s.id}`);
    for (const p of [olga, max]) await p.locator('[data-testid="review-session"][data-live="true"]').waitFor();
    const decisions = (p: Page) => p.getByTestId('decision');

    // Max votes first: it counts until the host decides, and says whose it is.
    await max.getByTestId('decide-REJECT').click();
    await decisions(olga).filter({ hasText: `Rejected by Max Member for ${explanationLabel()}` }).waitFor();
    // The host accepts: that is the session's decision, for everyone.
    await olga.getByTestId('decide-ACCEPT').click();
    for (const p of [olga, max]) await decisions(p).filter({ hasText: `Accepted by Olga Owner for ${explanationLabel()}` }).waitFor();
    // Max votes again: listed as his vote, the host's decision stands.
    await max.getByTestId('decide-NEEDS_WORK').click();
    for (const p of [olga, max]) await p.getByTestId('decision-votes').getByText(`Marked needs work by Max Member for ${explanationLabel()}`).waitFor();
    for (const p of [olga, max]) expect(await decisions(p).allInnerTexts()).toEqual([`Accepted by Olga Owner for ${explanationLabel()} (host)`]);
    await shot(max, '5-decisions');

    // End session asks first; Cancel leaves the session live.
    await olga.getByTestId('review-end').click();
    const dialog = olga.getByTestId('review-end-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('End “Sign-off” for everyone?');
    await shot(olga, '6-end-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await world.db.prisma.reviewSession.findUniqueOrThrow({ where: { id: s.id } })).status).toBe('LIVE');
    await olga.getByTestId('review-end').click();
    await olga.getByTestId('review-end-dialog-confirm').click();
    for (const p of [olga, max]) await p.getByTestId('review-summary').waitFor();
    const ended = await world.db.prisma.reviewSession.findUniqueOrThrow({ where: { id: s.id } });
    expect(ended.status).toBe('ENDED');
    const summary = ended.summary as { decisions: { verdict: string; decidedBy: { userId: string } }[]; votes: { verdict: string; decidedBy: { userId: string } }[] };
    expect(summary.decisions.map((d) => [d.verdict, d.decidedBy.userId])).toEqual([['ACCEPT', world.owner.userId]]);
    expect(summary.votes.map((d) => [d.verdict, d.decidedBy.userId])).toEqual([['NEEDS_WORK', world.member.userId]]);
    // After the end the page reads the saved summary: the labels stay.
    await max.reload();
    await decisions(max).filter({ hasText: `Accepted by Olga Owner for ${explanationLabel()}` }).waitFor();
    expect(olgaBrowser.errors()).toEqual([]);
    expect(maxBrowser.errors()).toEqual([]);
  });
});
