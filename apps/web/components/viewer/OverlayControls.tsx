'use client';

import { useId } from 'react';
import { COLORMAPS, cssGradient, type ColormapName } from '../../lib/colormaps.ts';
import type { OverlaySettings, ViewMode } from './saliency.ts';

const VIEWS: { value: ViewMode; label: string }[] = [
  { value: 'original', label: 'Original' },
  { value: 'overlay', label: 'Overlay' },
  { value: 'mask', label: 'Mask only' },
];

/** View, colour map, opacity and threshold of the heat map. */
export function OverlayControls({ settings, onChange }: { settings: OverlaySettings; onChange: (s: OverlaySettings) => void }) {
  const id = useId();
  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[max-content_minmax(0,1fr)_minmax(0,1fr)_minmax(0,1fr)]" data-testid="overlay-controls">
      <fieldset>
        <legend className="mb-1 text-xs font-medium text-slate-800">View</legend>
        <div className="inline-flex rounded-md ring-1 ring-slate-300" role="radiogroup" aria-label="View">
          {VIEWS.map((v) => (
            <label key={v.value} className={`cursor-pointer whitespace-nowrap px-2.5 py-1.5 text-xs font-medium first:rounded-l-md last:rounded-r-md has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-indigo-600 ${settings.view === v.value ? 'bg-indigo-600 text-white' : 'bg-white text-slate-800'}`}>
              <input type="radio" name={`${id}-view`} value={v.value} checked={settings.view === v.value} onChange={() => onChange({ ...settings, view: v.value })} className="sr-only" />
              {v.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <label htmlFor={`${id}-cmap`} className="mb-1 block text-xs font-medium text-slate-800">
          Colour map
        </label>
        <select id={`${id}-cmap`} value={settings.colormap} onChange={(e) => onChange({ ...settings, colormap: e.target.value as ColormapName })} className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm">
          {COLORMAPS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <div className="mt-1 h-2 rounded" style={{ background: cssGradient(settings.colormap) }} aria-hidden="true" />
        <div className="flex justify-between text-[10px] text-slate-600" aria-hidden="true">
          <span>less important</span>
          <span>more</span>
        </div>
      </div>
      <div>
        <label htmlFor={`${id}-opacity`} className="mb-1 block text-xs font-medium text-slate-800">
          Opacity <span className="font-mono text-slate-600">{Math.round(settings.opacity * 100)} %</span>
        </label>
        <input id={`${id}-opacity`} type="range" min={0} max={1} step={0.05} value={settings.opacity} onChange={(e) => onChange({ ...settings, opacity: Number(e.target.value) })} className="w-full accent-indigo-600" data-testid="opacity-slider" />
      </div>
      <div>
        <label htmlFor={`${id}-threshold`} className="mb-1 block text-xs font-medium text-slate-800">
          Threshold <span className="font-mono text-slate-600">{Math.round(settings.threshold * 100)} %</span>
        </label>
        <input id={`${id}-threshold`} type="range" min={0} max={0.95} step={0.05} value={settings.threshold} onChange={(e) => onChange({ ...settings, threshold: Number(e.target.value) })} className="w-full accent-indigo-600" data-testid="threshold-slider" />
        <p className="text-[10px] text-slate-600">Hides values under this share of the range; 15 % at least.</p>
      </div>
    </div>
  );
}
