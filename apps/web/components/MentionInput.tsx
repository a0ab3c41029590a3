'use client';

import { useId, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { activeMention, insertMention, mentionOptions, type Person } from '../lib/mentions.ts';

/**
 * A comment box (textarea, or a one-line input) that offers team members when `@` is typed: an
 * ARIA 1.2 combobox with a listbox popup (aria-expanded, aria-controls, aria-activedescendant).
 * ArrowDown/ArrowUp move through the people, Enter or Tab inserts the highlighted one, Escape
 * closes the list (the next @ opens it again). The field keeps focus throughout; the chosen person is
 * written as an `@token` that lib/mentions.ts reads back into user ids.
 */
export function MentionInput({
  value,
  onChange,
  people,
  label,
  multiline = false,
  rows = 2,
  maxLength = 5000,
  placeholder,
  className,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  people: readonly Person[];
  /** Accessible name of the field. */
  label: string;
  multiline?: boolean;
  rows?: number;
  maxLength?: number;
  placeholder?: string;
  className?: string;
  testId?: string;
}) {
  const listId = useId();
  const field = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  /** Where the @query that Escape dismissed starts (it stays closed until another @ is typed). */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const pendingCaret = useRef<number | null>(null);

  const mention = activeMention(value, caret);
  const options = mention ? mentionOptions(people, mention.query) : [];
  const open = mention !== null && options.length > 0 && dismissedAt !== mention.start;
  const activeIndex = Math.min(active, Math.max(0, options.length - 1));
  const optionId = (i: number) => `${listId}-option-${i}`;

  useLayoutEffect(() => {
    const el = field.current;
    if (el && pendingCaret.current !== null) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [value]);

  const sync = () => setCaret(field.current?.selectionStart ?? value.length);

  function choose(person: Person) {
    if (!mention) return;
    const next = insertMention(value, mention.start, caret, person, people);
    pendingCaret.current = next.caret;
    setCaret(next.caret);
    setActive(0);
    onChange(next.text);
    field.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement | HTMLInputElement>) {
    if (!open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((activeIndex + step + options.length) % options.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      choose(options[activeIndex]!);
    } else if (e.key === 'Escape') {
      // Closes the list only; a dialog around the field stays open.
      e.preventDefault();
      e.stopPropagation();
      setDismissedAt(mention!.start);
    }
  }

  const common = {
    ref: field,
    value,
    maxLength,
    placeholder,
    role: 'combobox',
    'aria-label': label,
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open,
    'aria-controls': listId,
    'aria-activedescendant': open ? optionId(activeIndex) : undefined,
    'data-testid': testId,
    onChange: (e: { target: { value: string; selectionStart: number | null } }) => {
      setCaret(e.target.selectionStart ?? e.target.value.length);
      setActive(0);
      if (dismissedAt !== null && activeMention(e.target.value, e.target.selectionStart ?? 0)?.start !== dismissedAt) setDismissedAt(null);
      onChange(e.target.value);
    },
    onKeyDown,
    onKeyUp: (e: KeyboardEvent) => {
      if (e.key.startsWith('Arrow') && !open) sync();
      if (e.key === 'Home' || e.key === 'End') sync();
    },
    onClick: sync,
    onSelect: sync,
    onBlur: () => setDismissedAt(mention?.start ?? null),
    onFocus: () => setDismissedAt(null),
    className: className ?? 'block w-full rounded-md border border-slate-300 px-3 py-2 text-sm',
  };

  return (
    <div className="relative">
      {multiline ? <textarea {...common} rows={rows} /> : <input type="text" {...common} />}
      <ul
        id={listId}
        role="listbox"
        aria-label="Team members"
        hidden={!open}
        className="absolute left-0 z-30 mt-1 max-h-56 w-64 overflow-y-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg"
        data-testid={testId ? `${testId}-mentions` : undefined}
      >
        {open
          ? options.map((p, i) => (
              <li
                key={p.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === activeIndex}
                // mousedown, not click: the field must not lose focus (and close the list) first.
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(p);
                }}
                onMouseEnter={() => setActive(i)}
                className={`cursor-pointer px-3 py-1.5 ${i === activeIndex ? 'bg-indigo-600 text-white' : 'text-slate-900'}`}
              >
                {p.name}
              </li>
            ))
          : null}
      </ul>
    </div>
  );
}
