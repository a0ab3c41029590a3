import { appendAuditEvent, type Db } from '@fep/db';
import type { BlobStorage } from '@fep/shared';

/**
 * Retention of bulky blobs: video files and saliency volumes older than the configured number
 * of days are removed from storage. Rows, their sha256 hashes, provenance, metrics and the audit
 * log are never deleted by retention (the EU AI Act, Art. 12 and 19, asks for automatically
 * generated logs to be kept at least six months; we keep them for good). Content-addressed blobs
 * still needed by a row inside its retention window are kept.
 */
export interface RetentionPolicy {
  /** Days after upload (or after soft deletion, whichever is earlier) a video file is kept; null = forever. */
  videoDays: number | null;
  /** Days after completion a saliency volume is kept; null = forever. */
  saliencyDays: number | null;
}

export function retentionPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetentionPolicy {
  const days = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return null;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a number of days ≥ 1 (got ${raw}).`);
    return n;
  };
  return { videoDays: days('RETENTION_VIDEO_DAYS'), saliencyDays: days('RETENTION_SALIENCY_DAYS') };
}

export interface RetentionResult {
  videosExpired: number;
  videoBlobsDeleted: number;
  saliencyExpired: number;
  saliencyBlobsDeleted: number;
  /** Rendered downloads (overlay MP4 / PNG zip, RenderedExport) of a removed video or volume. */
  renderedBlobsDeleted: number;
}

const DAY = 86_400_000;

export async function runRetention(db: Db, storage: BlobStorage, policy: RetentionPolicy, now = new Date()): Promise<RetentionResult> {
  const result: RetentionResult = { videosExpired: 0, videoBlobsDeleted: 0, saliencyExpired: 0, saliencyBlobsDeleted: 0, renderedBlobsDeleted: 0 };
  /** Overlays show the video's frames and the volume: they go with whichever blob is removed. */
  const dropRendered = async (where: { videoSha256: { in: string[] } } | { saliencySha256: { in: string[] } }) => {
    const rendered = await db.renderedExport.findMany({ where });
    for (const r of rendered) {
      await storage.delete(r.sha256);
      await db.renderedExport.delete({ where: { key: r.key } });
      result.renderedBlobsDeleted++;
    }
  };
  const byTeam = new Map<string, { videos: string[]; saliency: string[]; deletedBlobs: string[] }>();
  const team = (id: string) => byTeam.get(id) ?? byTeam.set(id, { videos: [], saliency: [], deletedBlobs: [] }).get(id)!;

  if (policy.videoDays !== null) {
    const cutoff = new Date(now.getTime() - policy.videoDays * DAY);
    const expired = await db.video.findMany({
      where: { blobDeletedAt: null, OR: [{ createdAt: { lt: cutoff } }, { deletedAt: { lt: cutoff } }] },
    });
    const shas = [...new Set(expired.map((v) => v.sha256))];
    const stillNeeded = new Set(
      (
        await db.video.findMany({
          where: { sha256: { in: shas }, blobDeletedAt: null, id: { notIn: expired.map((v) => v.id) } },
          select: { sha256: true },
        })
      ).map((v) => v.sha256),
    );
    for (const sha of shas) {
      if (stillNeeded.has(sha)) continue;
      await storage.delete(sha);
      result.videoBlobsDeleted++;
    }
    await dropRendered({ videoSha256: { in: shas.filter((sha) => !stillNeeded.has(sha)) } });
    for (const v of expired) {
      await db.video.update({ where: { id: v.id }, data: { blobDeletedAt: now } });
      team(v.teamId).videos.push(v.id);
      if (!stillNeeded.has(v.sha256)) team(v.teamId).deletedBlobs.push(v.sha256);
    }
    result.videosExpired = expired.length;
  }

  if (policy.saliencyDays !== null) {
    const cutoff = new Date(now.getTime() - policy.saliencyDays * DAY);
    const expired = await db.explanation.findMany({
      where: { saliencySha256: { not: null }, saliencyDeletedAt: null, finishedAt: { lt: cutoff } },
    });
    const shas = [...new Set(expired.map((e) => e.saliencySha256!))];
    const stillNeeded = new Set(
      (
        await db.explanation.findMany({
          where: { saliencySha256: { in: shas }, saliencyDeletedAt: null, id: { notIn: expired.map((e) => e.id) } },
          select: { saliencySha256: true },
        })
      ).map((e) => e.saliencySha256!),
    );
    for (const sha of shas) {
      if (stillNeeded.has(sha)) continue;
      await storage.delete(sha);
      result.saliencyBlobsDeleted++;
    }
    await dropRendered({ saliencySha256: { in: shas.filter((sha) => !stillNeeded.has(sha)) } });
    for (const e of expired) {
      await db.explanation.update({ where: { id: e.id }, data: { saliencyDeletedAt: now } });
      team(e.teamId).saliency.push(e.id);
      if (!stillNeeded.has(e.saliencySha256!)) team(e.teamId).deletedBlobs.push(e.saliencySha256!);
    }
    result.saliencyExpired = expired.length;
  }

  for (const [teamId, t] of byTeam) {
    await appendAuditEvent(db, {
      teamId,
      actorId: null,
      action: 'retention.applied',
      subjectType: 'Team',
      subjectId: teamId,
      payload: { policy: { ...policy }, videos: t.videos, explanations: t.saliency, deletedBlobs: [...new Set(t.deletedBlobs)] },
    });
  }
  return result;
}
