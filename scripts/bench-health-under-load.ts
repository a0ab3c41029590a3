/**
 * `health` latency while an explanation runs in the same process, as in embedded mode (npm start
 * without DATABASE_URL: one process holds the API on PGlite and the engine). A benchmark, not a test.
 *
 *   npm run bench:health
 *
 * Three phases, each sampling `{ health { ok database queue storage } }` back to back (one request
 * in flight at a time) for as long as the phase lasts:
 *   idle       — nothing else running (HEALTH_IDLE_SEC, default 10 s);
 *   in-process — one default explanation computed on the API's own thread (the old embedded mode);
 *   thread     — the same explanation on the engine's compute thread (ComputeHost).
 * `health` itself runs its probes at most once a second per process (cached), so what this
 * measures is how promptly the process answers a request while the explanation computes.
 * Prints a table and, last, one JSON line. Needs Redis (REDIS_URL); uses a temporary DATA_DIR.
 * BENCH_METHOD (default fep) and BENCH_ITERATIONS (default: the method's) set the explanation.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, createApiRuntime, startApiServer } from '@fep/api';
import { loadConfig } from '@fep/shared';
import { initBackend } from '@fep/engine/backend.ts';
import { BUILTIN_MODEL_DIR } from '@fep/engine/model/load-model.ts';
import { heldOutClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import { computeExplanation, disposeComputeModelCache, type ComputeRequest } from '@fep/engine/worker/compute.ts';
import { ComputeHost } from '@fep/engine/worker/compute-thread.ts';

const dataDir = await mkdtemp(path.join(tmpdir(), 'fep-health-bench-'));
process.env.DATA_DIR = dataDir;
delete process.env.DATABASE_URL;
const config = loadConfig();
const runtime = await createApiRuntime(config, { queuePrefix: `bench-health-${process.pid}` });
const api = await startApiServer(runtime, buildSchema());

const clipFile = path.join(dataDir, 'clip.mp4');
const synth = heldOutClip(3, { frames: 16, height: 112, width: 112 });
await encodeMp4(synth.frames, [16, 112, 112, 3], clipFile, { fps: 8, quality: 'lossless' });
const manifest = JSON.parse(await readFile(path.join(BUILTIN_MODEL_DIR, 'fep-model.json'), 'utf8')) as { name: string; version: string; weightsSha256: string };
const request: ComputeRequest = {
  explanationId: 'bench',
  method: process.env.BENCH_METHOD ?? 'fep',
  target: null,
  params: process.env.BENCH_ITERATIONS ? { iterations: Number(process.env.BENCH_ITERATIONS) } : {},
  windowStartSec: 0,
  videoPath: clipFile,
  videoSha256: 'bench',
  videoMeta: null,
  model: { id: 'builtin', name: manifest.name, version: manifest.version, builtin: true, weightsSha256: manifest.weightsSha256, archiveSha256: null },
  storageDir: config.storageDir,
};

async function healthOnce(): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${api.url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
    body: JSON.stringify({ query: '{ health { ok database queue storage } }' }),
  });
  const body = (await res.json()) as { data?: { health?: { ok: boolean } } };
  if (!body.data?.health?.ok) throw new Error(`health answered ${JSON.stringify(body)}`);
  return performance.now() - t0;
}

/** Samples health back to back until `work` settles (or for `idleMs` when there is none). */
async function sample(work: Promise<unknown> | null, idleMs = 0): Promise<{ ms: number[]; wallMs: number }> {
  const ms: number[] = [];
  let done = false;
  const t0 = performance.now();
  const finished = work ? work.finally(() => (done = true)) : null;
  const end = t0 + idleMs;
  while (work ? !done : performance.now() < end) ms.push(await healthOnce());
  await finished;
  return { ms, wallMs: performance.now() - t0 };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
function summarise(name: string, r: { ms: number[]; wallMs: number }) {
  const s = [...r.ms].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { phase: name, requests: s.length, p50_ms: round(quantile(s, 0.5)), p95_ms: round(quantile(s, 0.95)), max_ms: round(s.at(-1)!), phase_s: round(r.wallMs / 1000) };
}

await initBackend();
// Warm up: the built-in model loads once per thread; time both loads outside the phases.
const host = new ComputeHost();
await host.start();
const warm = { ...request, params: { iterations: 2 }, metricSteps: 2 };
await computeExplanation(warm);
await host.compute(warm);
for (let i = 0; i < 5; i++) await healthOnce();

const rows = [];
rows.push(summarise('idle', await sample(null, Number(process.env.HEALTH_IDLE_SEC ?? 10) * 1000)));
rows.push(summarise('in-process', await sample(computeExplanation(request))));
rows.push(summarise('thread', await sample(host.compute(request))));

console.log('\nphase       requests  p50 ms  p95 ms  max ms  phase s');
for (const r of rows) {
  console.log(`${r.phase.padEnd(11)} ${String(r.requests).padStart(8)} ${String(r.p50_ms).padStart(7)} ${String(r.p95_ms).padStart(7)} ${String(r.max_ms).padStart(7)} ${String(r.phase_s).padStart(8)}`);
}
await host.close();
await disposeComputeModelCache();
await api.close();
await runtime.close();
await rm(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ method: request.method, phases: rows }));
process.exit(0);
