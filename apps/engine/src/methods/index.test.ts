import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineVersion, initBackend } from '../backend.ts';
import { createTinyClassifier } from '../testing/tiny-classifier.ts';
import { METHOD_CATALOGUE } from '@fep/shared/methods';
import { METHODS, METHOD_NAMES, UnknownMethodError, getMethod } from './index.ts';

beforeAll(async () => {
  await initBackend();
});

describe('method registry', () => {
  it('registers exactly the catalogue methods, each with the catalogue defaults', () => {
    expect(Object.keys(METHODS)).toEqual([...METHOD_NAMES]);
    for (const name of METHOD_NAMES) {
      expect(getMethod(name).name).toBe(name);
      expect(getMethod(name).defaults).toBe(METHOD_CATALOGUE[name].defaults);
    }
    expect(getMethod('fep').defaults).toMatchObject({ iterations: 300, learningRate: 0.05, step: 7, weighting: 'ideal', temporalCutoff: 0.125, spatialCutoff: 0.5 });
    expect(getMethod('ep').defaults).not.toHaveProperty('weighting');
  });

  it('throws a typed error for unknown names (also for prototype keys)', () => {
    expect(() => getMethod('grad-cam')).toThrow(UnknownMethodError);
    expect(() => getMethod('toString')).toThrow(UnknownMethodError);
  });

  it('random baseline is seeded and has the clip shape', async () => {
    const model = createTinyClassifier({ frames: 2, height: 8, width: 8 });
    const clip = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const a = await getMethod('random').explain({ clip, model, target: 0 }, { seed: 3 });
    const b = await getMethod('random').explain({ clip, model, target: 0 }, { seed: 3 });
    const c = await getMethod('random').explain({ clip, model, target: 0 }, { seed: 4 });
    expect(a.shape).toEqual([2, 8, 8]);
    expect(a.saliency).toEqual(b.saliency);
    expect(a.saliency).not.toEqual(c.saliency);
    clip.dispose();
    model.dispose();
  });
});

describe('backend', () => {
  it('selects wasm here (tfjs-node is not installed) and returns the same choice again', async () => {
    const info = await initBackend();
    expect(['wasm', 'tensorflow', 'cpu']).toContain(info.backend);
    if (!process.env.ENGINE_BACKEND) expect(info.backend).toBe('wasm');
    expect(await initBackend()).toEqual(info);
    expect(tf.getBackend()).toBe(info.backend);
  });

  it('engineVersion prefers FEP_ENGINE_VERSION, else a git commit', () => {
    const saved = process.env.FEP_ENGINE_VERSION;
    process.env.FEP_ENGINE_VERSION = 'v-test';
    expect(engineVersion()).toBe('v-test');
    delete process.env.FEP_ENGINE_VERSION;
    expect(engineVersion()).toMatch(/^([0-9a-f]{40}|\d+\.\d+\.\d+)$/);
    if (saved !== undefined) process.env.FEP_ENGINE_VERSION = saved;
  });
});
