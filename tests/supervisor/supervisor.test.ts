/** scripts/supervisor.ts against real child processes that crash, are killed, or stay up. */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { backoffMs, Supervisor } from '../../scripts/supervisor.ts';

const node = process.execPath;
let sup: Supervisor | null = null;
afterEach(async () => {
  await sup?.stop();
  sup = null;
});

async function until(cond: () => boolean, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('backoffMs', () => {
  it('doubles from 1 s and caps at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing child with capped exponential backoff and logs why it died', async () => {
    const logs: string[] = [];
    sup = new Supervisor({
      name: 'engine 1',
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(3), 20)'],
      spawnOptions: { stdio: 'ignore' },
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      log: (m) => logs.push(m),
    });
    sup.start();
    await until(() => sup!.exits.length >= 5, 20_000);
    const exits = sup.exits.slice(0, 5);
    expect(exits.map((e) => e.code)).toEqual([3, 3, 3, 3, 3]);
    expect(exits.map((e) => e.restartInMs)).toEqual([50, 100, 200, 200, 200]);
    expect(sup.starts).toBeGreaterThanOrEqual(5);
    expect(logs[0]).toMatch(/^\[start\] engine 1 died \(exit code 3\) after \d+\.\d s; restarting in 0\.1 s$/);
  });

  it('records a signal death, restarts, and stops for good on stop()', async () => {
    const logs: string[] = [];
    sup = new Supervisor({
      name: 'engine 2',
      command: node,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      spawnOptions: { stdio: 'ignore' },
      initialBackoffMs: 50,
      log: (m) => logs.push(m),
    });
    sup.start();
    await until(() => sup!.child?.pid !== undefined, 5000);
    sup.child!.kill('SIGKILL');
    await until(() => sup!.starts === 2 && sup!.child !== null, 5000);
    expect(sup.exits[0]).toMatchObject({ code: null, signal: 'SIGKILL', restartInMs: 50 });
    expect(logs[0]).toMatch(/engine 2 died \(killed by SIGKILL\)/);
    const last = sup.child!;
    await sup.stop();
    expect(last.signalCode).toBe('SIGTERM');
    expect(sup.exits.at(-1)!.restartInMs).toBeNull();
    // Nothing is started after stop(): wait past what a restart would have taken.
    const starts = sup.starts;
    await new Promise((r) => setTimeout(r, 300));
    expect(sup.starts).toBe(starts);
  });

  it('resets the backoff after a child stayed up long enough', async () => {
    const counter = `/tmp/fep-supervisor-${process.pid}-${Date.now()}`;
    onTestFinished(() => rmSync(counter, { force: true }));
    sup = new Supervisor({
      name: 'engine 3',
      command: node,
      // Crash quickly twice, then live 400 ms, then crash quickly again (state kept in an env counter file).
      args: ['-e', "const f=process.env.F;const fs=require('fs');const n=Number(fs.existsSync(f)?fs.readFileSync(f,'utf8'):0);fs.writeFileSync(f,String(n+1));setTimeout(()=>process.exit(1), n===2?400:10)"],
      spawnOptions: { stdio: 'ignore', env: { ...process.env, F: counter } },
      initialBackoffMs: 50,
      resetAfterMs: 300,
      log: () => {},
    });
    sup.start();
    await until(() => sup!.exits.length >= 4, 10_000);
    expect(sup.exits.slice(0, 4).map((e) => e.restartInMs)).toEqual([50, 100, 50, 100]);
  });
});
