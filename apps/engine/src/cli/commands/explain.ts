import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@fep/shared';
import { isMethodName, limitsFromEnv, METHOD_NAMES, validateExplanationRequest } from '@fep/shared/methods';
import { ExplanationCancelledError, type VideoClassifier } from '../../methods/types.ts';
import type { DecodedClip } from '../../video/decode.ts';
import type { Fit } from '../../video/frame-stream.ts';
import { choiceArg, intArg, numberArg, parseCommandArgs, requireString, UsageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export const EXPLAIN_USAGE = `Usage: fep explain <video> --out <dir> [options]

Explains the model's prediction on a clip of the video and writes into <dir>:
  saliency.npy       float32 [T,H,W] saliency volume (T,H,W = the model's input)
  overlays/          frame_000.png … heat map blended on each clip frame
  overlay.mp4        the same overlay frames as an H.264 video
  result.json        prediction, top-5, target, method, params (defaults resolved), metrics,
                     provenance (hashes, versions, backend, seed, frame timestamps), timings
With --all-windows: windows/000/…, windows/001/… (one set per window) and an index result.json.

Options:
  --out <dir>             output directory (required; created if needed)
  --model <builtin|dir>   model directory with fep-model.json (default: builtin)
  --method <name>         fep (default) or another registered method:
                          ${METHOD_NAMES.join(', ')}
  --target <t>            top1 (default), a class label, or a class index
  --area <a>              preserved area fraction, 0 < a < 1 (method default: 0.1)
  --areas <a,b,…>         areas optimised together (EP/F-EP default: 0.05,0.1,0.2); fewer areas
                          run faster
  --iterations <n>        optimisation steps (method default; at most LIMIT_MAX_ITERATIONS, 2000)
  --seed <s>              seed for random init / the random baseline (method default: 0)
  --params <json>         further method parameters as a JSON object, e.g. '{"steps":20}'
                          (checked against the method catalogue, packages/shared/src/methods)
  --start <sec|auto>      clip start in seconds (default 0), or auto: the window the model is
                          most confident about (one sliding forward pass)
  --window <sec>          sample the T frames over this many seconds (default: T frames at the
                          native rate)
  --all-windows           explain every window of the video in turn
  --stride <frames>       window stride for --start auto (default T/2) and --all-windows (default T)
  --fit <mode>            center-crop (default) or resize
  --gt <gt.npy>           ground-truth masks [frames,H,W] for the whole video (from fep synth):
                          adds pointing game and IoU on the clip's sampled frames
  --metric-steps <n>      insertion/deletion curve steps (default 256; 0 skips them)
  --backend <b>           node-gpu, node, wasm or cpu (default: ENGINE_BACKEND, else best available)`;

interface Plan {
  video: string;
  out: string;
  modelDir: string;
  method: string;
  target: string;
  params: Record<string, unknown>;
  start: number | 'auto';
  windowSec?: number;
  allWindows: boolean;
  stride?: number;
  fit: Fit;
  gt?: string;
  metricSteps: number;
  backend?: string;
}

function parse(argv: string[]): Plan | null {
  const u = EXPLAIN_USAGE;
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      out: { type: 'string', short: 'o' },
      model: { type: 'string' },
      method: { type: 'string' },
      target: { type: 'string' },
      area: { type: 'string' },
      areas: { type: 'string' },
      iterations: { type: 'string' },
      seed: { type: 'string' },
      params: { type: 'string' },
      start: { type: 'string' },
      window: { type: 'string' },
      'all-windows': { type: 'boolean' },
      stride: { type: 'string' },
      fit: { type: 'string' },
      gt: { type: 'string' },
      'metric-steps': { type: 'string' },
      backend: { type: 'string' },
    },
    u,
    1,
  );
  if (values.help) return null;
  const video = positionals[0];
  if (!video) throw new UsageError('Missing the video file.', u);
  const out = requireString(values.out, 'out', u);
  const method = values.method ?? 'fep';
  if (!isMethodName(method)) throw new UsageError(`Unknown explanation method "${method}". Available: ${METHOD_NAMES.join(', ')}.`, u);
  const limits = limitsFromEnv(process.env);
  let params: Record<string, unknown> = {};
  if (values.params !== undefined) {
    try {
      params = JSON.parse(values.params) as Record<string, unknown>;
    } catch {
      throw new UsageError(`--params must be a JSON object, got "${values.params}".`, u);
    }
  }
  const area = numberArg(values.area, 'area', u, { min: 0, exclusiveMin: true, max: 0.999 });
  if (values.areas !== undefined) {
    const list = values.areas.split(',').map((a) => numberArg(a.trim(), 'areas', u, { min: 0, exclusiveMin: true, max: 0.999 })!);
    if (list.length === 0) throw new UsageError('--areas needs at least one value.', u);
    params.areas = list;
    if (area === undefined && !list.includes(0.1)) params.area = list[0];
  }
  const iterations = intArg(values.iterations, 'iterations', u, { min: 1, max: limits.maxIterations });
  const seed = intArg(values.seed, 'seed', u, { min: 0 });
  try {
    params = validateExplanationRequest({ method, area, iterations, seed, params }, limits).params;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const fields = (err.details?.fields ?? {}) as Record<string, string>;
    throw new UsageError(Object.entries(fields).map(([k, v]) => `${flagOf(k)}: ${v}`).join(' ') || err.message, u);
  }
  let start: number | 'auto' = 0;
  if (values.start === 'auto') start = 'auto';
  else if (values.start !== undefined) start = numberArg(values.start, 'start', u, { min: 0 })!;
  if (values['all-windows'] && values.start !== undefined) throw new UsageError('--all-windows explains every window; it cannot be combined with --start.', u);
  const windowSec = numberArg(values.window, 'window', u, { min: 0, exclusiveMin: true });
  if (values['all-windows'] && windowSec !== undefined) throw new UsageError('--all-windows uses native-rate windows; --window is not supported with it.', u);
  const backend = choiceArg(values.backend, 'backend', ['node-gpu', 'node', 'wasm', 'cpu'] as const, u);
  return {
    video,
    out,
    modelDir: values.model ?? 'builtin',
    method,
    target: values.target ?? 'top1',
    params,
    start,
    windowSec,
    allWindows: Boolean(values['all-windows']),
    stride: intArg(values.stride, 'stride', u, { min: 1 }),
    fit: choiceArg(values.fit, 'fit', ['center-crop', 'resize'] as const, u) ?? 'center-crop',
    gt: values.gt,
    metricSteps: intArg(values['metric-steps'], 'metric-steps', u, { min: 0, max: 100_000 }) ?? 256,
    backend,
  };
}

/** The flag a catalogue field path came from: `params.areas.0` → `--areas`, `params.steps` → `--params (steps)`. */
function flagOf(field: string): string {
  const [head, key] = field.split('.');
  if (head !== 'params') return `--${head}`;
  if (key === undefined) return '--params';
  return key === 'areas' || key === 'area' ? `--${key}` : `--params (${field.slice('params.'.length)})`;
}

/**
 * Everything is written into a hidden staging directory inside <out> and moved into place at
 * the end (result.json last), so an interrupted or failed run leaves no partial result.
 */
class Staging {
  private constructor(
    readonly out: string,
    readonly dir: string,
    private readonly createdOut: boolean,
  ) {}

  static async open(out: string): Promise<Staging> {
    let createdOut = false;
    try {
      const s = await stat(out);
      if (!s.isDirectory()) throw new UsageError(`--out ${out} exists and is not a directory.`, EXPLAIN_USAGE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(out, { recursive: true });
      createdOut = true;
    }
    const dir = path.join(out, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir);
    return new Staging(out, dir, createdOut);
  }

  async commit(): Promise<void> {
    const entries = (await readdir(this.dir)).sort((a, b) => (a === 'result.json' ? 1 : b === 'result.json' ? -1 : a.localeCompare(b)));
    for (const name of entries) {
      const dest = path.join(this.out, name);
      await rm(dest, { recursive: true, force: true });
      await rename(path.join(this.dir, name), dest);
    }
    await rmdir(this.dir);
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    if (this.createdOut) await rmdir(this.out).catch(() => undefined);
  }
}

export async function explainCommand(argv: string[], ctx: CliContext): Promise<number> {
  const plan = parse(argv);
  if (!plan) return ctx.help(EXPLAIN_USAGE);
  const progress = ctx.progress;

  // Validate the inputs that are cheap to check before loading TensorFlow.js.
  const { probeVideo } = await import('../../video/probe.ts');
  const meta = await probeVideo(plan.video);
  const videoEnd = meta.firstFrameTime + meta.durationSec;
  if (typeof plan.start === 'number' && plan.start >= videoEnd) {
    throw new UsageError(`--start ${plan.start} is past the end of the video (${videoEnd.toFixed(3)} s).`, EXPLAIN_USAGE);
  }
  let groundTruth: { data: Uint8Array; shape: number[] } | undefined;
  if (plan.gt) {
    const { readNpy } = await import('../../synth/npy.ts');
    const gt = readNpy(plan.gt);
    if (gt.shape.length !== 3) throw new UsageError(`--gt must hold a [frames,H,W] array, got shape [${gt.shape.join(',')}].`, EXPLAIN_USAGE);
    groundTruth = { data: gt.dtype === 'uint8' ? gt.data : Uint8Array.from(gt.data, (v) => (v > 0 ? 1 : 0)), shape: gt.shape };
  }

  const cancel = new AbortController();
  const onSigint = () => {
    progress.log('fep: interrupted, cleaning up…');
    cancel.abort(new ExplanationCancelledError());
  };
  process.once('SIGINT', onSigint);

  const [{ initBackend }, { loadModel, BUILTIN_MODEL_DIR }, ev, dec, ovl, npy, sel, methods] = await Promise.all([
    import('../../backend.ts'),
    import('../../model/load-model.ts'),
    import('../../explain-video.ts'),
    import('../../video/decode.ts'),
    import('../../video/overlay-render.ts'),
    import('../../synth/npy.ts'),
    import('../../video/select-window.ts'),
    import('../../methods/index.ts'),
  ]);
  try {
    methods.getMethod(plan.method);
  } catch (err) {
    process.removeListener('SIGINT', onSigint);
    throw new UsageError((err as Error).message, EXPLAIN_USAGE);
  }
  progress.update(0, 'loading model');
  const backend = await initBackend(plan.backend);
  const modelDir = plan.modelDir === 'builtin' ? BUILTIN_MODEL_DIR : path.resolve(plan.modelDir);
  let model: VideoClassifier | null = null;
  let staging: Staging | null = null;
  try {
    model = await loadModel(modelDir);
    const m = model;
    const { frames: T, height: H, width: W } = m.input;
    if (groundTruth && (groundTruth.shape[1] !== H || groundTruth.shape[2] !== W)) {
      throw new UsageError(`--gt frames are ${groundTruth.shape[1]}×${groundTruth.shape[2]}; the model's clips are ${H}×${W}.`, EXPLAIN_USAGE);
    }
    /** The ground truth covers the whole video ([frames,H,W]); each clip takes the frames it sampled. */
    const gtFor = (clip: DecodedClip): Uint8Array | undefined => {
      if (!groundTruth) return undefined;
      const plane = H * W;
      const n = groundTruth.shape[0]!;
      const out = new Uint8Array(T * plane);
      clip.sourceFrameIndices.forEach((src, t) => {
        const f = Math.min(Math.max(src, 0), n - 1);
        out.set(groundTruth!.data.subarray(f * plane, (f + 1) * plane), t * plane);
      });
      return out;
    };
    // Fail on a bad --target before any decoding or optimisation.
    if (plan.target !== 'top1') ev.resolveTarget(plan.target, m.labels, new Float32Array(m.labels.length));
    const videoSha256 = await ev.sha256File(plan.video);
    staging = await Staging.open(plan.out);
    const st = staging;

    const explainOne = async (clip: DecodedClip, dir: string, label: string, base: number, span: number) => {
      const { record, saliency } = await ev.explainClip({
        clip,
        model: m,
        method: plan.method,
        target: plan.target,
        params: plan.params,
        videoSha256,
        backend,
        groundTruth: gtFor(clip),
        metricSteps: plan.metricSteps,
        skipCausalMetrics: plan.metricSteps === 0,
        onProgress: (p) => {
          const detail = p.stage === 'optimising' ? ` it ${p.iteration}/${p.totalIterations}${p.energy !== null ? ` energy ${p.energy.toFixed(3)}` : ''}` : '';
          progress.update(base + span * p.fraction, `${p.stage}${label}${detail}`);
          return !cancel.signal.aborted;
        },
      });
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'saliency.npy'), npy.encodeNpy(saliency, [T, H, W]));
      // PNG frames and the same overlay as a short video at the clip's sampling rate (overlay-render.ts, also `fep overlay`).
      const overlayFiles = await ovl.writeOverlayOutputs(clip.data, saliency, [T, H, W], T / clip.windowSec, dir);
      const full = {
        ...record,
        files: { saliency: 'saliency.npy', overlayVideo: overlayFiles.video, overlays: overlayFiles.frames },
        input: { video: path.resolve(plan.video), model: plan.modelDir === 'builtin' ? 'builtin' : modelDir, fit: plan.fit, meta },
      };
      await writeFile(path.join(dir, 'result.json'), JSON.stringify(full, null, 2) + '\n');
      return full;
    };

    let summary: unknown;
    if (plan.allWindows) {
      const stride = plan.stride ?? T;
      const windows = dec.sampleWindows(meta, T, stride);
      const index: unknown[] = [];
      let i = 0;
      for await (const clip of dec.decodeWindows(plan.video, { frames: T, height: H, width: W, stride, fit: plan.fit, meta, signal: cancel.signal })) {
        const name = String(clip.window.index).padStart(3, '0');
        const r = await explainOne(clip, path.join(st.dir, 'windows', name), ` window ${i + 1}/${windows.length}`, i / windows.length, 1 / windows.length);
        index.push({ window: clip.window, dir: `windows/${name}`, prediction: r.prediction, target: r.target, metrics: compactMetrics(r.metrics) });
        i++;
      }
      summary = { schema: 'fep-explanation-windows/1', video: path.resolve(plan.video), videoSha256, method: plan.method, stride, windows: index };
      await writeFile(path.join(st.dir, 'result.json'), JSON.stringify(summary, null, 2) + '\n');
    } else {
      let startSec = 0;
      let selection: unknown = null;
      if (plan.start === 'auto') {
        progress.update(0, 'selecting window');
        const target = plan.target === 'top1' ? undefined : ev.resolveTarget(plan.target, m.labels, new Float32Array(m.labels.length));
        const s = await sel.findMostConfidentWindow(plan.video, m, { stride: plan.stride, fit: plan.fit, meta, target, signal: cancel.signal });
        startSec = s.startSec;
        selection = s;
        progress.log(`fep: most confident window starts at ${s.startSec.toFixed(3)} s (${m.labels[s.classIndex]} p=${s.probability.toFixed(3)})`);
      } else {
        startSec = plan.start;
      }
      progress.update(0, 'decoding');
      const clip = await dec.decodeClip(plan.video, { frames: T, height: H, width: W, startSec, windowSec: plan.windowSec, fit: plan.fit, meta, signal: cancel.signal });
      const r = await explainOne(clip, st.dir, '', 0, 1);
      if (selection) {
        (r as Record<string, unknown>).windowSelection = selection;
        await writeFile(path.join(st.dir, 'result.json'), JSON.stringify(r, null, 2) + '\n');
      }
      summary = { prediction: r.prediction, target: r.target, method: r.method, metrics: compactMetrics(r.metrics), timings: r.timings };
    }
    progress.update(1, 'saving');
    await st.commit();
    staging = null;
    progress.done();
    ctx.stdout.write(JSON.stringify({ out: path.resolve(plan.out), ...(summary as object) }, null, 2) + '\n');
    return 0;
  } catch (err) {
    progress.done();
    if (err instanceof ExplanationCancelledError || cancel.signal.aborted) {
      await staging?.abort();
      ctx.stderr.write('fep: cancelled; nothing was written.\n');
      return 130;
    }
    throw err;
  } finally {
    await staging?.abort();
    process.removeListener('SIGINT', onSigint);
    model?.dispose();
  }
}

/** Metrics without the curves, for summaries. */
function compactMetrics(m: object): Record<string, unknown> {
  const { insertionCurve: _i, deletionCurve: _d, pointingGame, ...rest } = m as Record<string, unknown> & { pointingGame?: { accuracy: number } };
  return pointingGame ? { ...rest, pointingGameAccuracy: pointingGame.accuracy } : rest;
}
