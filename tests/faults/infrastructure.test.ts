/**
 * Fault cases (c) and (d): the infrastructure goes away under the product.
 * (c) Redis restarted (its memory, so every queued job, lost) with 6 jobs queued → all 6 end DONE;
 * (d) PostgreSQL stopped for 30 s during load → every job ends DONE, none FAILED for an
 *     infrastructure reason, and the API answers within ~2 s throughout (UNAVAILABLE) instead of hanging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthClip } from './support/clips.ts';
import { expectSettled, startFixture, type Fixture } from './support/fixture.ts';
import { HealthMonitor, REQUEST, report, requestSmall, upload, waitForSettled, waitForStatus } from './support/product.ts';
import { waitFor } from './support/services.ts';

let fx: Fixture;
let videoId: string;

beforeAll(async () => {
  fx = await startFixture();
  videoId = await upload(fx.instance, fx.session, await synthClip(fx.clipDir, 2));
});
afterAll(async () => fx?.close());

describe('infrastructure faults', () => {
  it('(c) Redis restarted with 6 jobs queued: all 6 end DONE', async () => {
    const health = new HealthMonitor(() => fx.instance.url);
    // No engine yet: the 6 jobs wait in the queue when Redis goes away.
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await requestSmall(fx.session, videoId, 1000 + i, 20));
    const keysBefore = fx.services.redis.dbsize();
    await fx.services.redis.stop();
    await fx.services.redis.start();
    const keysAfterRestart = fx.services.redis.dbsize();
    const restartedAt = Date.now();
    const engine = await fx.instance.startEngine();
    for (const id of ids) await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 180_000);
    const allDoneMs = Date.now() - restartedAt;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    const s = await expectSettled(fx.instance, h);
    expect(s.done).toBe(6);
    report('c-redis-restart', { queued: 6, keysBefore, keysAfterRestart, done: s.done, allDoneMs, healthMaxMs: h.maxMs, healthPolls: h.polls });
    await fx.instance.kill(engine, 'SIGTERM');
  });

  it('(d) PostgreSQL down for 30 s during load: all jobs DONE, none FAILED, the API answers UNAVAILABLE within ~2 s', async () => {
    const before = (await fx.instance.explanations()).length;
    const health = new HealthMonitor(() => fx.instance.url);
    const engine = await fx.instance.startEngine();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await requestSmall(fx.session, videoId, 2000 + i, 20));
    await waitForStatus(fx.instance, ids[0]!, ['RUNNING', 'DONE'], 60_000);

    fx.services.postgres.stop();
    const downAt = Date.now();
    // A request during the outage: a typed error within ~2 s, and (checked below) no row.
    const t0 = Date.now();
    const during = await fx.session.client.gql(REQUEST, {
      i: { teamId: fx.session.teamId, videoId, modelId: fx.session.modelId, method: 'fep', iterations: 20, seed: 2999, windowStartSec: 0 },
    });
    const requestMs = Date.now() - t0;
    // Keeping PostgreSQL down for 30 s is the case itself, not synchronisation.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - downAt))));
    fx.services.postgres.start();
    await waitFor('PostgreSQL back', () => fx.services.postgres.ready(), 30_000);
    const upAt = Date.now();

    for (const id of ids) await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 180_000);
    const allDoneAfterUpMs = Date.now() - upAt;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    const s = await expectSettled(fx.instance, h);
    const rows = await fx.instance.explanations();
    report('d-postgres-outage', {
      outageMs: upAt - downAt, requestMs, requestCode: during.errors?.[0]?.extensions?.code, rows: rows.length - before,
      done: s.done, failed: s.failed.length, allDoneAfterUpMs, healthMaxMs: h.maxMs, healthPolls: h.polls,
      attempts: rows.filter((r) => ids.includes(r.id)).map((r) => r.attempts),
    });
    expect(during.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    expect(requestMs).toBeLessThan(2500);
    expect(rows.length - before, 'the refused request must leave no row').toBe(6);
    expect(rows.filter((r) => ids.includes(r.id)).every((r) => r.status === 'DONE')).toBe(true);
    await fx.instance.kill(engine, 'SIGTERM');
  });
});
