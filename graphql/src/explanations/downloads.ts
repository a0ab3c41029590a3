/**
 * Taking an explanation out of F-EP Studio: authenticated GET routes beside the media routes, each
 * checked like reading the explanation (another team's explanation is 404 NOT_FOUND) and covered by
 * the origin guard that sits in front of every /api route (server/request-guard.ts).
 *
 *   /api/media/explanations/:id/saliency.npy?download=1   the stored volume (float32 [T,H,W], C order)
 *   /api/media/explanations/:id/overlay.mp4               heat map on the clip frames, H.264
 *   /api/media/explanations/:id/overlay-frames.zip        the same frames as PNGs + frames.json
 *   /api/media/explanations/:id/feedback.json             annotations and comments (fep-feedback/1)
 *
 * The overlay is the engine's (`fep overlay`, apps/engine/src/video/overlay-render.ts: the same
 * colour map and blend as `fep explain`), rendered in a child process with a time limit, never on
 * this event loop. Both files of one render are kept in blob storage and found again through
 * RenderedExport, keyed by a hash of everything they are rendered from.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request, Response } from 'express';
import yazl from 'yazl';
import { z } from 'zod';
import { AppError } from '@fep/shared';
import { authorizeObject } from '../auth/permissions.ts';
import { describeError } from '../common/errors.ts';
import type { ApiDeps } from '../context.ts';
import { buildContext } from '../server/request-context.ts';
import { saliencyOverlay } from './overlay.ts';

const FEP_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../apps/engine/bin/fep.mjs');

/** Wall-clock limit of one overlay render (decode + blend + encode of one clip). */
export const RENDER_TIME_LIMIT_MS = 120_000;
/** Bumped when the rendered pictures change, so cached renders of an older renderer are not reused. */
export const RENDERER_VERSION = 'fep-overlay/1';

export function explanationDownloads(id: string) {
  const base = `/api/media/explanations/${encodeURIComponent(id)}`;
  return {
    saliencyNpy: `${base}/saliency.npy?download=1`,
    overlayMp4: `${base}/overlay.mp4`,
    overlayPngZip: `${base}/overlay-frames.zip`,
    feedbackJson: `${base}/feedback.json`,
  };
}

const isoDate = z.string().datetime();
const author = z.object({ id: z.string(), name: z.string() });

/** The shape of feedback.json (tests validate downloads against it). */
export const feedbackExportSchema = z.object({
  schema: z.literal('fep-feedback/1'),
  explanationId: z.string(),
  exportedAt: isoDate,
  /** Source timestamp (s) of each clip frame: frame i of an annotation is at frameTimestamps[i]. */
  frameTimestamps: z.array(z.number()),
  annotations: z.array(
    z.object({
      id: z.string(),
      shape: z.enum(['RECTANGLE', 'POLYGON']),
      geometry: z.unknown(),
      frameStart: z.number().int(),
      frameEnd: z.number().int(),
      timeStartSec: z.number().nullable(),
      timeEndSec: z.number().nullable(),
      label: z.string().nullable(),
      author,
      createdAt: isoDate,
    }),
  ),
  comments: z.array(
    z.object({
      id: z.string(),
      parentId: z.string().nullable(),
      body: z.string(),
      timeStartSec: z.number().nullable(),
      timeEndSec: z.number().nullable(),
      author,
      createdAt: isoDate,
    }),
  ),
});

export type FeedbackExport = z.infer<typeof feedbackExportSchema>;

type Ctx = Awaited<ReturnType<typeof buildContext>>;
type Row = NonNullable<Awaited<ReturnType<ApiDeps['db']['explanation']['findUnique']>>>;

async function readableExplanation(ctx: Ctx, id: string): Promise<Row> {
  const e = await ctx.db.explanation.findUnique({ where: { id } });
  await authorizeObject(ctx, 'Explanation', e?.teamId, 'explanation.read');
  return e!;
}

const safeName = (name: string) => name.replace(/[^\w.-]/g, '_');

export async function feedbackExport(deps: ApiDeps, e: Row): Promise<FeedbackExport> {
  const video = await deps.db.video.findUnique({ where: { id: e.videoId }, select: { width: true, height: true, fps: true } });
  const ts = saliencyOverlay(e, video)?.frameTimestamps ?? [];
  const at = (i: number) => (ts.length ? ts[Math.max(0, Math.min(ts.length - 1, i))]! : null);
  const [annotations, comments] = await Promise.all([
    deps.db.annotation.findMany({ where: { explanationId: e.id, deletedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { author: { select: { id: true, name: true } } } }),
    deps.db.comment.findMany({ where: { explanationId: e.id, deletedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { author: { select: { id: true, name: true } } } }),
  ]);
  return {
    schema: 'fep-feedback/1',
    explanationId: e.id,
    exportedAt: new Date().toISOString(),
    frameTimestamps: ts,
    annotations: annotations.map((a) => ({
      id: a.id,
      shape: a.shape,
      geometry: a.geometry,
      frameStart: a.frameStart,
      frameEnd: a.frameEnd,
      timeStartSec: at(a.frameStart),
      timeEndSec: at(a.frameEnd),
      label: a.label,
      author: a.author,
      createdAt: a.createdAt.toISOString(),
    })),
    comments: comments.map((c) => ({
      id: c.id,
      parentId: c.parentId,
      body: c.body,
      timeStartSec: c.timeStartSec,
      timeEndSec: c.timeEndSec,
      author: c.author,
      createdAt: c.createdAt.toISOString(),
    })),
  };
}

type ExportKind = 'overlay.mp4' | 'overlay-frames.zip';

interface RenderInputs {
  saliencySha256: string;
  videoSha256: string;
  startSec: number;
  windowSec: number;
  fit: 'center-crop';
  frameTimestamps: number[];
}

/** The window the engine explained: provenance.clip, else the row's start and the volume's frames at the video's rate. */
function renderInputs(e: Row, video: { sha256: string; width: number | null; height: number | null; fps: number | null }): RenderInputs {
  if (!e.saliencySha256) throw new AppError('NOT_FOUND', 'This explanation has no saliency volume yet.');
  const p = (e.provenance ?? {}) as { clip?: { startSec?: unknown; windowSec?: unknown }; windowStartSec?: unknown };
  const shape = Array.isArray(e.saliencyShape) ? (e.saliencyShape as number[]) : [];
  const start = typeof p.clip?.startSec === 'number' ? p.clip.startSec : typeof p.windowStartSec === 'number' ? p.windowStartSec : e.windowStartSec;
  const window = typeof p.clip?.windowSec === 'number' ? p.clip.windowSec : shape[0] && video.fps ? shape[0] / video.fps : null;
  if (start == null || window == null || !(window > 0)) throw new AppError('NOT_FOUND', 'This explanation does not record its window, so no overlay can be rendered.');
  const ts = saliencyOverlay(e, video)?.frameTimestamps ?? [];
  return { saliencySha256: e.saliencySha256, videoSha256: video.sha256, startSec: start, windowSec: window, fit: 'center-crop', frameTimestamps: ts };
}

function exportKey(kind: ExportKind, inputs: RenderInputs): string {
  const { frameTimestamps: _ts, ...rest } = inputs;
  return createHash('sha256').update(JSON.stringify({ renderer: RENDERER_VERSION, kind, ...rest })).digest('hex');
}

/** Runs `fep overlay` in a child process, killed past RENDER_TIME_LIMIT_MS. */
function runOverlayCli(args: string[], timeLimitMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FEP_BIN, 'overlay', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FEP_NO_PROGRESS: '1' } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeLimitMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new AppError('UNAVAILABLE', `Rendering the overlay took longer than ${Math.round(timeLimitMs / 1000)} s and was stopped; try again later.`));
      if (code === 0) return resolve();
      reject(new Error(`fep overlay exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

function zipDirectory(files: { name: string; file?: string; data?: Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    // Fixed dates, so the same frames give the same bytes (and the same blob).
    const mtime = new Date(Date.UTC(2000, 0, 1));
    for (const f of files) {
      if (f.file) zip.addFile(f.file, f.name, { mtime, compress: false });
      else zip.addBuffer(f.data!, f.name, { mtime });
    }
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

const inFlight = new Map<string, Promise<void>>();

/** Renders one API process runs at once (each is an ffmpeg decode + encode); later ones wait their turn. */
export const RENDER_CONCURRENCY = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withRenderSlot<T>(work: () => Promise<T>): Promise<T> {
  // A finishing render hands its slot straight to the next waiter, so `running` never overshoots.
  if (running >= RENDER_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** Renders both overlay files of `inputs` once, stores them and records them in RenderedExport. */
async function renderAndStore(deps: ApiDeps, inputs: RenderInputs, timeLimitMs: number): Promise<void> {
  const videoPath = await deps.storage.localPath(inputs.videoSha256);
  const npyPath = await deps.storage.localPath(inputs.saliencySha256);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fep-overlay-'));
  try {
    await runOverlayCli(['--saliency', npyPath, '--start', String(inputs.startSec), '--window', String(inputs.windowSec), '--fit', inputs.fit, '--out', dir, videoPath], timeLimitMs);
    const mp4 = await deps.storage.putFile(path.join(dir, 'overlay.mp4'));
    const names = (await readdir(path.join(dir, 'overlays'))).filter((n) => n.endsWith('.png')).sort();
    const index = {
      schema: 'fep-overlay-frames/1',
      renderer: RENDERER_VERSION,
      frames: names.map((name, i) => ({ file: name, index: i, timestampSec: inputs.frameTimestamps[i] ?? null })),
    };
    const zipped = await zipDirectory([
      ...names.map((name) => ({ name, file: path.join(dir, 'overlays', name) })),
      { name: 'frames.json', data: Buffer.from(JSON.stringify(index, null, 2) + '\n') },
    ]);
    const zip = await deps.storage.putBuffer(zipped);
    for (const [kind, stored] of [['overlay.mp4', mp4], ['overlay-frames.zip', zip]] as const) {
      const key = exportKey(kind, inputs);
      await deps.db.renderedExport.upsert({
        where: { key },
        create: { key, kind, sha256: stored.sha256, sizeBytes: BigInt(stored.size), videoSha256: inputs.videoSha256, saliencySha256: inputs.saliencySha256 },
        update: { sha256: stored.sha256, sizeBytes: BigInt(stored.size) },
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The stored blob of a rendered export, rendering it first when it is not cached (or its blob is gone). */
export async function renderedExport(deps: ApiDeps, e: Row, kind: ExportKind, opts: { timeLimitMs?: number } = {}): Promise<{ sha256: string; cached: boolean }> {
  const video = await deps.db.video.findUnique({ where: { id: e.videoId }, select: { sha256: true, width: true, height: true, fps: true } });
  if (!video) throw new AppError('NOT_FOUND', 'The explanation’s video is gone.');
  const inputs = renderInputs(e, video);
  if (!(await deps.storage.has(inputs.saliencySha256))) throw new AppError('NOT_FOUND', 'The saliency volume is no longer stored.');
  if (!(await deps.storage.has(inputs.videoSha256))) throw new AppError('NOT_FOUND', 'The video file is no longer stored, so no overlay can be rendered.');
  const key = exportKey(kind, inputs);
  const hit = await deps.db.renderedExport.findUnique({ where: { key } });
  if (hit && (await deps.storage.has(hit.sha256))) return { sha256: hit.sha256, cached: true };
  const renderKey = exportKey('overlay.mp4', inputs);
  let job = inFlight.get(renderKey);
  if (!job) {
    job = withRenderSlot(() => renderAndStore(deps, inputs, opts.timeLimitMs ?? RENDER_TIME_LIMIT_MS)).finally(() => inFlight.delete(renderKey));
    inFlight.set(renderKey, job);
  }
  await job;
  const row = await deps.db.renderedExport.findUniqueOrThrow({ where: { key } });
  return { sha256: row.sha256, cached: false };
}

/** Mounts the download routes (call before the /api catch-all). */
export function mountExplanationDownloadRoutes(app: Express, deps: ApiDeps) {
  const handle = (run: (ctx: Ctx, e: Row, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      const ctx = await buildContext(deps, { headers: req.headers, ip: req.ip ?? 'unknown' }, null);
      const e = await readableExplanation(ctx, String(req.params.id));
      await run(ctx, e, res);
    } catch (err) {
      const { code, status, message } = describeError(err);
      if (code === 'INTERNAL' || code === 'UNAVAILABLE') console.error('[api] download failed', err);
      if (!res.headersSent) res.status(status).json({ error: { code, message } });
    }
  };
  const sendBlob = async (res: Response, sha256: string, type: string, name: string) => {
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Content-Disposition', `attachment; filename="${safeName(name)}"`);
    res.sendFile(await deps.storage.localPath(sha256));
  };
  app.get(
    '/api/media/explanations/:id/overlay.mp4',
    handle(async (_ctx, e, res) => {
      const { sha256, cached } = await renderedExport(deps, e, 'overlay.mp4');
      res.setHeader('X-Render-Cache', cached ? 'hit' : 'miss');
      await sendBlob(res, sha256, 'video/mp4', `overlay-${e.id}.mp4`);
    }),
  );
  app.get(
    '/api/media/explanations/:id/overlay-frames.zip',
    handle(async (_ctx, e, res) => {
      const { sha256, cached } = await renderedExport(deps, e, 'overlay-frames.zip');
      res.setHeader('X-Render-Cache', cached ? 'hit' : 'miss');
      await sendBlob(res, sha256, 'application/zip', `overlay-frames-${e.id}.zip`);
    }),
  );
  app.get(
    '/api/media/explanations/:id/feedback.json',
    handle(async (_ctx, e, res) => {
      const body = await feedbackExport(deps, e);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Disposition', `attachment; filename="${safeName(`feedback-${e.id}.json`)}"`);
      res.type('application/json').send(JSON.stringify(body, null, 2) + '\n');
    }),
  );
}
