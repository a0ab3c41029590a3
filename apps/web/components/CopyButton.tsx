'use client';

import { useState } from 'react';
import { Button } from './Button.tsx';

/** Copies `value` to the clipboard and says so (visibly and to screen readers). */
export function CopyButton({ value, label = 'Copy', testId }: { value: string; label?: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      setState('failed');
    }
    window.setTimeout(() => setState('idle'), 2500);
  }

  return (
    <span className="inline-flex items-center gap-2">
      <Button variant="secondary" size="sm" onClick={copy} data-testid={testId} className="min-w-20">
        {state === 'copied' ? 'Copied' : label}
      </Button>
      <span className="sr-only" aria-live="polite">
        {state === 'copied' ? 'Copied to clipboard' : state === 'failed' ? 'Copy failed: select the text and copy it by hand' : ''}
      </span>
      {state === 'failed' ? <span className="text-xs text-red-700">Select and copy by hand</span> : null}
    </span>
  );
}

/** A read-only, selectable secret with a copy button. */
export function SecretValue({ value, label, testId }: { value: string; label: string; testId?: string }) {
  return (
    <div className="flex items-center gap-2">
      <label className="sr-only" htmlFor={`${testId ?? 'secret'}-input`}>
        {label}
      </label>
      <input
        id={`${testId ?? 'secret'}-input`}
        readOnly
        value={value}
        onFocus={(e) => e.currentTarget.select()}
        className="h-10 min-w-0 flex-1 rounded-md border border-slate-300 bg-slate-50 px-3 font-mono text-sm text-slate-900"
        data-testid={testId}
      />
      <CopyButton value={value} {...(testId ? { testId: `${testId}-copy` } : {})} />
    </div>
  );
}
