'use client';

import { timelineScale } from '../../lib/timeline-scale.ts';

const fmtValue = (x: number) => (Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(1));

/**
 * The per-frame importance curve (mean saliency of each clip frame) under the player. The y axis
 * spans the frames' own range (lowest to highest mean, labelled), so differences between frames are
 * visible even when every frame's mean is close to the others; the x axis names the first and last
 * clip frame with their source timestamps (the overlay geometry's). Clicking a frame seeks the
 * video there. Annotated frame ranges are marked below the curve.
 */
export function Timeline({
  means,
  frame,
  onSeek,
  timestamps,
  ranges = [],
}: {
  means: number[];
  frame: number | null;
  onSeek: (frame: number) => void;
  /** Source timestamp (s) of each clip frame (Explanation.overlay.frameTimestamps). */
  timestamps: readonly number[];
  ranges?: { start: number; end: number }[];
}) {
  const T = means.length;
  const scale = timelineScale(means);
  const w = 100 / Math.max(1, T);
  const points = means.map((m, i) => `${(i + 0.5) * w},${scale.y(m)}`).join(' ');
  const area = T ? `${0.5 * w},${scale.baseline} ${points} ${(T - 0.5) * w},${scale.baseline}` : '';
  const time = (i: number) => (timestamps[i] !== undefined ? `${timestamps[i]!.toFixed(3)} s` : '');
  return (
    <div className="space-y-1">
      <p id="timeline-label" className="h-4 truncate text-xs leading-4 font-medium text-slate-800">
        Importance per frame{' '}
        <span className="font-normal text-slate-600">
          (mean saliency{scale.flat ? '; every frame has the same mean' : ', axis from the lowest to the highest frame'}; click a frame to go there)
        </span>
      </p>
      <div className="flex gap-2">
        <div className="flex w-12 shrink-0 flex-col justify-between py-1 text-right font-mono text-[10px] leading-none text-slate-600" data-testid="timeline-axis">
          <span title="Highest frame mean">{fmtValue(scale.hi)}</span>
          <span title="Lowest frame mean">{fmtValue(scale.lo)}</span>
        </div>
        <div className="relative h-20 min-w-0 flex-1 rounded-md bg-slate-100" data-testid="timeline" data-lo={scale.lo} data-hi={scale.hi}>
          <svg viewBox="0 0 100 100" preserveAspectRatio="none" className="absolute inset-0 h-full w-full" aria-hidden="true">
            <line x1={0} x2={100} y1={scale.top} y2={scale.top} stroke="rgb(148 163 184)" strokeDasharray="2 2" strokeWidth={1} vectorEffect="non-scaling-stroke" />
            <line x1={0} x2={100} y1={scale.baseline} y2={scale.baseline} stroke="rgb(148 163 184)" strokeWidth={1} vectorEffect="non-scaling-stroke" />
            {frame !== null ? <rect x={frame * w} y={0} width={w} height={100} fill="rgb(79 70 229 / 0.18)" /> : null}
            {area ? <polygon points={area} fill="rgb(79 70 229 / 0.15)" /> : null}
            <polyline points={points} fill="none" stroke="rgb(79 70 229)" strokeWidth={2} vectorEffect="non-scaling-stroke" data-testid="timeline-curve" />
            {ranges.map((r, i) => (
              <rect key={i} x={r.start * w} y={95} width={(r.end - r.start + 1) * w} height={5} fill="rgb(217 119 6)" />
            ))}
          </svg>
          <div className="absolute inset-0 flex" role="group" aria-labelledby="timeline-label">
            {means.map((m, i) => (
              <button
                key={i}
                type="button"
                tabIndex={-1}
                onClick={() => onSeek(i)}
                aria-label={`Frame ${i + 1}${timestamps[i] !== undefined ? ` at ${time(i)}` : ''}: mean saliency ${fmtValue(m)}`}
                aria-current={frame === i ? 'true' : undefined}
                className="h-full flex-1 hover:bg-indigo-500/10"
                data-testid="timeline-frame"
              />
            ))}
          </div>
        </div>
      </div>
      <div className="ml-14 flex h-4 justify-between font-mono text-[10px] leading-4 text-slate-600" data-testid="timeline-time-axis">
        <span>frame 1{timestamps.length ? ` · ${time(0)}` : ''}</span>
        <span>
          frame {T}
          {timestamps.length ? ` · ${time(T - 1)}` : ''}
        </span>
      </div>
    </div>
  );
}
