/**
 * Fault cases (a) and (b): the engine process is SIGKILLed while it computes.
 * (a) once → the row ends DONE after a new engine starts;
 * (b) the same job twice → DONE, or FAILED with a reason; never stuck RUNNING;
 * (h) an engine crash does not take the web process down, and scripts/supervisor.ts restarts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthClip } from './support/clips.ts';
import { expectSettled, startFixture, type Fixture } from './support/fixture.ts';
import { HealthMonitor, report, requestSmall, upload, waitForSettled, waitForStatus, type ProcessHandle } from './support/product.ts';
import { waitFor } from './support/services.ts';

let fx: Fixture;
let videoId: string;

beforeAll(async () => {
  fx = await startFixture();
  videoId = await upload(fx.instance, fx.session, await synthClip(fx.clipDir, 1));
});
afterAll(async () => fx?.close());

/** Waits until the row is RUNNING in its `attempt`-th attempt. */
function running(id: string, attempt: number) {
  return waitFor(`${id} RUNNING (attempt ${attempt})`, async () => {
    const [r] = await fx.instance.query(`SELECT status::text AS status, attempts FROM "Explanation" WHERE id = $1`, [id]);
    return r?.status === 'RUNNING' && r.attempts >= attempt;
  }, 90_000, 100);
}

describe('engine crashes', () => {
  it('(a) SIGKILL mid-job: the explanation ends DONE once a new engine runs', async () => {
    const health = new HealthMonitor(() => fx.instance.url);
    let engine: ProcessHandle = await fx.instance.startEngine();
    const id = await requestSmall(fx.session, videoId, 101, 40);
    await running(id, 1);
    const killedAt = Date.now();
    await fx.instance.kill(engine);
    engine = await fx.instance.startEngine();
    await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 120_000);
    const recoveredMs = Date.now() - killedAt;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    const s = await expectSettled(fx.instance, h);
    const [row] = await fx.instance.query(`SELECT status::text AS status, attempts FROM "Explanation" WHERE id = $1`, [id]);
    expect(row.status).toBe('DONE');
    report('a-engine-sigkill', { recoveredMs, attempts: row.attempts, done: s.done, healthMaxMs: h.maxMs, healthPolls: h.polls });
    await fx.instance.kill(engine);
  });

  it('(b) SIGKILL the same job twice: DONE, or FAILED with a reason — never stuck RUNNING', async () => {
    const health = new HealthMonitor(() => fx.instance.url);
    let engine = await fx.instance.startEngine();
    const id = await requestSmall(fx.session, videoId, 202, 40);
    await running(id, 1);
    await fx.instance.kill(engine);
    engine = await fx.instance.startEngine();
    await running(id, 2);
    const killedAt = Date.now();
    await fx.instance.kill(engine);
    engine = await fx.instance.startEngine();
    const final = await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 120_000);
    const settledMs = Date.now() - killedAt;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    await expectSettled(fx.instance, h, { mayFail: (failed) => failed === id });
    const [row] = await fx.instance.query(`SELECT status::text AS status, attempts, error FROM "Explanation" WHERE id = $1`, [id]);
    expect(['DONE', 'FAILED']).toContain(final);
    report('b-engine-sigkill-twice', { final, attempts: row.attempts, error: row.error, settledMs, healthMaxMs: h.maxMs });
    await fx.instance.kill(engine);
  });

  it('(h) an engine crash leaves the web process up and the supervisor restarts the engine', async () => {
    const health = new HealthMonitor(() => fx.instance.url);
    const api = fx.instance.processes.find((p) => p.name === 'api')!;
    const sup = await fx.instance.superviseEngine();
    const first = () => fx.instance.processes.filter((p) => p.name === 'engine (supervised)').at(-1)!;
    await fx.instance.waitForLog(first(), /worker ready/, 90_000);
    const id = await requestSmall(fx.session, videoId, 303, 40);
    await running(id, 1);
    const killed = first();
    const killedAt = Date.now();
    await fx.instance.kill(killed);
    await waitFor('the supervisor to start a new engine', async () => sup.starts >= 2, 30_000, 100);
    const restartedMs = Date.now() - killedAt;
    await fx.instance.waitForLog(first(), /worker ready/, 90_000);
    const final = await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 120_000);
    const recoveredMs = Date.now() - killedAt;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    await expectSettled(fx.instance, h);
    expect(final).toBe('DONE');
    expect(api.child.exitCode, 'the web process must not exit').toBeNull();
    expect(sup.exits[0]?.signal).toBe('SIGKILL');
    expect(fx.instance.supervisorLog.join('\n')).toMatch(/died \(killed by SIGKILL\)/);
    report('h-supervised-engine', { restartedMs, recoveredMs, starts: sup.starts, healthMaxMs: h.maxMs, healthPolls: h.polls });
    await sup.stop();
  });
});
