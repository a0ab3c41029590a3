/**
 * One default explanation end to end as the worker runs it (explainClip: predict → method → metrics)
 * on the shipped model and a SynthActions held-out clip; prints the record's timings, this process's
 * CPU time per stage and peak RSS. npx tsx bench/explain-e2e.ts [method] (env: METRIC_STEPS, ITERS).
 * Development aid.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backend.ts';
import { explainClip } from '../src/explain-video.ts';
import { loadModel } from '../src/model/load-model.ts';
import { heldOutClip } from '../src/synth/synth-actions.ts';
import type { DecodedClip } from '../src/video/decode.ts';

const backend = await initBackend();
const model = await loadModel();
const s = heldOutClip(3, { frames: 16, height: 112, width: 112 });
const clip = { data: s.frames, shape: [16, 112, 112, 3], timestamps: [], sourceFrameIndices: [], paddedFrames: 0, startSec: 0, windowSec: 0, meta: {} } as unknown as DecodedClip;
const params: Record<string, unknown> = process.env.ITERS ? { iterations: Number(process.env.ITERS) } : {};
const cpu: Record<string, number> = {};
let mark = process.cpuUsage();
let stage = 'setup';
const c0 = process.cpuUsage();
const t0 = performance.now();
const out = await explainClip({
  clip,
  model,
  method: process.argv[2] ?? 'fep',
  target: s.classIndex,
  params,
  videoSha256: 'bench',
  backend,
  metricSteps: process.env.METRIC_STEPS ? Number(process.env.METRIC_STEPS) : undefined,
  onProgress: (p) => {
    if (p.stage !== stage) {
      const u = process.cpuUsage(mark);
      cpu[stage] = (cpu[stage] ?? 0) + (u.user + u.system) / 1000;
      mark = process.cpuUsage();
      stage = p.stage;
    }
  },
});
const u = process.cpuUsage(mark);
cpu[stage] = (cpu[stage] ?? 0) + (u.user + u.system) / 1000;
const all = process.cpuUsage(c0);
console.log(JSON.stringify({
  wall_ms: Math.round(performance.now() - t0),
  cpu_ms: Math.round((all.user + all.system) / 1000),
  timings: (out as unknown as { record: { timings: unknown } }).record.timings,
  cpu_ms_by_stage: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v)])),
  rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  tensors: tf.memory().numTensors,
}));
