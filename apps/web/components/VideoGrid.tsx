import type { VideosQuery, VideoStatus } from '../lib/__generated__/graphql.ts';
import { formatBytes, formatDate, formatDuration } from '../lib/format.ts';
import { Badge } from './Badge.tsx';
import { Skeleton } from './Skeleton.tsx';

type Video = VideosQuery['videos']['nodes'][number];

const STATUS: Record<VideoStatus, { label: string; tone: 'green' | 'amber' | 'red' }> = {
  READY: { label: 'Ready', tone: 'green' },
  PROCESSING: { label: 'Processing', tone: 'amber' },
  FAILED: { label: 'Failed', tone: 'red' },
};

const GRID = 'grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4';

export function VideoGrid({
  videos,
  hrefFor,
  onDelete,
  onRename,
}: {
  videos: Video[];
  hrefFor?: (v: Video) => string;
  /** Shows a delete button on each card (the caller confirms). */
  onDelete?: (v: Video) => void;
  /** Shows a rename button on each card (the caller asks for the title). */
  onRename?: (v: Video) => void;
}) {
  return (
    <ul className={GRID} data-testid="video-grid" aria-label="Videos">
      {videos.map((v) => (
        <li key={v.id} data-testid="video-card" className="relative">
          <VideoCard video={v} href={hrefFor?.(v)} />
          {onDelete || onRename ? (
            <div className="absolute top-2 left-2 flex gap-1.5">
              {onRename ? (
                <button
                  type="button"
                  onClick={() => onRename(v)}
                  data-testid="video-rename"
                  className="rounded bg-white/90 px-2 py-1 text-xs font-medium text-slate-800 shadow hover:bg-white"
                >
                  Rename<span className="sr-only"> {v.title}</span>
                </button>
              ) : null}
              {onDelete ? (
                <button
                  type="button"
                  onClick={() => onDelete(v)}
                  data-testid="video-delete"
                  className="rounded bg-white/90 px-2 py-1 text-xs font-medium text-red-700 shadow hover:bg-white"
                >
                  Delete<span className="sr-only"> {v.title}</span>
                </button>
              ) : null}
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** "25 fps · 200 frames · 320×240": what probing found, in one line. */
export function probeSummary(v: Pick<Video, 'fps' | 'frameCount' | 'width' | 'height'>): string {
  return [
    v.fps ? `${Number(v.fps.toFixed(2))} fps` : null,
    v.frameCount ? `${v.frameCount} frames` : null,
    v.width && v.height ? `${v.width}×${v.height}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function VideoCard({ video: v, href }: { video: Video; href: string | undefined }) {
  const status = STATUS[v.status];
  const body = (
    <>
      <div className="relative aspect-video overflow-hidden rounded-t-lg bg-slate-800">
        {v.status === 'READY' ? (
          // The first frame stands in for a thumbnail; `#t=0.1` skips a possibly black frame 0.
          <video src={`${v.url}#t=0.1`} preload="metadata" muted playsInline className="h-full w-full object-cover" aria-hidden="true" tabIndex={-1} />
        ) : (
          <div className="flex h-full items-center justify-center text-sm text-slate-300">
            {v.status === 'PROCESSING' ? 'Reading the video…' : 'No preview'}
          </div>
        )}
        {v.durationSec !== null ? (
          <span className="absolute bottom-2 right-2 rounded bg-slate-900/80 px-1.5 py-0.5 font-mono text-xs text-white">
            <span className="sr-only">Duration </span>
            {formatDuration(v.durationSec)}
          </span>
        ) : null}
      </div>
      <div className="space-y-1.5 p-3">
        <div className="flex items-start justify-between gap-2">
          <h3 className="truncate text-sm font-medium text-slate-900" title={v.title}>
            {v.title}
          </h3>
          <Badge tone={status.tone}>{status.label}</Badge>
        </div>
        <p className="truncate text-xs text-slate-600" data-testid="video-probe">
          {probeSummary(v) || 'Not probed'}
        </p>
        <p className="truncate text-xs text-slate-600">
          {[formatBytes(v.sizeBytes), formatDate(v.createdAt)].filter(Boolean).join(' · ')}
        </p>
        {v.status === 'FAILED' && v.error ? <p className="line-clamp-2 text-xs text-red-700">{v.error}</p> : null}
      </div>
    </>
  );
  const frame = 'block h-full rounded-lg border border-slate-200 bg-white shadow-sm';
  return href ? (
    <a href={href} className={`${frame} hover:border-indigo-300`}>
      {body}
    </a>
  ) : (
    <article className={frame}>{body}</article>
  );
}

export function VideoGridSkeleton({ count = 8 }: { count?: number }) {
  return (
    <div className={GRID} aria-hidden="true">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="rounded-lg border border-slate-200 bg-white shadow-sm">
          <Skeleton className="aspect-video w-full rounded-b-none" />
          <div className="space-y-2 p-3">
            <Skeleton className="h-4 w-3/4" />
            <Skeleton className="h-3 w-1/2" />
            <Skeleton className="h-3 w-1/3" />
          </div>
        </div>
      ))}
    </div>
  );
}
