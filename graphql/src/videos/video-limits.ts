import type { Limits } from '@fep/shared';
import { probeVideo, type VideoMeta } from '@fep/engine/video/probe.ts';

/**
 * A file past one of the deployment's video limits (LIMIT_MAX_VIDEO_*). Like an unreadable file,
 * it becomes a FAILED video with this message as its reason, and never reaches the queue.
 */
export class VideoLimitError extends Error {
  constructor(
    readonly code: 'TOO_MANY_FRAMES' | 'FRAME_RATE_TOO_HIGH',
    message: string,
  ) {
    super(message);
    this.name = 'VideoLimitError';
  }
}

/**
 * Probes an uploaded file and enforces the limits: resolution and duration inside the probe
 * (its TOO_LARGE_RESOLUTION / TOO_LONG errors), frame count and frame rate here.
 */
export async function probeWithinLimits(file: string, limits: Limits): Promise<VideoMeta> {
  const meta = await probeVideo(file, {
    maxLongSide: limits.maxVideoLongSide,
    maxShortSide: limits.maxVideoShortSide,
    maxDurationSec: limits.maxVideoDurationSec,
  });
  checkVideoLimits(meta, limits);
  return meta;
}

export function checkVideoLimits(meta: Pick<VideoMeta, 'fps' | 'frameCount'>, limits: Limits): void {
  if (meta.fps > limits.maxVideoFps) {
    throw new VideoLimitError(
      'FRAME_RATE_TOO_HIGH',
      `The video runs at ${round(meta.fps)} frames per second; the highest accepted is ${limits.maxVideoFps}.`,
    );
  }
  if (meta.frameCount > limits.maxVideoFrames) {
    throw new VideoLimitError(
      'TOO_MANY_FRAMES',
      `The video has ${meta.frameCount} frames; the most accepted is ${limits.maxVideoFrames}.`,
    );
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
