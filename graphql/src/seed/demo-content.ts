import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { builtinClipSize, SYNTH_FPS } from '@fep/engine/cli/commands/synth.ts';
import { generateClip } from '@fep/engine/synth/synth-actions.ts';
import { encodeMp4 } from '@fep/engine/video/encode.ts';
import type { ApiContext, ApiDeps, Caller } from '../context.ts';
import { requestExplanation } from '../explanations/explanations.service.ts';
import { probeWithinLimits } from '../videos/video-limits.ts';
import { createVideoFromFile } from '../videos/videos.service.ts';
import { DEMO_EMAIL, DEMO_TEAM_SLUG } from './demo-seed.ts';

/** The demo clip: `npx fep synth --seed 7 --quality web` (README's example seed). */
export const DEMO_CLIP_SEED = 7;
export const DEMO_FILENAME = `synthactions-seed-${DEMO_CLIP_SEED}.mp4`;

/**
 * The demo explanations, in queue order: the engine takes jobs first in, first out, so Grad-CAM
 * (one forward and one backward pass: seconds) is DONE long before F-EP and EP (hundreds of
 * optimisation steps each: tens of seconds to minutes on 2 cores), and a newcomer watches those
 * two form on the video page. Method defaults from the catalogue; a fixed seed, so every
 * installation computes the same masks.
 */
export const DEMO_METHODS = ['gradcam', 'fep', 'ep'] as const;
export const DEMO_EXPLANATION_SEED = 7;

export interface DemoContentResult {
  created: boolean;
  videoId?: string;
  explanationIds?: string[];
  reason?: string;
}

/**
 * First-start demo content for the demo team (seed/demo-seed.ts): a SynthActions clip, generated
 * by the engine, registered like an upload (content-addressed storage, probe, audit), and its
 * Grad-CAM, F-EP and EP explanations requested through `requestExplanation` — the same
 * validation, lifecycle rows (QUEUED, audited) and queue jobs as a person's request, so the
 * engine computes them for real and they reach DONE through the lifecycle module.
 *
 * Idempotent: does nothing once the demo team holds the demo clip (deleted or not), so a restart
 * never duplicates it and a deleted demo stays deleted. Nothing calls this outside `npm start`
 * (scripts/start.ts) and tests that ask for it (tests/e2e/web-server.ts `seedDemo`).
 */
export async function seedDemoContent(deps: ApiDeps): Promise<DemoContentResult> {
  const user = await deps.db.user.findUnique({ where: { email: DEMO_EMAIL }, select: { id: true } });
  const team = await deps.db.team.findUnique({ where: { slug: DEMO_TEAM_SLUG }, select: { id: true } });
  if (!user || !team) return { created: false, reason: 'no demo team' };
  const existing = await deps.db.video.findFirst({ where: { teamId: team.id, filename: DEMO_FILENAME }, select: { id: true } });
  if (existing) return { created: false, videoId: existing.id, reason: 'already seeded' };
  const model = await deps.db.model.findFirst({ where: { builtin: true }, orderBy: { createdAt: 'asc' }, select: { id: true } });
  if (!model) return { created: false, reason: 'no built-in model' };

  const caller: Caller = { userId: user.id };
  const ctx: ApiContext = { ...deps, caller, roleCache: new Map(), request: { ip: 'demo-seed', userAgent: undefined }, cookies: null };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fep-demo-'));
  try {
    const size = builtinClipSize();
    const clip = generateClip({ seed: DEMO_CLIP_SEED, frames: size.frames, height: size.height, width: size.width });
    const file = path.join(dir, DEMO_FILENAME);
    // 'web' quality: plays in every browser (the lossless 4:4:4 profile plays only in Chromium).
    await encodeMp4(clip.frames, [size.frames, size.height, size.width, 3], file, { fps: SYNTH_FPS, quality: 'web' });
    const video = await createVideoFromFile(ctx, caller, {
      teamId: team.id,
      filePath: file,
      filename: DEMO_FILENAME,
      title: `Demo: SynthActions “${clip.label}” (seed ${DEMO_CLIP_SEED})`,
      probe: async (f) => ({ ...(await probeWithinLimits(f, deps.config.limits)) }),
    });
    if (video.status !== 'READY') return { created: true, videoId: video.id, explanationIds: [], reason: video.error ?? 'video not readable' };
    const explanationIds: string[] = [];
    for (const method of DEMO_METHODS) {
      const e = await requestExplanation(ctx, caller, {
        teamId: team.id,
        videoId: video.id,
        modelId: model.id,
        method,
        target: 'top1',
        seed: DEMO_EXPLANATION_SEED,
        idempotencyKey: `demo-seed-${method}`,
      });
      explanationIds.push(e.id);
    }
    return { created: true, videoId: video.id, explanationIds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
