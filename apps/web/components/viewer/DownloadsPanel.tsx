'use client';

import { buttonClass } from '../Button.tsx';
import { Card } from '../Card.tsx';

export interface Downloads {
  saliencyNpy: string;
  overlayMp4: string;
  overlayPngZip: string;
  feedbackJson: string;
}

/** Take the explanation out: the saliency volume, the overlay as video and frames, and the feedback (Explanation.downloads). */
export function DownloadsPanel({ downloads, shape }: { downloads: Downloads | null | undefined; shape: number[] | null | undefined }) {
  if (!downloads) return null;
  const items = [
    { href: downloads.saliencyNpy, label: 'Saliency (.npy)', note: `float32, shape T×H×W${shape?.length === 3 ? ` = ${shape.join('×')}` : ''}`, id: 'download-npy' },
    { href: downloads.overlayMp4, label: 'Overlay video (.mp4)', note: 'heat map on the frames the model saw', id: 'download-mp4' },
    { href: downloads.overlayPngZip, label: 'Overlay frames (.zip)', note: 'one PNG per clip frame + frames.json', id: 'download-png' },
    { href: downloads.feedbackJson, label: 'Annotations & comments (.json)', note: 'schema fep-feedback/1', id: 'download-feedback' },
  ];
  return (
    <Card title="Downloads" id="downloads" description="Files for notebooks, slides and reports. The overlay is rendered on first request, which can take a few seconds.">
      <ul className="space-y-2">
        {items.map((d) => (
          <li key={d.id} className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <a href={d.href} download className={buttonClass('secondary', 'sm')} data-testid={d.id}>
              {d.label}
            </a>
            <span className="text-xs text-slate-600">{d.note}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
