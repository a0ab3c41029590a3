'use client';

/**
 * The per-frame importance curve (mean saliency of each clip frame) under the player. Clicking or
 * pressing Enter on a frame seeks the video there. Annotated frame ranges are marked below it.
 */
export function Timeline({
  means,
  frame,
  onSeek,
  ranges = [],
}: {
  means: number[];
  frame: number | null;
  onSeek: (frame: number) => void;
  ranges?: { start: number; end: number }[];
}) {
  const T = means.length;
  const max = Math.max(1e-9, ...means);
  const w = 100 / Math.max(1, T);
  const points = means.map((m, i) => `${(i + 0.5) * w},${30 - (m / max) * 26}`).join(' ');
  return (
    <div className="space-y-1">
      <p id="timeline-label" className="text-xs font-medium text-slate-800">
        Importance per frame <span className="font-normal text-slate-600">(mean saliency; click a frame to go there)</span>
      </p>
      <div className="relative h-12 rounded-md bg-slate-100" data-testid="timeline">
        <svg viewBox="0 0 100 32" preserveAspectRatio="none" className="absolute inset-0 h-full w-full" aria-hidden="true">
          {frame !== null ? <rect x={frame * w} y={0} width={w} height={32} fill="rgb(79 70 229 / 0.18)" /> : null}
          <polyline points={points} fill="none" stroke="rgb(79 70 229)" strokeWidth={1.2} vectorEffect="non-scaling-stroke" />
          {ranges.map((r, i) => (
            <rect key={i} x={r.start * w} y={30.5} width={(r.end - r.start + 1) * w} height={1.5} fill="rgb(217 119 6)" />
          ))}
        </svg>
        <div className="absolute inset-0 flex" role="group" aria-labelledby="timeline-label">
          {means.map((m, i) => (
            <button
              key={i}
              type="button"
              tabIndex={-1}
              onClick={() => onSeek(i)}
              aria-label={`Frame ${i + 1}: importance ${(m / max).toFixed(2)}`}
              aria-current={frame === i ? 'true' : undefined}
              className="h-full flex-1 hover:bg-indigo-500/10"
              data-testid="timeline-frame"
            />
          ))}
        </div>
      </div>
    </div>
  );
}
