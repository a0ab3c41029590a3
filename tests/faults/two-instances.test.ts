/**
 * Fault case (f): two instances (two databases, two storages) share one Redis with
 * the default QUEUE_PREFIX. Each instance's jobs must complete on its own engine; none is
 * taken by the other instance's engine and completed as "skipped".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthClip } from './support/clips.ts';
import { expectSettled, startFixture, type Fixture } from './support/fixture.ts';
import { HealthMonitor, Instance, report, requestSmall, signUpWithTeam, upload, waitForSettled, waitForStatus, type Session } from './support/product.ts';

let fx: Fixture;
let b: Instance;
let sb: Session;

beforeAll(async () => {
  fx = await startFixture();
  b = new Instance(fx.services, 'fep_b');
  await b.init();
  await b.startApi();
  sb = await signUpWithTeam(b, 'Other');
});
afterAll(async () => {
  await b?.stopAll();
  await fx?.close();
});

describe('two instances on one Redis', () => {
  it('(f) each instance completes its own jobs on its own engine, none skipped', async () => {
    const a = fx.instance;
    const healthA = new HealthMonitor(() => a.url);
    const healthB = new HealthMonitor(() => b.url);
    const engineA = await a.startEngine();
    const engineB = await b.startEngine();
    const clip = await synthClip(fx.clipDir, 3);
    const va = await upload(a, fx.session, clip);
    const vb = await upload(b, sb, clip);
    const idsA: string[] = [];
    const idsB: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      idsA.push(await requestSmall(fx.session, va, 3000 + i, 20));
      idsB.push(await requestSmall(sb, vb, 4000 + i, 20));
    }
    for (const id of idsA) await waitForStatus(a, id, ['DONE', 'FAILED', 'CANCELLED'], 180_000);
    for (const id of idsB) await waitForStatus(b, id, ['DONE', 'FAILED', 'CANCELLED'], 180_000);
    const allDoneMs = Date.now() - started;
    await waitForSettled(a, 30_000);
    await waitForSettled(b, 30_000);
    const ha = await healthA.stop();
    const hb = await healthB.stop();
    const sA = await expectSettled(a, ha);
    const sB = await expectSettled(b, hb);
    const logA = readFileSync(engineA.log, 'utf8');
    const logB = readFileSync(engineB.log, 'utf8');
    report('f-two-instances', { doneA: sA.done, doneB: sB.done, allDoneMs, healthMaxMs: Math.max(ha.maxMs, hb.maxMs) });
    expect(sA.done).toBe(3);
    expect(sB.done).toBe(3);
    // Neither engine touched the other's explanations.
    for (const id of idsB) expect(logA).not.toContain(id);
    for (const id of idsA) expect(logB).not.toContain(id);
    expect(logA + logB).not.toMatch(/skipp/i);
  });
});
