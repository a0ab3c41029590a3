'use client';

import { useId } from 'react';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react';

const CONTROL =
  'block w-full rounded-md border bg-white px-3 h-10 text-sm text-slate-900 shadow-sm placeholder:text-slate-500 focus:outline-2 focus:outline-offset-0 focus:outline-indigo-600';

function controlClass(invalid: boolean): string {
  return `${CONTROL} ${invalid ? 'border-red-600' : 'border-slate-300'}`;
}

interface FieldChrome {
  label: string;
  /** Inline error for this field (e.g. from ApiError.fields). */
  error?: string | undefined;
  hint?: ReactNode;
  /** Visually hide the label (still read by screen readers). */
  hideLabel?: boolean;
}

function Chrome({
  id,
  label,
  hideLabel,
  hint,
  error,
  children,
}: FieldChrome & { id: string; children: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : 'block text-sm font-medium text-slate-800'}>
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      {/* The error line is always rendered, so showing an error does not push the form down. */}
      <p id={`${id}-error`} className="min-h-4 text-xs font-medium text-red-700" aria-live="polite">
        {error ?? ''}
      </p>
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField({
  label,
  error,
  hint,
  hideLabel,
  id: givenId,
  ...input
}: FieldChrome & InputHTMLAttributes<HTMLInputElement>) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <Chrome id={id} label={label} error={error} hint={hint} hideLabel={hideLabel ?? false}>
      <input
        id={id}
        className={controlClass(Boolean(error))}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
    </Chrome>
  );
}

export function SelectField({
  label,
  error,
  hint,
  hideLabel,
  id: givenId,
  children,
  ...select
}: FieldChrome & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const autoId = useId();
  const id = givenId ?? autoId;
  return (
    <Chrome id={id} label={label} error={error} hint={hint} hideLabel={hideLabel ?? false}>
      <select
        id={id}
        className={`${controlClass(Boolean(error))} pr-8`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {children}
      </select>
    </Chrome>
  );
}
