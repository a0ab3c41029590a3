/**
 * Engine benchmark (not a test): `npm run bench:engine` (root) or `npm run bench` (apps/engine).
 *
 * Measures, on the shipped (2+1)D model when models/synth-r2plus1d exists (else the same
 * architecture with seeded random weights — the timing does not depend on the weight values):
 *  - model forward and forward+backward (gradient of the target logit w.r.t. the clip);
 *  - one F-EP iteration (mask generator + blur blend + forward + backward + area regulariser +
 *    DCT modulation + SGD step), from the progress callback of a real `fep.explain` run;
 *  - a default F-EP explanation end to end (BENCH_FULL=0 skips it), and one as the worker runs it
 *    (explainClip: prediction, F-EP, the 256-step insertion/deletion metrics) on a SynthActions clip;
 *  - peak RSS of the process;
 *  - scaling with frames (8, 16, 32) and resolution (112, 160, 224): model fwd+bwd and F-EP ms/iter;
 *  - a PyTorch reference of the same architecture and weights in the same run, when
 *    `/usr/bin/python3 -c "import torch"` works (bench/pytorch_reference.py), with a logit check.
 * Prints a table; the last line is one JSON object.
 * `-- --model <dir>` benchmarks another model directory (e.g. an ONNX export) against PyTorch
 * instead: bench/bench-model.ts.
 *
 * Env: BENCH_ITERS (F-EP iterations timed per config, default 12), BENCH_FULL (1), BENCH_SCALING (1),
 * BENCH_PYTHON (/usr/bin/python3), ENGINE_BACKEND, ENGINE_KERNEL_THREADS (threads of the engine's own
 * kernels: apps/engine/docs/speed.md).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { kernelThreadsInUse } from '../src/core/smooth-max-simd.ts';
import { fep } from '../src/methods/fep.ts';
import type { VideoClassifier } from '../src/methods/types.ts';
import { fileSystemLoader } from '../src/model/fs-io.ts';
import { registerFepLayers } from '../src/model/layers.ts';
import { BUILTIN_MODEL_DIR } from '../src/model/load-model.ts';
import { readManifest } from '../src/model/manifest.ts';
import { preprocessClips } from '../src/model/preprocess.ts';
import { buildR2Plus1D } from '../src/model/r2plus1d.ts';
import { median, timeIt } from './timing.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ITERS = Number(process.env.BENCH_ITERS ?? 12);
const FULL = process.env.BENCH_FULL !== '0';
const SCALING = process.env.BENCH_SCALING !== '0';
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';

// `--model <dir>`: benchmark that model directory instead (bench/bench-model.ts), then stop.
const modelArg = process.argv.indexOf('--model');
if (modelArg >= 0) {
  const dir = process.argv[modelArg + 1];
  if (!dir) throw new Error('--model needs a model directory');
  const { benchModel } = await import('./bench-model.ts');
  await benchModel(path.resolve(process.env.INIT_CWD ?? process.cwd(), dir));
  process.exit(0);
}

const info = await initBackend();
registerFepLayers();

interface Net {
  model: tf.LayersModel;
  source: string;
  mean: number[];
  std: number[];
  classes: number;
}

async function baseNet(): Promise<Net> {
  if (existsSync(path.join(BUILTIN_MODEL_DIR, 'fep-model.json'))) {
    const manifest = readManifest(BUILTIN_MODEL_DIR);
    const model = await tf.loadLayersModel(fileSystemLoader(BUILTIN_MODEL_DIR));
    return { model, source: `shipped ${manifest.name}@${manifest.version}`, mean: manifest.input.mean, std: manifest.input.std, classes: manifest.labels.length };
  }
  // Same architecture as the training script's default (frame-difference stem, avg‖max pooling).
  const model = buildR2Plus1D({ classes: 8, diffStem: true, globalPool: 'avgmax', seed: 7 });
  return { model, source: 'synth-r2plus1d architecture, seeded random weights (no shipped model committed yet)', mean: [0.45, 0.45, 0.45], std: [0.25, 0.25, 0.25], classes: 8 };
}

/** The base network's layers rebuilt for another input size (weights copied by the caller). */
function buildLike(model: tf.LayersModel, frames: number, size: number): tf.LayersModel {
  const input = tf.input({ shape: [frames, size, size, 3] });
  let x: tf.SymbolicTensor = input;
  for (const layer of model.layers.slice(1)) {
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()]!;
    const clone = fromConfig(cls, layer.getConfig()) as unknown as tf.layers.Layer;
    x = clone.apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x });
}

function classifier(net: tf.LayersModel, base: Net, frames: number, size: number): VideoClassifier {
  net.trainable = false;
  // Freeze every layer so that the (2+1)D convolutions skip their weight gradients.
  for (const l of net.layers) l.trainable = false;
  const input = { frames, height: size, width: size, channels: 3, layout: 'NTHWC' as const, valueRange: [0, 1] as [number, number], mean: base.mean, std: base.std };
  return {
    name: 'bench',
    version: '0',
    weightsSha256: '-',
    labels: Array.from({ length: base.classes }, (_, i) => `c${i}`),
    input,
    logits: (x) => tf.tidy(() => net.apply(preprocessClips(x, input)) as tf.Tensor2D),
    dispose: () => net.dispose(),
  };
}

function modelTimes(model: VideoClassifier, frames: number, size: number, reps = 7) {
  const clip = tf.randomUniform([1, frames, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor5D;
  // wasm kernels run synchronously; reading one value makes sure all work has finished.
  const fwd = timeIt(() => tf.tidy(() => void model.logits(clip).dataSync()), reps);
  const bwd = timeIt(
    () => tf.tidy(() => void tf.slice(tf.grad((x: tf.Tensor) => tf.sum(tf.slice(model.logits(x as tf.Tensor5D), [0, 0], [1, 1])))(clip).reshape([-1]), 0, 1).dataSync()),
    reps,
  );
  clip.dispose();
  return { fwd, bwd };
}

async function fepTimes(model: VideoClassifier, frames: number, size: number, iterations: number) {
  const clip = tf.randomUniform([frames, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const stamps: number[] = [];
  const t0 = performance.now();
  await fep.explain({ clip, model, target: 0 }, { iterations }, () => {
    stamps.push(performance.now());
  });
  const total = performance.now() - t0;
  clip.dispose();
  const per = stamps.slice(1).map((t, i) => t - stamps[i]!);
  return { iterationMs: median(per.slice(Math.min(2, per.length - 1))), firstMs: stamps[0]! - t0, totalMs: total, iterations };
}

function pytorchReference(net: tf.LayersModel, base: Net, frames: number, size: number): { fwd: number; fwdBwd: number; fwdBwd1: number | null; maxLogitDiff: number; threads: number } | { error: string } {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    return { error: `${PYTHON} has no torch (apt-get install -y python3-torch)` };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'fep-bench-'));
  try {
    const layers = net.layers.slice(1).map((l) => ({
      className: l.getClassName(),
      config: l.getConfig(),
      weights: l.getWeights().map((w) => ({ shape: w.shape, data: Buffer.from((w.dataSync() as Float32Array).buffer).toString('base64') })),
    }));
    const clip = tf.randomUniform([1, frames, size, size, 3], 0, 1, 'float32', 9) as tf.Tensor5D;
    const pre = preprocessClips(clip, { frames, height: size, width: size, channels: 3, layout: 'NTHWC', valueRange: [0, 1], mean: base.mean, std: base.std });
    const logits = (net.apply(pre) as tf.Tensor).dataSync();
    writeFileSync(
      path.join(dir, 'model.json'),
      JSON.stringify({
        layers,
        input: { shape: pre.shape, data: Buffer.from((pre.dataSync() as Float32Array).buffer).toString('base64') },
        logits: Array.from(logits),
      }),
    );
    tf.dispose([clip, pre]);
    const out = execFileSync(PYTHON, [path.join(HERE, 'pytorch_reference.py'), path.join(dir, 'model.json')], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { fwd_ms: number; fwd_bwd_ms: number; fwd_bwd_ms_1thread?: number; max_logit_diff: number; threads: number };
    return { fwd: r.fwd_ms, fwdBwd: r.fwd_bwd_ms, fwdBwd1: r.fwd_bwd_ms_1thread ?? null, maxLogitDiff: r.max_logit_diff, threads: r.threads };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = await baseNet();
const rows: string[][] = [];
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const loadStart = Math.round((await import('node:os')).loadavg()[0]! * 10) / 10;
// Threads of the engine's own kernels (core/kernel-threads.ts); TF.js's wasm kernels use one.
const kernelThreads = kernelThreadsInUse();
console.log(`backend ${info.backend} (${info.device}); engine kernel threads ${kernelThreads}; model: ${base.source}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);

// Main configuration: 16×112×112.
const mainNet = buildLike(base.model, 16, 112);
mainNet.setWeights(base.model.getWeights());
const mainClassifier = classifier(mainNet, base, 16, 112);
const mt = modelTimes(mainClassifier, 16, 112);
const pt = pytorchReference(mainNet, base, 16, 112);
const ft = await fepTimes(mainClassifier, 16, 112, ITERS);
rows.push(['TF.js model forward (16×112×112)', fmt(mt.fwd)]);
rows.push(['TF.js model forward+backward', fmt(mt.bwd)]);
if ('fwd' in pt) {
  rows.push([`PyTorch ${pt.threads} threads forward (same weights; max |Δlogit| ${pt.maxLogitDiff.toExponential(1)})`, fmt(pt.fwd)]);
  rows.push(['PyTorch forward+backward', fmt(pt.fwdBwd)]);
  if (pt.fwdBwd1 !== null) rows.push(['PyTorch forward+backward, 1 thread', fmt(pt.fwdBwd1)]);
} else rows.push(['PyTorch reference', pt.error]);
rows.push([`F-EP iteration (median of ${ITERS}, after warm-up)`, fmt(ft.iterationMs)]);
rows.push(['F-EP first iteration (setup: pyramid, kernels, JIT)', fmt(ft.firstMs)]);
let full = { totalMs: NaN, iterations: fep.defaults.iterations };
if (FULL) {
  const r = await fepTimes(mainClassifier, 16, 112, fep.defaults.iterations);
  full = { totalMs: r.totalMs, iterations: r.iterations };
  rows.push([`F-EP default explanation (${r.iterations} iterations), end to end`, fmt(r.totalMs)]);
  rows.push(['  of which mean per iteration', fmt(r.totalMs / r.iterations)]);
}
mainClassifier.dispose();
// As the worker runs it: explainClip (prediction, F-EP with defaults, 256-step insertion and deletion).
let clipRun: { totalMs: number; optimiseMs: number; metricsMs: number; cpuMs: number } | null = null;
if (FULL && base.source.startsWith('shipped')) {
  const { loadModel } = await import('../src/model/load-model.ts');
  const { explainClip } = await import('../src/explain-video.ts');
  const { heldOutClip } = await import('../src/synth/synth-actions.ts');
  const model = await loadModel();
  const s = heldOutClip(3, { frames: 16, height: 112, width: 112 });
  const clip = { data: s.frames, shape: [16, 112, 112, 3], timestamps: [], sourceFrameIndices: [], paddedFrames: 0, startSec: 0, windowSec: 0, meta: {} } as unknown as import('../src/video/decode.ts').DecodedClip;
  const c0 = process.cpuUsage();
  const out = await explainClip({ clip, model, method: 'fep', target: s.classIndex, videoSha256: 'bench', backend: info });
  const c = process.cpuUsage(c0);
  const tm = out.record.timings;
  clipRun = { totalMs: tm.totalMs, optimiseMs: tm.optimiseMs, metricsMs: tm.metricsMs, cpuMs: (c.user + c.system) / 1000 };
  model.dispose();
  rows.push(['F-EP explanation as the worker runs it (explainClip incl. 256-step metrics), end to end', fmt(clipRun.totalMs)]);
  rows.push(['  of which optimisation / insertion+deletion metrics', `${fmt(clipRun.optimiseMs)} / ${fmt(clipRun.metricsMs)}`]);
  rows.push(['  CPU time of this process during it', fmt(clipRun.cpuMs)]);
}
// Peak RSS of the default configuration (before the larger scaling configurations run).
const rssDefaultMb = Math.round(process.resourceUsage().maxRSS / 1024);
rows.push(['peak RSS after the 16×112×112 runs (MB)', String(rssDefaultMb)]);

// The classifier exactly as loadModel returns it (src/model/load-model.ts sets model.trainable =
// false, which in tfjs-layers does not reach layer.trainable, so the (2+1)D layers still compute
// their weight gradients on every backward pass).
let asLoadedMs: number | null = null;
if (base.source.startsWith('shipped')) {
  const { loadModel } = await import('../src/model/load-model.ts');
  const loaded = await loadModel();
  asLoadedMs = modelTimes(loaded, 16, 112).bwd;
  loaded.dispose();
  rows.push(['TF.js model forward+backward as loaded by loadModel (weight gradients not skipped)', fmt(asLoadedMs)]);
}

const scaling: Array<{ frames: number; size: number; model_fwd_bwd_ms: number; fep_iteration_ms: number }> = [];
if (SCALING) {
  for (const [frames, size] of [
    [8, 112],
    [16, 112],
    [32, 112],
    [16, 160],
    [16, 224],
  ] as const) {
    const net = buildLike(base.model, frames, size);
    net.setWeights(base.model.getWeights());
    const c = classifier(net, base, frames, size);
    const m = modelTimes(c, frames, size, 3);
    const f = await fepTimes(c, frames, size, Math.max(4, Math.floor(ITERS / 2)));
    c.dispose();
    scaling.push({ frames, size, model_fwd_bwd_ms: Math.round(m.bwd), fep_iteration_ms: Math.round(f.iterationMs) });
    rows.push([`scaling ${frames}×${size}×${size}: model fwd+bwd / F-EP iteration`, `${fmt(m.bwd)} / ${fmt(f.iterationMs)}`]);
  }
}
base.model.dispose();
const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
rows.push(['peak RSS incl. scaling runs (MB)', String(rssMb)]);

const w = Math.max(...rows.map((r) => r[0]!.length));
console.log(`${'measure'.padEnd(w)}  ms`);
for (const [k, v] of rows) console.log(`${k!.padEnd(w)}  ${v}`);
const result: Record<string, unknown> = {
  backend: info.backend,
  kernel_threads: kernelThreads,
  model: base.source,
  model_fwd_ms: Math.round(mt.fwd * 10) / 10,
  model_fwd_bwd_ms: Math.round(mt.bwd * 10) / 10,
  fep_iteration_ms: Math.round(ft.iterationMs * 10) / 10,
  fep_first_iteration_ms: Math.round(ft.firstMs),
  fep_total_ms: Number.isNaN(full.totalMs) ? null : Math.round(full.totalMs),
  iterations: full.iterations,
  fep_mean_iteration_ms: Number.isNaN(full.totalMs) ? null : Math.round(full.totalMs / full.iterations),
  rss_mb: rssDefaultMb,
  rss_mb_incl_scaling: rssMb,
  model_fwd_bwd_as_loaded_ms: asLoadedMs === null ? null : Math.round(asLoadedMs * 10) / 10,
  explain_clip_total_ms: clipRun ? Math.round(clipRun.totalMs) : null,
  explain_clip_metrics_ms: clipRun ? Math.round(clipRun.metricsMs) : null,
  explain_clip_cpu_ms: clipRun ? Math.round(clipRun.cpuMs) : null,
  load_average_1m_at_start: loadStart,
  load_average_1m: Math.round((await import('node:os')).loadavg()[0]! * 10) / 10,
  scaling,
};
if ('fwd' in pt) {
  result.pytorch_fwd_ms = Math.round(pt.fwd * 10) / 10;
  result.pytorch_fwd_bwd_ms = Math.round(pt.fwdBwd * 10) / 10;
  result.fep_iteration_over_pytorch_fwd_bwd = Math.round((ft.iterationMs / pt.fwdBwd) * 100) / 100;
  result.pytorch_max_logit_diff = pt.maxLogitDiff;
  if (pt.fwdBwd1 !== null) {
    result.pytorch_fwd_bwd_1thread_ms = Math.round(pt.fwdBwd1 * 10) / 10;
    result.fep_iteration_over_pytorch_fwd_bwd_1thread = Math.round((ft.iterationMs / pt.fwdBwd1) * 100) / 100;
  }
}
console.log(JSON.stringify(result));
