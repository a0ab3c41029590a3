/**
 * TensorFlow.js tensor memory of one explanation job, for sizing ENGINE_CONCURRENCY on a GPU host
 * (docs/gpu.md). For each case it runs what the worker runs for a default F-EP explanation — the
 * F-EP optimisation, then the insertion and deletion metrics — on the model (default: the shipped
 * one) and a SynthActions held-out clip at the model's input size, and reports bytes held in TF.js
 * tensors (`tf.memory().numBytes`):
 *
 * - `sampled_peak`: the largest value read in the method's onProgress callback (once per iteration,
 *   i.e. between iterations: the optimiser state, masks and the clip kept across iterations);
 * - `peak`: the true high-water mark, recorded on every change of the engine's byte counter (it
 *   includes the activations a forward+backward pass holds for the gradient, and the metric
 *   batches), which is what a device must hold;
 * both as bytes above the idle process (model weights loaded, nothing running) — the per-job figure.
 *
 * These are TF.js tensor bytes: the same tensors the `tensorflow` backend (tfjs-node-gpu) allocates
 * on the device. TensorFlow's own workspace (cuDNN scratch, allocator rounding, CUDA context) comes
 * on top and is not counted here.
 *
 *   npx tsx bench/gpu-memory.ts                 # all cases, default parameters (300 iterations)
 *   ITERS=3 METRIC_STEPS=8 npx tsx bench/gpu-memory.ts    # quick: the peaks are reached in iteration 2
 *                                                           # and in the first metric batch of 8 clips
 *   CASES=16:0.1,16:0.05/0.1/0.2,32:0.1 ...     # frames:areas, areas separated by '/'
 *   MODEL_DIR=/path/to/model ...                # another fep-model directory (default: the shipped one)
 *
 * Cases at the manifest's frame count use the model as loadModel returns it; other lengths (layers
 * models only) use its layers and weights rebuilt for that input length (REBUILT=1 rebuilds at the
 * manifest's length too, to compare the two: identical figures for the shipped model).
 *
 * The last line printed is one JSON object with every figure. ENGINE_BACKEND applies as in the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { causalMetric } from '../src/core/metrics.ts';
import { getMethod } from '../src/methods/index.ts';
import type { VideoClassifier } from '../src/methods/types.ts';
import { fileSystemLoader } from '../src/model/fs-io.ts';
import { BUILTIN_MODEL_DIR, loadModel } from '../src/model/load-model.ts';
import { readManifest, toInputSpec } from '../src/model/manifest.ts';
import { preprocessClips } from '../src/model/preprocess.ts';
import { heldOutClip } from '../src/synth/synth-actions.ts';

const MiB = 1024 * 1024;

interface Case {
  frames: number;
  areas: number[];
}

function parseCases(spec: string | undefined): Case[] {
  if (!spec) {
    return [
      { frames: 16, areas: [0.1] },
      { frames: 16, areas: [0.05, 0.1, 0.2] },
      { frames: 32, areas: [0.1] },
    ];
  }
  return spec.split(',').map((c) => {
    const [frames, areas] = c.split(':');
    return { frames: Number(frames), areas: (areas ?? '0.1').split('/').map(Number) };
  });
}

/**
 * Track the high-water mark of the engine's tensor byte counter. TF.js keeps it in
 * `engine().state.numBytes` and updates it on every tensor allocation and disposal; an accessor on
 * that field sees every value it takes.
 */
function installPeakTracker(): { reset(): void; peak(): number } {
  const state = (tf.engine() as unknown as { state: { numBytes: number } }).state;
  let value = state.numBytes;
  let peak = value;
  Object.defineProperty(state, 'numBytes', {
    configurable: true,
    enumerable: true,
    get: () => value,
    set: (v: number) => {
      value = v;
      if (v > peak) peak = v;
    },
  });
  return {
    reset: () => {
      peak = value;
    },
    peak: () => peak,
  };
}

/**
 * The network (MODEL_DIR, a layers model) rebuilt for clips of `frames` frames (same layers and weights; the shipped
 * manifest fixes 16, and the (2+1)-D convolutions and global pooling accept any length), wrapped
 * like loadModel's classifier: preprocessing inside, layers frozen (input gradients only).
 */
async function modelWithFrames(frames: number): Promise<VideoClassifier> {
  const manifest = readManifest(MODEL_DIR);
  const base = await tf.loadLayersModel(fileSystemLoader(MODEL_DIR));
  const spec = { ...toInputSpec(manifest), frames };
  const input = tf.input({ shape: [frames, spec.height, spec.width, spec.channels] });
  let x: tf.SymbolicTensor = input;
  for (const layer of base.layers.slice(1)) {
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]!;
    x = (fromConfig(cls, layer.getConfig()) as unknown as tf.layers.Layer).apply(x) as tf.SymbolicTensor;
  }
  const net = tf.model({ inputs: input, outputs: x });
  net.setWeights(base.getWeights());
  base.dispose();
  net.trainable = false;
  for (const l of net.layers) l.trainable = false;
  return {
    name: `${manifest.name}@${frames}f`,
    version: manifest.version,
    labels: manifest.labels,
    input: spec,
    weightsSha256: manifest.weightsSha256,
    logits: (clips) => tf.tidy(() => net.apply(preprocessClips(clips, spec)) as tf.Tensor2D),
    dispose: () => net.dispose(),
  };
}

const MODEL_DIR = process.env.MODEL_DIR ?? BUILTIN_MODEL_DIR;
const backend = await initBackend();
const tracker = installPeakTracker();
const before = tf.memory().numBytes;
const model = await loadModel(MODEL_DIR);
const { height: H, width: W } = model.input;
const weightsBytes = tf.memory().numBytes - before;
const fep = getMethod('fep');
const iterations = process.env.ITERS ? Number(process.env.ITERS) : undefined;
const metricSteps = process.env.METRIC_STEPS ? Number(process.env.METRIC_STEPS) : 256;

const rows: Record<string, unknown>[] = [];
for (const c of parseCases(process.env.CASES)) {
  const synth = heldOutClip(3, { frames: c.frames, height: H, width: W });
  const target = synth.classIndex % model.labels.length;
  const beforeCaseModel = tf.memory().numBytes;
  const caseModel = c.frames === model.input.frames && !process.env.REBUILT ? model : await modelWithFrames(c.frames);
  const caseModelBytes = tf.memory().numBytes - beforeCaseModel;
  const idle = tf.memory().numBytes; // weights (and nothing else) held by the process
  const t0 = performance.now();
  const clip = tf.tensor4d(synth.frames, [c.frames, H, W, 3]);
  tracker.reset();
  let sampled = 0;
  let sampledAt = 0;
  let seenPeak = 0;
  let peakIteration = 0;
  const params: Record<string, unknown> = { areas: c.areas, area: c.areas.includes(0.1) ? 0.1 : c.areas[0] };
  if (iterations) params.iterations = iterations;
  const result = await fep.explain({ clip, model: caseModel, target }, params, (e) => {
    const now = tf.memory().numBytes;
    if (now > sampled) {
      sampled = now;
      sampledAt = e.iteration;
    }
    if (tracker.peak() > seenPeak) {
      seenPeak = tracker.peak();
      peakIteration = e.iteration;
    }
  });
  const methodPeak = tracker.peak();
  const methodMs = performance.now() - t0;

  tracker.reset();
  const t1 = performance.now();
  for (const mode of ['insertion', 'deletion'] as const) {
    await causalMetric(caseModel, clip, target, result.saliency, { mode, steps: metricSteps });
  }
  const metricsPeak = tracker.peak();
  const metricsMs = performance.now() - t1;
  clip.dispose();
  if (caseModel !== model) caseModel.dispose();
  const leaked = tf.memory().numBytes - idle + (caseModel === model ? 0 : caseModelBytes);

  const row = {
    frames: c.frames,
    model: caseModel === model ? 'shipped (loadModel)' : 'shipped layers and weights rebuilt for this length',
    areas: c.areas,
    iterations: result.iterations,
    method_sampled_peak_mib: +((sampled - idle) / MiB).toFixed(1),
    method_sampled_peak_iteration: sampledAt,
    method_peak_mib: +((methodPeak - idle) / MiB).toFixed(1),
    method_peak_iteration: peakIteration,
    metrics_peak_mib: +((metricsPeak - idle) / MiB).toFixed(1),
    metric_steps: metricSteps,
    job_peak_mib: +((Math.max(methodPeak, metricsPeak) - idle) / MiB).toFixed(1),
    method_s: +(methodMs / 1000).toFixed(1),
    metrics_s: +(metricsMs / 1000).toFixed(1),
    bytes_left_after_job: leaked,
  };
  rows.push(row);
  console.log(
    `${String(c.frames).padStart(2)}×${H}×${W} areas [${c.areas.join(', ')}]: ` +
      `between iterations ${row.method_sampled_peak_mib} MiB, F-EP peak ${row.method_peak_mib} MiB, ` +
      `metrics peak ${row.metrics_peak_mib} MiB → job peak ${row.job_peak_mib} MiB ` +
      `(${row.iterations} iterations ${row.method_s} s, metrics ${row.metrics_s} s)`,
  );
}

const summary = {
  backend: backend.backend,
  device: backend.device,
  model_weights_mib: +(weightsBytes / MiB).toFixed(2),
  rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  cases: rows,
};
console.log(
  `model weights ${summary.model_weights_mib} MiB once per process; ` +
    'device memory ≈ ENGINE_CONCURRENCY × job peak + weights + TensorFlow workspace (not counted here)',
);
console.log(JSON.stringify(summary));
model.dispose();
