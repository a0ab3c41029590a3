import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinModel } from '../models/builtin-model.ts';
import { startTestApi, type TestApi } from '../testing/test-api.ts';
import { DEMO_FILENAME, DEMO_METHODS, seedDemoContent } from './demo-content.ts';
import { DEMO_EMAIL, seedDemo } from './demo-seed.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

describe('first-start demo content', () => {
  it('a test database holds no demo account unless a test seeds one', async () => {
    expect(await api.runtime.db.user.count({ where: { email: DEMO_EMAIL } })).toBe(0);
    expect(await seedDemoContent(api.runtime)).toEqual({ created: false, reason: 'no demo team' });
    expect(await api.runtime.db.video.count()).toBe(0);
  });

  it('puts a generated clip in the demo team and queues Grad-CAM, F-EP and EP through the normal request path, once', async () => {
    await registerBuiltinModel(api.runtime.db);
    const seeded = await seedDemo(api.runtime.db);
    expect(seeded.created).toBe(true);
    const first = await seedDemoContent(api.runtime);
    expect(first.created).toBe(true);
    const video = await api.runtime.db.video.findUniqueOrThrow({ where: { id: first.videoId! } });
    expect(video).toMatchObject({ status: 'READY', filename: DEMO_FILENAME, frameCount: 16, width: 112, height: 112 });
    expect(await api.runtime.storage.has(video.sha256)).toBe(true);

    const rows = await api.runtime.db.explanation.findMany({ where: { videoId: video.id }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => r.method)).toEqual([...DEMO_METHODS]);
    expect(rows.every((r) => r.status === 'QUEUED')).toBe(true);
    expect(rows.map((r) => r.id)).toEqual(first.explanationIds);
    // Jobs carry only the id, and Grad-CAM is first in line.
    const waiting = await api.runtime.queue.getJobs(['waiting', 'prioritized'], 0, -1, true);
    expect(waiting.map((j) => j.data)).toEqual(rows.map((r) => ({ explanationId: r.id })));
    // Audited like a person's upload and requests.
    const actions = (await api.runtime.db.auditEvent.findMany({ where: { teamId: video.teamId }, orderBy: { seq: 'asc' } })).map((e) => e.action);
    expect(actions).toEqual(['team.created', 'video.uploaded', 'explanation.requested', 'explanation.requested', 'explanation.requested']);

    // A restart: nothing new, even after the demo clip was deleted.
    await api.runtime.db.video.update({ where: { id: video.id }, data: { deletedAt: new Date() } });
    expect((await seedDemo(api.runtime.db)).created).toBe(false);
    const again = await seedDemoContent(api.runtime);
    expect(again).toMatchObject({ created: false, videoId: video.id });
    expect(await api.runtime.db.video.count()).toBe(1);
    expect(await api.runtime.db.explanation.count()).toBe(3);
  });
});
