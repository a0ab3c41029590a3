import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMp4 } from '../video/encode.ts';
import { probeVideo, type VideoMeta } from '../video/probe.ts';
import { withTempDir } from '../video/test-fixtures.ts';
import { storedProbe } from './explain-worker.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
let meta: VideoMeta;

beforeAll(async () => {
  tmp = await withTempDir();
  const [n, s] = [6, 16];
  await encodeMp4(new Float32Array(n * s * s * 3).fill(0.5), [n, s, s, 3], tmp.file('grey.mp4'), { fps: 10, quality: 'lossless' });
  meta = await probeVideo(tmp.file('grey.mp4'));
});
afterAll(() => tmp.cleanup());

describe('storedProbe', () => {
  it('reuses the probe an upload stored (a JSON round trip of probeVideo) unchanged', () => {
    const stored: unknown = JSON.parse(JSON.stringify(meta));
    expect(storedProbe(stored)).toEqual(meta);
  });

  it('refuses partial or missing metadata, so the worker probes the file itself', () => {
    expect(storedProbe(null)).toBeNull();
    expect(storedProbe({ fps: 10, frameCount: 6, durationSec: 0.6, width: 16, height: 16 })).toBeNull();
    const { firstFrameTime: _dropped, ...withoutTimeline } = meta;
    expect(storedProbe(withoutTimeline)).toBeNull();
    expect(storedProbe({ ...meta, fps: Number.NaN })).toBeNull();
  });
});
