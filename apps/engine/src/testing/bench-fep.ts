/**
 * Benchmark: EP / F-EP / random on SynthActions clips with the shipped model.
 *   npx tsx src/testing/bench-fep.ts [clips=3] [iterations=300] [areas=0.1] [reward=neg-log-prob]
 * Prints time per iteration, target probability, pointing game (15 px), IoU and smoothness metrics.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend.ts';
import { pointingGame, spatialSmoothness, temporalConsistency, topAreaIoU } from '../core/metrics.ts';
import { getMethod } from '../methods/index.ts';
import { loadModel } from '../model/load-model.ts';
import { generateClip } from '../synth/synth-actions.ts';

const [clips = '3', iters = '300', areasArg = '0.1', reward = 'neg-log-prob', methodsArg = 'fep,ep,random'] = process.argv.slice(2);
await initBackend();
const model = await loadModel();
const areas = areasArg.split(',').map(Number);
for (let c = 0; c < Number(clips); c++) {
  const synth = generateClip({ seed: 1000 + c, classIndex: c % 8 });
  const { frames, height, width } = synth.shape;
  const clip = tf.tensor4d(synth.frames, [frames, height, width, 3]);
  const p = tf.tidy(() => tf.softmax(model.logits(clip.expandDims(0) as tf.Tensor5D)).dataSync());
  const pred = p.indexOf(Math.max(...p));
  console.log(`clip ${c} class ${synth.classIndex} (${synth.label}) p=${p[synth.classIndex]!.toFixed(3)} pred=${pred}`);
  for (const name of methodsArg.split(',')) {
    const method = getMethod(name);
    const t0 = performance.now();
    const res = await method.explain(
      { clip, model, target: synth.classIndex },
      { iterations: Number(iters), areas, area: areas[0], reward } as never,
      (e) => {
        if (e.iteration % 50 === 0) console.log(`  ${name} it ${e.iteration} E=${e.energy?.toFixed(3)}`);
      },
    );
    const ms = performance.now() - t0;
    const shape: [number, number, number] = [frames, height, width];
    const pg = pointingGame(res.saliency, shape, { kind: 'masks', masks: synth.gt }, 15);
    console.log(
      `  ${name}: ${(ms / res.iterations).toFixed(0)} ms/iter (${(ms / 1000).toFixed(1)} s) pg=${pg.hits}/${pg.frames}` +
        ` iou=${topAreaIoU(res.saliency, shape, synth.gt).toFixed(3)} tc=${temporalConsistency(res.saliency, shape).toFixed(4)}` +
        ` ss=${spatialSmoothness(res.saliency, shape).toFixed(4)} p=${JSON.stringify(res.extras?.finalProbabilities ?? null)}` +
        ` area=${JSON.stringify(res.extras?.finalAreas ?? null)}`,
    );
  }
  clip.dispose();
}
model.dispose();
