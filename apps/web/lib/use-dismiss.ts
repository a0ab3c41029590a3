'use client';

import { useEffect, type RefObject } from 'react';

/**
 * Closes an open popover (menu, notification list) on a press outside `wrapper` or on Escape,
 * which also gives focus back to the `button` that opened it.
 */
export function useDismiss(open: boolean, close: () => void, wrapper: RefObject<HTMLElement | null>, button: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (wrapper.current && !wrapper.current.contains(e.target as Node)) close();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        close();
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close, wrapper, button]);
}
