import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedDetector } from '../testing/tiny-classifier.ts';
import { encodeMp4 } from './encode.ts';
import { findMostConfidentWindow } from './select-window.ts';
import { withTempDir } from './test-fixtures.ts';

let tmp: Awaited<ReturnType<typeof withTempDir>>;
const [N, S] = [40, 16];

beforeAll(async () => {
  tmp = await withTempDir();
  // Grey frames; a red square on frames 20..27 only, growing from 2 px to 9 px wide.
  const data = new Float32Array(N * S * S * 3).fill(0.5);
  for (let t = 20; t < 28; t++) {
    const size = t - 18;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) data.set([0.95, 0.05, 0.05], ((t * S + 3 + y) * S + 3 + x) * 3);
  }
  await encodeMp4(data, [N, S, S, 3], tmp.file('red.mp4'), { fps: 10, quality: 'lossless' });
});
afterAll(() => tmp.cleanup());

describe('findMostConfidentWindow', () => {
  it('finds the window where the detector is most sure', async () => {
    const model = createRedDetector({ frames: 8, height: S, width: S });
    try {
      const seen: number[] = [];
      const sel = await findMostConfidentWindow(tmp.file('red.mp4'), model, { stride: 4, onWindow: (w) => seen.push(w.startFrame) });
      expect(seen).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
      expect(sel.windows).toHaveLength(9);
      expect(sel.startFrame).toBe(20);
      expect(sel.startSec).toBeCloseTo(2.0, 5);
      expect(sel.classIndex).toBe(0);
      expect(sel.probability).toBeGreaterThan(sel.windows[0]!.probability);
      // Scoring the background class instead picks a window without red.
      const bg = await findMostConfidentWindow(tmp.file('red.mp4'), model, { stride: 4, target: 1 });
      expect(bg.classIndex).toBe(1);
      expect([0, 4, 8, 12, 32]).toContain(bg.startFrame);
      await expect(findMostConfidentWindow(tmp.file('red.mp4'), model, { target: 5 })).rejects.toThrow(RangeError);
    } finally {
      model.dispose();
    }
  });
});
