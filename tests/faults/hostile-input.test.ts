/**
 * Fault case (g): hostile parameters and files.
 * Parameters the engine would refuse or that would run for days are BAD_USER_INPUT at request
 * time and write no row; a 64×64 300 fps file of ~177 000 frames and a 4K clip are refused, or
 * end FAILED with a readable reason, quickly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { highFrameCountClip, synthClip, uhdClip } from './support/clips.ts';
import { expectSettled, startFixture, type Fixture } from './support/fixture.ts';
import { HealthMonitor, REQUEST, report, upload, waitForSettled, waitForStatus, type ProcessHandle } from './support/product.ts';
import { waitFor } from './support/services.ts';

let fx: Fixture;
let engine: ProcessHandle;
let videoId: string;
let highFps: string;
let uhd: string;

beforeAll(async () => {
  fx = await startFixture();
  engine = await fx.instance.startEngine();
  videoId = await upload(fx.instance, fx.session, await synthClip(fx.clipDir, 4));
  // Made before any health monitor runs: ffmpeg is called synchronously (~15 s for the 300 fps file).
  highFps = highFrameCountClip(fx.clipDir);
  uhd = uhdClip(fx.clipDir);
});
afterAll(async () => fx?.close());

const count = async () => Number((await fx.instance.query(`SELECT count(*)::int AS n FROM "Explanation"`))[0].n);

describe('hostile parameters and files', () => {
  const hostile: [string, Record<string, unknown>][] = [
    ['params.iterations 1e8', { params: { iterations: 100_000_000 } }],
    ['iterations 1e8', { iterations: 100_000_000 }],
    ['params.areas [2]', { params: { areas: [2] } }],
    ['windowStartSec 1e308', { windowStartSec: 1e308 }],
  ];
  for (const [name, extra] of hostile) {
    it(`(g) ${name} → BAD_USER_INPUT at request time, no row`, async () => {
      const before = await count();
      const t0 = Date.now();
      const res = await fx.session.client.gql(REQUEST, {
        i: { teamId: fx.session.teamId, videoId, modelId: fx.session.modelId, method: 'fep', seed: 1, ...extra },
      });
      const ms = Date.now() - t0;
      report(`g-param ${name}`, { code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message, ms });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await count()).toBe(before);
    });
  }

  /** Upload refused, video FAILED, or — if accepted — the explanation refused or FAILED, all with a reason. */
  async function hostileFile(name: string, file: string) {
    const health = new HealthMonitor(() => fx.instance.url);
    const t0 = Date.now();
    let outcome: Record<string, unknown>;
    let vid: string | null = null;
    try {
      vid = await upload(fx.instance, fx.session, file);
    } catch (err) {
      outcome = { stage: 'upload', refused: (err as Error).message };
    }
    if (vid) {
      const video = await waitFor('the video to leave PROCESSING', async () => {
        const [v] = await fx.instance.query(`SELECT status::text AS status, error FROM "Video" WHERE id = $1`, [vid]);
        return v && v.status !== 'PROCESSING' ? v : null;
      }, 60_000);
      if (video.status === 'FAILED') {
        expect(video.error, 'a FAILED video needs a reason').toBeTruthy();
        outcome = { stage: 'video', status: 'FAILED', error: video.error };
      } else {
        const res = await fx.session.client.gql(REQUEST, {
          i: { teamId: fx.session.teamId, videoId: vid, modelId: fx.session.modelId, method: 'fep', iterations: 20, seed: 1 },
        });
        if (res.errors?.length) {
          expect(res.errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
          outcome = { stage: 'request', code: res.errors[0]!.extensions?.code, message: res.errors[0]!.message };
        } else {
          const id = (res.data as any).requestExplanation.id;
          const final = await waitForStatus(fx.instance, id, ['DONE', 'FAILED', 'CANCELLED'], 60_000);
          const [row] = await fx.instance.query(`SELECT error FROM "Explanation" WHERE id = $1`, [id]);
          expect(final, 'a hostile file must not be explained').toBe('FAILED');
          expect(row.error).toBeTruthy();
          outcome = { stage: 'engine', status: final, error: row.error };
        }
      }
    }
    const ms = Date.now() - t0;
    await waitForSettled(fx.instance, 30_000);
    const h = await health.stop();
    await expectSettled(fx.instance, h, { mayFail: () => true });
    report(`g-file ${name}`, { ...outcome!, ms, healthMaxMs: h.maxMs });
    expect(ms, 'refused or failed quickly').toBeLessThan(60_000);
  }

  it('(g) a 64×64 300 fps file of ~177 000 frames is refused or FAILED with a reason, quickly', async () => {
    await hostileFile('300fps-177k-frames', highFps);
  });

  it('(g) a 4K clip is refused or FAILED with a reason, quickly', async () => {
    await hostileFile('4k', uhd);
  });
});
