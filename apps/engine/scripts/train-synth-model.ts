/**
 * Train the shipped SynthActions classifier (small R(2+1)D, src/model/r2plus1d.ts) with TF.js on
 * the wasm backend, on clips generated on the fly, and write apps/engine/models/synth-r2plus1d/.
 *
 *   npm run train:model -w @fep/engine            # defaults below
 *   STEPS=300 OUT=/tmp/m npm run train:model -w @fep/engine
 *
 * Reproducible: weights are initialised from fixed seeds, training clip k uses seed k+1 (class drawn
 * from the seed), validation clips use seeds 1_500_000_000+i and the held-out test clips seeds
 * 2_000_000_000+i (HELD_OUT_SEED_BASE), so test clips are never trained or selected on. The wasm
 * backend runs single-threaded here, so a rerun reproduces the same numbers.
 *
 * Every EVAL_EVERY steps the model is evaluated on the validation clips; when validation accuracy
 * improves, the checkpoint is evaluated on the held-out clips and written out in full (model.json,
 * weights.bin, fep-model.json, MODEL_CARD.md, training-log.json), so an interrupted run still leaves
 * a complete, documented model.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildR2Plus1D } from '../src/model/r2plus1d.ts';
import { fileSystemLoader, fileSystemSaver } from '../src/model/fs-io.ts';
import { registerFepLayers } from '../src/model/layers.ts';
import { computeWeightsSha256, MANIFEST_FILE, readManifest, toInputSpec, type FepModelManifest } from '../src/model/manifest.ts';
import { preprocessClips } from '../src/model/preprocess.ts';
import type { ModelInputSpec } from '../src/methods/types.ts';
import { mulberry32 } from '../src/synth/prng.ts';
import { generateClip, HELD_OUT_SEED_BASE, heldOutClip, SYNTH_ACTIONS_LABELS, type SynthClip } from '../src/synth/synth-actions.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);

/** Hyper-parameters (chosen for this run; Adam defaults β1=0.9, β2=0.999 from Kingma & Ba 2015). */
const CFG = {
  steps: env('STEPS', 600),
  batch: env('BATCH', 8),
  lr: env('LR', 2e-3),
  warmup: env('WARMUP', 50),
  evalEvery: env('EVAL_EVERY', 50),
  valClips: env('VAL_N', 64),
  heldOutClips: env('HELDOUT_N', 320),
  normClips: 32,
  initSeed: env('INIT_SEED', 1),
  /** Curriculum (Bengio et al., ICML 2009): the distractor count is capped, starting at 0; the cap
   * rises by one whenever the mean training loss of the last CURRICULUM_WINDOW steps falls below
   * CURRICULUM_LOSS; after cap 2 is passed, clips are drawn as in evaluation (1–3 distractors). */
  curriculumLoss: env('CURRICULUM_LOSS', 0.5),
  curriculumWindow: env('CURRICULUM_WINDOW', 20),
  diffStem: env('DIFF_STEM', 1) === 1,
  globalPool: (process.env.GLOBAL_POOL ?? 'avgmax') as 'avg' | 'avgmax',
  stemPool: env('STEM_POOL', 4),
  out: process.env.OUT ?? path.resolve(here, '../models/synth-r2plus1d'),
};
const VAL_SEED_BASE = 1_500_000_000;
const K = SYNTH_ACTIONS_LABELS.length;
const T = 16;
/** Clip side; 112 for the shipped model (smaller only for quick experiments). */
const HW = env('SIZE', 112);

function stack(clips: SynthClip[]): { x: tf.Tensor5D; y: tf.Tensor1D } {
  const buf = new Float32Array(clips.length * T * HW * HW * 3);
  clips.forEach((c, i) => buf.set(c.frames, i * c.frames.length));
  return {
    x: tf.tensor5d(buf, [clips.length, T, HW, HW, 3]),
    y: tf.tensor1d(clips.map((c) => c.classIndex), 'int32'),
  };
}

function channelStats(n: number): { mean: number[]; std: number[] } {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  let count = 0;
  for (let i = 0; i < n; i++) {
    const f = generateClip({ seed: 900_000_000 + i, height: HW, width: HW }).frames;
    for (let p = 0; p < f.length; p += 3) {
      for (let c = 0; c < 3; c++) {
        const v = f[p + c]!;
        sum[c]! += v;
        sq[c]! += v * v;
      }
    }
    count += f.length / 3;
  }
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  const mean = sum.map((s) => s / count);
  const std = sq.map((s, c) => Math.sqrt(s / count - mean[c]! ** 2));
  return { mean: mean.map(round), std: std.map(round) };
}

async function accuracy(model: tf.LayersModel, spec: ModelInputSpec, clipAt: (i: number) => SynthClip, n: number) {
  let correct = 0;
  const perClass = Array.from({ length: K }, () => ({ correct: 0, total: 0 }));
  const confusion = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  for (let start = 0; start < n; start += 8) {
    const clips = Array.from({ length: Math.min(8, n - start) }, (_, j) => clipAt(start + j));
    const { x, y } = stack(clips);
    const pred = tf.tidy(() => tf.argMax(model.apply(preprocessClips(x, spec)) as tf.Tensor, 1));
    const p = await pred.data();
    const truth = await y.data();
    tf.dispose([x, y, pred]);
    for (let j = 0; j < clips.length; j++) {
      const t = truth[j]!;
      const q = p[j]!;
      perClass[t]!.total++;
      confusion[t]![q]!++;
      if (t === q) {
        correct++;
        perClass[t]!.correct++;
      }
    }
  }
  return { accuracy: correct / n, perClass, confusion };
}

function lrAt(step: number): number {
  if (step < CFG.warmup) return (CFG.lr * (step + 1)) / CFG.warmup;
  const p = (step - CFG.warmup) / Math.max(1, CFG.steps - CFG.warmup);
  return CFG.lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * p)));
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const started = Date.now();
  const log = (o: Record<string, unknown>): void => console.log(JSON.stringify({ t: Math.round((Date.now() - started) / 1000), ...o }));
  log({ event: 'start', backend: tf.getBackend(), cfg: CFG });

  const stats = channelStats(CFG.normClips);
  const spec: ModelInputSpec = {
    frames: T,
    height: HW,
    width: HW,
    channels: 3,
    layout: 'NTHWC',
    valueRange: [0, 1],
    mean: stats.mean,
    std: stats.std,
  };
  log({ event: 'norm', ...stats });

  const model = buildR2Plus1D({ classes: K, seed: CFG.initSeed, height: HW, width: HW, diffStem: CFG.diffStem, globalPool: CFG.globalPool, stemPool: CFG.stemPool });
  const optimizer = tf.train.adam(CFG.lr);
  const history: Record<string, unknown>[] = [];
  let best = -1;
  let seedCursor = 1;
  let lossAcc = 0;
  let lossN = 0;
  let stepTime = 0;
  let curriculumCap = 0;
  const recentLosses: number[] = [];
  const curriculumLog: { step: number; cap: number }[] = [];

  for (let step = 0; step < CFG.steps; step++) {
    const t0 = performance.now();
    const cap = curriculumCap;
    const clips = Array.from({ length: CFG.batch }, () => {
      const seed = seedCursor++;
      // Within the cap, the count is still random: 0..cap, from a stream derived from the clip seed.
      const distractors = cap < 3 ? Math.floor(mulberry32(seed ^ 0x2f6b1d)() * (cap + 1)) : undefined;
      return generateClip({ seed, distractors, height: HW, width: HW });
    });
    const { x, y } = stack(clips);
    (optimizer as unknown as { learningRate: number }).learningRate = lrAt(step);
    const loss = optimizer.minimize(() => {
      const logits = model.apply(preprocessClips(x, spec), { training: true }) as tf.Tensor;
      return tf.losses.softmaxCrossEntropy(tf.oneHot(y, K), logits) as tf.Scalar;
    }, true);
    const lossValue = (await loss!.data())[0]!;
    lossAcc += lossValue;
    lossN++;
    recentLosses.push(lossValue);
    if (recentLosses.length > CFG.curriculumWindow) recentLosses.shift();
    const recentMean = recentLosses.reduce((a, b) => a + b, 0) / recentLosses.length;
    if (curriculumCap < 3 && recentLosses.length === CFG.curriculumWindow && recentMean < CFG.curriculumLoss) {
      curriculumCap++;
      recentLosses.length = 0;
      curriculumLog.push({ step: step + 1, cap: curriculumCap });
      log({ event: 'curriculum', step: step + 1, cap: curriculumCap });
    }
    tf.dispose([x, y, loss!]);
    stepTime += performance.now() - t0;

    if ((step + 1) % 20 === 0) {
      log({ event: 'train', step: step + 1, cap: curriculumCap, loss: +(lossAcc / lossN).toFixed(4), lr: +lrAt(step).toExponential(3), msPerStep: Math.round(stepTime / lossN), tensors: tf.memory().numTensors });
      lossAcc = 0;
      lossN = 0;
      stepTime = 0;
    }
    if ((step + 1) % CFG.evalEvery === 0 || step + 1 === CFG.steps) {
      const val = await accuracy(model, spec, (i) => generateClip({ seed: VAL_SEED_BASE + i, classIndex: i % K, height: HW, width: HW }), CFG.valClips);
      const entry: Record<string, unknown> = { step: step + 1, clipsSeen: seedCursor - 1, distractorCap: curriculumCap, curriculum: [...curriculumLog], valAccuracy: val.accuracy, elapsedS: Math.round((Date.now() - started) / 1000) };
      log({ event: 'val', ...entry });
      if (val.accuracy > best) {
        best = val.accuracy;
        const test = await accuracy(model, spec, (i) => heldOutClip(i, { height: HW, width: HW }), CFG.heldOutClips);
        entry.heldOutAccuracy = test.accuracy;
        history.push(entry);
        await writeModel(model, spec, { step: step + 1, clipsSeen: seedCursor - 1, val: val.accuracy, test, elapsedS: Math.round((Date.now() - started) / 1000), history });
        log({ event: 'checkpoint', step: step + 1, heldOutAccuracy: test.accuracy });
      } else {
        history.push(entry);
      }
    }
  }
  log({ event: 'done', bestVal: best });
}

interface Run {
  step: number;
  clipsSeen: number;
  val: number;
  test: Awaited<ReturnType<typeof accuracy>>;
  elapsedS: number;
  history: Record<string, unknown>[];
}

async function writeModel(model: tf.LayersModel, spec: ModelInputSpec, run: Run): Promise<void> {
  mkdirSync(CFG.out, { recursive: true });
  await model.save(fileSystemSaver(CFG.out));
  const manifest: FepModelManifest = {
    name: 'synth-r2plus1d',
    version: '1.0.0',
    format: 'layers-model',
    input: spec,
    labels: [...SYNTH_ACTIONS_LABELS],
    weightsSha256: computeWeightsSha256(CFG.out),
    modelCard: 'MODEL_CARD.md',
  };
  writeFileSync(path.join(CFG.out, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(path.join(CFG.out, 'training-log.json'), JSON.stringify({ cfg: { ...CFG, out: undefined }, selectedStep: run.step, history: run.history }, null, 2) + '\n');
  writeFileSync(path.join(CFG.out, 'MODEL_CARD.md'), modelCard(manifest, run, model));
}

/**
 * CARD_ONLY=1: rewrite MODEL_CARD.md for the model already in OUT (re-evaluating the held-out and
 * validation clips, which are deterministic) without training.
 */
async function writeCardOnly(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerFepLayers();
  const model = await tf.loadLayersModel(fileSystemLoader(CFG.out));
  const manifest = readManifest(CFG.out);
  const spec = toInputSpec(manifest);
  const logFile = JSON.parse(readFileSync(path.join(CFG.out, 'training-log.json'), 'utf8')) as { selectedStep: number; history: Record<string, unknown>[] };
  const entry = logFile.history.find((h) => h.step === logFile.selectedStep);
  if (!entry) throw new Error('training-log.json has no entry for the selected step');
  const val = await accuracy(model, spec, (i) => generateClip({ seed: VAL_SEED_BASE + i, classIndex: i % K, height: HW, width: HW }), CFG.valClips);
  const test = await accuracy(model, spec, (i) => heldOutClip(i, { height: HW, width: HW }), CFG.heldOutClips);
  if (Math.abs(test.accuracy - Number(entry.heldOutAccuracy)) > 1e-9) {
    throw new Error(`held-out accuracy ${test.accuracy} differs from the logged ${String(entry.heldOutAccuracy)}: different model or settings`);
  }
  const run: Run = { step: logFile.selectedStep, clipsSeen: Number(entry.clipsSeen), val: val.accuracy, test, elapsedS: Number(entry.elapsedS), history: logFile.history };
  writeFileSync(path.join(CFG.out, 'MODEL_CARD.md'), modelCard(manifest, run, model));
  console.log(JSON.stringify({ event: 'card', heldOutAccuracy: test.accuracy, valAccuracy: val.accuracy }));
}

function modelCard(m: FepModelManifest, run: Run, model: tf.LayersModel): string {
  const pct = (v: number): string => `${(100 * v).toFixed(1)} %`;
  const params = model.countParams();
  const layerRows = model.layers
    .map((l) => `| ${l.name} | ${l.getClassName()} | [${(l.outputShape as (number | null)[]).map((d) => d ?? 'N').join(',')}] | ${l.countParams()} |`)
    .join('\n');
  const perClass = run.test.perClass.map((c, k) => `| ${SYNTH_ACTIONS_LABELS[k]} | ${c.correct}/${c.total} | ${pct(c.correct / Math.max(1, c.total))} |`).join('\n');
  const confusion = run.test.confusion.map((row, k) => `| ${SYNTH_ACTIONS_LABELS[k]} | ${row.join(' | ')} |`).join('\n');
  return `# Model card: synth-r2plus1d ${m.version}

A small R(2+1)D-style action classifier (Tran et al., CVPR 2018) trained on **SynthActions**
(apps/engine/src/synth/synth-actions.ts), the synthetic clips with per-pixel ground truth that
F-EP Studio uses to check explanation methods. It is a test instrument, not a model of real video.

## Intended use
- Sanity checks and benchmarks of saliency methods (F-EP, EP, baselines): the evidence for the
  class is known (the target object's pixels on the action frames), so pointing game / IoU against
  the ground truth is meaningful.
- End-to-end tests and demos of the engine (fast: one forward of 1×16×112×112×3 takes tens of ms
  on the TF.js wasm backend).

## Held-out accuracy
**${pct(run.test.accuracy)}** on ${CFG.heldOutClips} held-out clips (seeds ${HELD_OUT_SEED_BASE}+i, class i mod 8, balanced;
never used for training or checkpoint selection). Validation accuracy of the selected checkpoint:
${pct(run.val)} on ${CFG.valClips} clips (seeds ${VAL_SEED_BASE}+i).
${run.test.accuracy < 0.95 ? `
**Status: below the project's 95 % target.** The run stopped at ${CFG.steps} steps (${CFG.steps * CFG.batch} clips), set by the
time budget on a shared 2-core CPU; the selected checkpoint was trained with at most
${String((run.history.at(-1) as { distractorCap?: number } | undefined)?.distractorCap ?? '?')} of the 3 distractors evaluation uses (curriculum cap), and the training loss was still falling. More steps (e.g. STEPS=3000) are
the expected fix; this checkpoint is shipped so the engine has a real, verified model to explain.
` : ''}

| class | correct | accuracy |
|---|---|---|
${perClass}

Confusion matrix (rows = truth, columns = prediction, order as in labels):

| truth \\ pred | ${SYNTH_ACTIONS_LABELS.map((_, k) => k).join(' | ')} |
|---|${SYNTH_ACTIONS_LABELS.map(() => '---').join('|')}|
${confusion}

## Architecture
Input [N,16,112,112,3] NTHWC, values in [0,1], normalised per channel with mean
${JSON.stringify(m.input.mean)} and std ${JSON.stringify(m.input.std)} (measured on ${CFG.normClips} training clips).
R(2+1)D-style (Tran et al., CVPR 2018): ${CFG.stemPool}×${CFG.stemPool} average pool${CFG.diffStem ? ' → frame-difference stem (concat(x_t, x_t − x_{t−1}), no weights)' : ''} → 3 blocks of
[spatial 3×3 conv + ReLU, temporal 3×1 conv + ReLU] → global ${CFG.globalPool === 'avgmax' ? 'average ‖ max' : 'average'} pool → dense (8 logits).
${params} parameters. All convolutions are 2-D (custom layers in src/model/layers.ts, registered
for deserialisation), because Conv3D is ~70× slower on TF.js wasm.

| layer | class | output | params |
|---|---|---|---|
${layerRows}

## Training
- Data: SynthActions clips generated on the fly, training clip k has seed k+1 (class drawn from the
  seed); ${run.clipsSeen} clips seen by the selected checkpoint (step ${run.step} of ${CFG.steps}).
- Curriculum: the number of distractors starts capped at 0 and the cap rises by one each time the
  mean training loss over ${CFG.curriculumWindow} steps falls below ${CFG.curriculumLoss}; at cap 3 clips are drawn as in
  evaluation. Cap raises of this run (step → cap): ${JSON.stringify((run.history.at(-1)?.curriculum as unknown[] | undefined) ?? [])}.
- Development history (same data and optimiser; all runs on the shared, heavily loaded 2-core
  machine at 2–12 s per step): (1) 112→56 trunk, average pooling, no curriculum: loss stayed at
  chance (≈ 2.08 = ln 8) for 180 steps; (2) same with a fixed 200-step distractor curriculum: chance
  at step 100; (3) + frame-difference stem and average ‖ max pooling: chance at step 40 (stopped for
  time); (4) trunk at 28×28 (4×4 stem pool), fixed curriculum: chance through step 200. A 2-class
  check (left/right, no distractors) learned in 50 steps, so the pipeline was sound and the
  distractors were arriving too early; hence the loss-triggered curriculum above.
- Optimiser: Adam (Kingma & Ba 2015, β1 0.9, β2 0.999), batch ${CFG.batch}, learning rate ${CFG.lr}
  with ${CFG.warmup}-step linear warm-up and cosine decay to 5 %; softmax cross-entropy.
- Initialisation: He-normal convolutions, Glorot-uniform dense, fixed seeds (INIT_SEED=${CFG.initSeed}).
- Hardware: TF.js 4.22 wasm backend on a 2-core CPU, no GPU; ${Math.round(run.elapsedS / 60)} min of wall time up to the
  selected checkpoint. Weight gradients are computed by hand (the wasm backend has no
  Conv2DBackpropFilter kernel), see src/model/layers.ts.
- Reproduce: \`npm run train:model -w @fep/engine\` (writes this directory; see training-log.json).

## Limitations
- Trained only on SynthActions: 8 motion classes of one rectangle-with-stripes object among 1–3
  look-alike distractors on a striped/noisy static background. It says nothing about real video and
  will give arbitrary answers on it.
- Distractors only ever stay still, jitter, oscillate, wobble or pulse; a distractor that translates
  steadily or rotates monotonically (never generated) would likely fool the model.
- Input must be exactly 16×112×112×3; the engine resizes/samples clips before calling it.
- No batch normalisation or dropout; accuracy was measured on synthetic clips from the same
  generator, so it is an in-distribution figure.
`;
}

if (process.env.CARD_ONLY === '1') await writeCardOnly();
else await main();
