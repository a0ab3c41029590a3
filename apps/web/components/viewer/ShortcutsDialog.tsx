'use client';

import { Button } from '../Button.tsx';
import { Dialog } from '../Dialog.tsx';

export const SHORTCUTS: [string, string][] = [
  ['Space', 'Play or pause'],
  ['← / →', 'Previous / next frame of the explained clip'],
  ['O', 'Cycle the view: original, overlay, mask only'],
  ['R', 'Draw a rectangle'],
  ['P', 'Draw a polygon'],
  ['Enter', 'Finish the polygon being drawn'],
  ['Esc', 'Stop drawing'],
  ['?', 'Show this list'],
];

export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" testId="shortcuts-dialog">
      <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm">
        {SHORTCUTS.map(([k, v]) => (
          <div key={k} className="contents">
            <dt>
              <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{k}</kbd>
            </dt>
            <dd className="text-slate-700">{v}</dd>
          </div>
        ))}
      </dl>
      <div className="flex justify-end">
        <Button variant="secondary" onClick={onClose} autoFocus>
          Close
        </Button>
      </div>
    </Dialog>
  );
}

/** True when a key event comes from a text field (shortcuts must not steal typing). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  const tag = t.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable) return true;
  if (tag === 'INPUT') {
    const type = (t as HTMLInputElement).type;
    return !['checkbox', 'radio', 'range', 'button', 'submit'].includes(type);
  }
  return false;
}
