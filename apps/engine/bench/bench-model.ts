/**
 * Benchmark of any model directory (ONNX or TF.js), with PyTorch on the same weights in the same run:
 *
 *   /usr/bin/python3 apps/engine/bench/export_full_models.py          # full-size r2plus1d_18, mc3_18
 *   npm run bench:engine -- --model apps/engine/bench/.models/r2plus1d_18
 *
 * Measures on one 16×112×112 SynthActions clip: the forward pass (batch 1 and the batch the
 * insertion/deletion metrics choose for this model's memory), forward + backward
 * (gradient of the target logit w.r.t. the clip), one F-EP iteration (median over BENCH_ITERS
 * iterations of a real `fep.explain` run after its first two) and its first iteration (setup), and
 * — when the directory has torch.json + state.pt (export_full_models.py) and PyTorch imports —
 * PyTorch's forward and forward + backward of the same weights with 2 and 1 threads
 * (bench/onnx_torch_reference.py), with a logit check. Estimates a default explanation as the
 * worker runs it: first iteration + (defaults − 1) × iteration + the insertion/deletion metrics
 * (2 × (steps + 1) clips: the first alone, the rest in the metrics' batch).
 * Prints a table; the last line is one JSON object.
 *
 * Env: BENCH_ITERS (F-EP iterations timed, default 4), BENCH_REPS (timing repetitions, default 3),
 * BENCH_PYTHON (/usr/bin/python3), ENGINE_BACKEND, ENGINE_KERNEL_THREADS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { CAUSAL_METRIC_BATCH_BYTES, CAUSAL_METRIC_MAX_BATCH } from '../src/core/metrics.ts';
import { kernelThreadsInUse } from '../src/core/smooth-max-simd.ts';
import { fep } from '../src/methods/fep.ts';
import { loadModel } from '../src/model/load-model.ts';
import { readManifest } from '../src/model/manifest.ts';
import { heldOutClip } from '../src/synth/synth-actions.ts';
import { median, timeIt } from './timing.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const METRIC_STEPS = 256;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchModel(modelDir: string): Promise<void> {
  const iters = Number(process.env.BENCH_ITERS ?? 4);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const info = await initBackend();
  const manifest = readManifest(modelDir);
  const model = await loadModel(modelDir);
  const { frames, height, width } = model.input;
  const synth = heldOutClip(0, { frames, height, width });
  const target = 0;
  const clip1 = tf.tensor5d(synth.frames, [1, frames, height, width, 3]);

  const fwd = timeIt(() => tf.tidy(() => void model.logits(clip1).dataSync()), reps, 1);
  // The insertion/deletion batch the metrics choose (src/core/metrics.ts causalMetric's batchSize).
  const before = tf.memory().numBytes;
  const prof = await tf.profile(() => tf.tidy(() => void model.logits(clip1).dataSync()));
  const perClipBytes = prof.peakBytes - before + clip1.size * 4;
  const metricBatch = Math.min(CAUSAL_METRIC_MAX_BATCH, Math.max(1, Math.floor(CAUSAL_METRIC_BATCH_BYTES / perClipBytes)));
  const clipB = tf.tidy(() => tf.tile(clip1, [metricBatch, 1, 1, 1, 1]) as tf.Tensor5D);
  const fwdB = metricBatch === 1 ? fwd : timeIt(() => tf.tidy(() => void model.logits(clipB).dataSync()), Math.max(1, reps - 1), 1);
  clipB.dispose();
  const fwdBwd = timeIt(
    () => tf.tidy(() => void tf.grad((x: tf.Tensor) => tf.slice(model.logits(x as tf.Tensor5D), [0, target], [1, 1]).sum())(clip1).dataSync()),
    reps,
    1,
  );
  const logits = tf.tidy(() => Array.from(model.logits(clip1).dataSync()));

  const clip = tf.tensor4d(synth.frames, [frames, height, width, 3]);
  const stamps: number[] = [];
  const t0 = performance.now();
  await fep.explain({ clip, model, target }, { iterations: iters + 2 }, () => void stamps.push(performance.now()));
  clip.dispose();
  const per = stamps.slice(1).map((t, i) => t - stamps[i]!);
  const iterationMs = median(per.slice(Math.min(2, per.length - 1)));
  const firstMs = stamps[0]! - t0;
  const metricBatches = 1 + Math.ceil(METRIC_STEPS / metricBatch);
  const metricsMs = 2 * (fwd + (metricBatches - 1) * fwdB);
  const defaultIterations = fep.defaults.iterations;
  const estimateMs = firstMs + (defaultIterations - 1) * iterationMs + metricsMs;

  let torch: Record<string, number | string | number[]> | { error: string } | null = null;
  if (existsSync(path.join(modelDir, 'torch.json')) && existsSync(path.join(modelDir, 'state.pt'))) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fep-bench-model-'));
    try {
      const clipFile = path.join(dir, 'clip.f32');
      writeFileSync(clipFile, Buffer.from(synth.frames.buffer, synth.frames.byteOffset, synth.frames.byteLength));
      const out = execFileSync(python, [path.join(HERE, 'onnx_torch_reference.py'), modelDir, clipFile, String(target), String(reps)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 16 << 20,
      });
      torch = JSON.parse(out.trim().split('\n').at(-1)!);
    } catch (e) {
      torch = { error: (e as Error).message.split('\n')[0]! };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  model.dispose();

  const result: Record<string, unknown> = {
    model: `${manifest.name}@${manifest.version} (${manifest.format})`,
    backend: info.backend,
    kernel_threads: kernelThreadsInUse(),
    clip: [frames, height, width],
    loadavg_1m: round(os.loadavg()[0]!, 2),
    fwd_ms: round(fwd),
    metric_batch: metricBatch,
    forward_tensor_mb_per_clip: round(perClipBytes / 1e6),
    fwd_metric_batch_ms: round(fwdB),
    fwd_bwd_ms: round(fwdBwd),
    fep_iteration_ms: round(iterationMs),
    fep_first_iteration_ms: round(firstMs),
    default_explanation_estimate_ms: Math.round(estimateMs),
    default_explanation_estimate_formula: `first + ${defaultIterations - 1} × iteration + 2 × (1 + ${metricBatches - 1} batch-${metricBatch}) forwards (${METRIC_STEPS}-step insertion and deletion)`,
  };
  const rows: [string, string][] = [
    ['forward (batch 1)', `${round(fwd)} ms`],
    [`forward (batch ${metricBatch}, the metrics' batch: ${round(perClipBytes / 1e6)} MB of tensors per clip)`, `${round(fwdB)} ms`],
    ['forward + backward', `${round(fwdBwd)} ms`],
    ['F-EP iteration', `${round(iterationMs)} ms`],
    ['F-EP first iteration (setup)', `${round(firstMs)} ms`],
    [`default explanation (${defaultIterations} it. + metrics), estimated`, `${round(estimateMs / 1000)} s`],
  ];
  if (torch && !('error' in torch)) {
    const t = torch as Record<string, number>;
    const ref = torch.logits as number[];
    const mag = Math.max(...ref.map(Math.abs));
    const logitErr = Math.max(...logits.map((v, i) => Math.abs(v - ref[i]!))) / mag;
    Object.assign(result, {
      pytorch: torch.torch,
      pytorch_fwd_ms_2t: round(t.fwd_ms_2t!),
      pytorch_fwd_bwd_ms_2t: round(t.fwd_bwd_ms_2t!),
      pytorch_fwd_ms_1t: round(t.fwd_ms_1t!),
      pytorch_fwd_bwd_ms_1t: round(t.fwd_bwd_ms_1t!),
      fwd_bwd_over_pytorch_2t: round(fwdBwd / t.fwd_bwd_ms_2t!, 2),
      fep_iteration_over_pytorch_fwd_bwd_2t: round(iterationMs / t.fwd_bwd_ms_2t!, 2),
      fep_iteration_over_pytorch_fwd_bwd_1t: round(iterationMs / t.fwd_bwd_ms_1t!, 2),
      pytorch_max_logit_error: Number(logitErr.toExponential(2)),
    });
    rows.push(
      ['PyTorch forward (2 threads / 1 thread)', `${round(t.fwd_ms_2t!)} / ${round(t.fwd_ms_1t!)} ms`],
      ['PyTorch forward + backward (2 threads / 1 thread)', `${round(t.fwd_bwd_ms_2t!)} / ${round(t.fwd_bwd_ms_1t!)} ms`],
      ['F-EP iteration ÷ PyTorch fwd+bwd (2 threads)', `${round(iterationMs / t.fwd_bwd_ms_2t!, 2)}`],
      ['logits vs PyTorch (max error ÷ largest logit)', logitErr.toExponential(2)],
    );
  } else if (torch) result.pytorch_error = (torch as { error: string }).error;
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`model ${result.model} · backend ${info.backend} · kernel threads ${kernelThreadsInUse()} · load ${result.loadavg_1m}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  console.log(JSON.stringify(result));
}
