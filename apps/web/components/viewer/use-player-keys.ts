'use client';

import { useEffect, useRef } from 'react';
import { isTyping } from './ShortcutsDialog.tsx';

/** Elements that Space and Enter activate: the key is theirs, not the player's. */
const ACTIVATED_BY_SPACE_OR_ENTER =
  'button, a[href], summary, select, input[type="checkbox"], input[type="radio"], input[type="button"], input[type="submit"], input[type="reset"], [role="button"], [role="checkbox"], [role="radio"], [role="switch"], [role="tab"], [role="menuitem"], [role="option"]';
/** Elements that arrow keys move: sliders, radio groups, selects, tabs, lists. */
const MOVED_BY_ARROWS =
  'select, input[type="range"], input[type="radio"], [role="slider"], [role="radio"], [role="spinbutton"], [role="tab"], [role="option"], [role="menuitem"]';

/**
 * True when the focused element uses this key itself, so a page-wide shortcut must leave it alone:
 * Space on a focused button presses that button, ← → on a focused slider moves the slider.
 * Elements outside the tab order (tabIndex −1, e.g. the timeline's frame cells) are pointer
 * targets that merely keep focus after a click: they do not claim keys.
 */
export function targetOwnsKey(ev: KeyboardEvent): boolean {
  const t = ev.target;
  if (!(t instanceof Element) || (t instanceof HTMLElement && t.tabIndex < 0)) return false;
  if (ev.key === ' ' || ev.key === 'Enter') return t.matches(ACTIVATED_BY_SPACE_OR_ENTER);
  if (ev.key.startsWith('Arrow')) return t.matches(MOVED_BY_ARROWS);
  return false;
}

export interface PlayerKeysClock {
  togglePlay(): void;
  step(delta: number): void;
}

/**
 * The player's keyboard shortcuts, shared by the viewer and compare mode: Space plays or pauses,
 * ← → step one clip frame. `onKey` handles a page's further keys (return true when it did).
 * Nothing fires while typing in a field, while `enabled` is false (e.g. a dialog is open), or when
 * the focused control uses the key itself.
 */
export function usePlayerKeys(clock: PlayerKeysClock, opts: { enabled?: boolean; onKey?: (ev: KeyboardEvent) => boolean } = {}): void {
  const enabled = opts.enabled ?? true;
  const onKey = useRef(opts.onKey);
  onKey.current = opts.onKey;
  useEffect(() => {
    if (!enabled) return;
    const handle = (ev: KeyboardEvent) => {
      if (ev.defaultPrevented || ev.altKey || ev.ctrlKey || ev.metaKey || isTyping(ev) || targetOwnsKey(ev)) return;
      if (ev.key === ' ') {
        ev.preventDefault();
        clock.togglePlay();
      } else if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') {
        ev.preventDefault();
        clock.step(ev.key === 'ArrowRight' ? 1 : -1);
      } else {
        onKey.current?.(ev);
      }
    };
    window.addEventListener('keydown', handle);
    return () => window.removeEventListener('keydown', handle);
  }, [clock, enabled]);
}
