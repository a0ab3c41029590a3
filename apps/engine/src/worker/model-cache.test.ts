import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.ts';
import type { VideoClassifier } from '../methods/types.ts';
import { createTinyClassifier } from '../testing/tiny-classifier.ts';
import { ModelCache } from './model-cache.ts';

const SPEC = { frames: 2, height: 8, width: 8 };

/** Real tiny classifiers; records which were disposed. */
function loader(disposed: string[]) {
  let loads = 0;
  return {
    count: () => loads,
    load: (name: string) => async (): Promise<VideoClassifier> => {
      loads++;
      const model = createTinyClassifier(SPEC, { seed: loads });
      const dispose = model.dispose.bind(model);
      model.dispose = () => {
        disposed.push(name);
        dispose();
      };
      return model;
    },
  };
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('ModelCache', () => {
  it('loads once per key and keeps at most `capacity` idle models, disposing the least recently used', async () => {
    const disposed: string[] = [];
    const l = loader(disposed);
    const cache = new ModelCache(2);
    const before = tf.memory().numTensors;
    (await cache.acquire('a', l.load('a'))).release();
    (await cache.acquire('b', l.load('b'))).release();
    (await cache.acquire('a', l.load('a'))).release(); // a is now the most recent
    expect(l.count()).toBe(2);
    (await cache.acquire('c', l.load('c'))).release();
    await Promise.resolve();
    expect(disposed).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
    await cache.clear();
    expect(disposed.sort()).toEqual(['a', 'b', 'c']);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never disposes a model while a job still holds it', async () => {
    const disposed: string[] = [];
    const l = loader(disposed);
    const cache = new ModelCache(1);
    const held = await cache.acquire('a', l.load('a'));
    const other = await cache.acquire('b', l.load('b'));
    expect(disposed).toEqual([]);
    // Still usable.
    const out = held.model.logits(tf.zeros([1, 2, 8, 8, 3]) as tf.Tensor5D);
    out.dispose();
    other.release();
    await Promise.resolve();
    // Over capacity, and only idle entries are evicted: b goes, a stays while held.
    expect(disposed).toEqual(['b']);
    held.release();
    await cache.clear();
    expect(disposed.sort()).toEqual(['a', 'b']);
  });

  it('does not cache a failed load', async () => {
    const cache = new ModelCache(2);
    await expect(cache.acquire('x', async () => Promise.reject(new Error('bad model')))).rejects.toThrow('bad model');
    await Promise.resolve();
    expect(cache.keys()).toEqual([]);
    const disposed: string[] = [];
    const lease = await cache.acquire('x', loader(disposed).load('x'));
    lease.release();
    lease.release(); // a second release does nothing
    expect(cache.keys()).toEqual(['x']);
    await cache.clear();
  });
});
