/** One private PostgreSQL + Redis, one product instance with an API process, per test file. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { Instance, settledState, signUpWithTeam, type HealthMonitor, type Session } from './product.ts';
import { FaultServices } from './services.ts';

export interface Fixture {
  services: FaultServices;
  instance: Instance;
  session: Session;
  clipDir: string;
  close(): Promise<void>;
}

export async function startFixture(opts: { extraEnv?: Record<string, string> } = {}): Promise<Fixture> {
  const services = new FaultServices();
  try {
    await services.start();
    const instance = new Instance(services, 'fep_a', opts.extraEnv);
    await instance.init();
    await instance.startApi();
    const session = await signUpWithTeam(instance);
    const clipDir = path.join(services.dir, 'clips');
    mkdirSync(clipDir, { recursive: true });
    return {
      services,
      instance,
      session,
      clipDir,
      close: async () => {
        await instance.stopAll();
        await services.teardown();
      },
    };
  } catch (err) {
    await services.teardown();
    throw err;
  }
}

/**
 * The invariants every case ends with: nothing QUEUED/RUNNING, DONE rows each with their own
 * saliency blob, FAILED rows only with a reason (and only where `mayFail` allows), no orphan
 * blobs, and the web process answered `health` within 2 s throughout.
 */
export async function expectSettled(
  instance: Instance,
  health: { maxMs: number; unanswered: number },
  opts: { mayFail?: (id: string) => boolean } = {},
) {
  const s = await settledState(instance);
  expect(s.stranded, 'explanations left QUEUED/RUNNING').toEqual([]);
  expect(s.saliencyBlobsMissing, 'DONE rows without a saliency blob').toEqual([]);
  expect(s.orphanBlobs, 'blobs no row refers to').toEqual([]);
  for (const f of s.failed) {
    expect(f.error, `FAILED ${f.id} without a reason`).toBeTruthy();
    expect(opts.mayFail?.(f.id) ?? false, `${f.id} FAILED: ${f.error}`).toBe(true);
  }
  expect(health.unanswered, 'health polls without an answer within 2 s').toBe(0);
  expect(health.maxMs).toBeLessThan(2000);
  return s;
}

export type { HealthMonitor };
