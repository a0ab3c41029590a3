'use client';

import { useRef, useState } from 'react';
import type { PointerEvent } from 'react';

export type Tool = 'none' | 'rectangle' | 'polygon';
export type Draft = { shape: 'RECTANGLE'; rect: { x: number; y: number; w: number; h: number } } | { shape: 'POLYGON'; points: [number, number][] };

export interface ShownAnnotation {
  id: string;
  shape: 'RECTANGLE' | 'POLYGON';
  geometry: unknown;
  label: string | null;
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));

/**
 * An SVG layer over the player in normalised [0,1] coordinates of the video frame. Shows the
 * annotations of the current frame and, with a tool selected, lets the person draw a rectangle
 * (drag) or a polygon (click points, then Finish).
 */
export function AnnotationLayer({
  tool,
  annotations,
  draft,
  onDraft,
}: {
  tool: Tool;
  annotations: ShownAnnotation[];
  draft: Draft | null;
  onDraft: (d: Draft | null) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [dragStart, setDragStart] = useState<[number, number] | null>(null);

  const at = (e: PointerEvent): [number, number] => {
    const r = svg.current!.getBoundingClientRect();
    return [clamp((e.clientX - r.left) / r.width), clamp((e.clientY - r.top) / r.height)];
  };

  const onDown = (e: PointerEvent) => {
    if (tool === 'rectangle') {
      const p = at(e);
      (e.target as Element).setPointerCapture?.(e.pointerId);
      setDragStart(p);
      onDraft({ shape: 'RECTANGLE', rect: { x: p[0], y: p[1], w: 0, h: 0 } });
    } else if (tool === 'polygon') {
      const p = at(e);
      const points = draft?.shape === 'POLYGON' ? draft.points : [];
      onDraft({ shape: 'POLYGON', points: [...points, p] });
    }
  };
  const onMove = (e: PointerEvent) => {
    if (tool !== 'rectangle' || !dragStart) return;
    const [x, y] = at(e);
    onDraft({
      shape: 'RECTANGLE',
      rect: { x: Math.min(x, dragStart[0]), y: Math.min(y, dragStart[1]), w: Math.abs(x - dragStart[0]), h: Math.abs(y - dragStart[1]) },
    });
  };
  const onUp = () => setDragStart(null);

  return (
    <svg
      ref={svg}
      viewBox="0 0 1 1"
      preserveAspectRatio="none"
      className={`absolute inset-0 h-full w-full ${tool === 'none' ? 'pointer-events-none' : 'cursor-crosshair touch-none'}`}
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      data-testid="annotation-layer"
      role={tool === 'none' ? undefined : 'application'}
      aria-label={tool === 'none' ? undefined : tool === 'rectangle' ? 'Drag to draw a rectangle' : 'Click to add polygon points'}
    >
      {annotations.map((a) => (
        <Shape key={a.id} shape={a.shape} geometry={a.geometry} stroke="rgb(245 158 11)" label={a.label} />
      ))}
      {draft ? <Shape shape={draft.shape} geometry={draft.shape === 'RECTANGLE' ? draft.rect : { points: draft.points }} stroke="rgb(255 255 255)" dashed label={null} /> : null}
    </svg>
  );
}

function Shape({ shape, geometry, stroke, dashed, label }: { shape: string; geometry: unknown; stroke: string; dashed?: boolean; label: string | null }) {
  const g = geometry as { x?: number; y?: number; w?: number; h?: number; points?: [number, number][] };
  const common = { fill: 'rgb(245 158 11 / 0.12)', stroke, strokeWidth: 2, vectorEffect: 'non-scaling-stroke' as const, strokeDasharray: dashed ? '4 3' : undefined };
  if (shape === 'RECTANGLE' && g.w !== undefined) {
    return (
      <g data-testid="annotation-shape">
        <rect x={g.x} y={g.y} width={g.w} height={g.h} {...common} />
        {label ? <title>{label}</title> : null}
      </g>
    );
  }
  if (g.points?.length) {
    return (
      <g data-testid="annotation-shape">
        <polygon points={g.points.map((p) => p.join(',')).join(' ')} {...common} />
        {label ? <title>{label}</title> : null}
      </g>
    );
  }
  return null;
}
