'use client';

import { useState } from 'react';
import type { ReactNode } from 'react';
import {
  KINETICS_NORMALISATION,
  NO_NORMALISATION,
  nameFromFile,
  ONNX_FORM_DEFAULTS,
  parseLabelsText,
  validateOnnxForm,
  type OnnxFormField,
  type OnnxFormValues,
  type OnnxManifestDraft,
} from '../../lib/onnx-manifest.ts';

const inputClass =
  'mt-1 block w-full rounded-md border border-slate-300 px-2 py-1 text-sm text-slate-900 aria-[invalid=true]:border-red-500 disabled:bg-slate-100';

/**
 * An `.onnx` file plus the fields of its fep-model.json, with defaults (torchvision's layout and
 * Kinetics normalisation) and inline validation. Submitting hands the manifest and the file to
 * `onSubmit`; the server checks both again.
 */
export function OnnxModelForm({ busy, onSubmit }: { busy: boolean; onSubmit: (manifest: OnnxManifestDraft, file: File) => void }) {
  const [values, setValues] = useState<OnnxFormValues>(ONNX_FORM_DEFAULTS);
  const [file, setFile] = useState<File | null>(null);
  const [touched, setTouched] = useState<Partial<Record<OnnxFormField, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [labelsNote, setLabelsNote] = useState<string | null>(null);

  const result = validateOnnxForm(values, file);
  const errors = result.ok ? {} : result.errors;
  const shown = (f: OnnxFormField) => (submitted || touched[f] ? errors[f] : undefined);
  // A field's message shows once it was edited (as it is typed) or after a submit. Not on blur: a
  // message appearing when the focus leaves a field would move the button being clicked.
  const set = (f: keyof OnnxFormValues) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [f]: e.target.value }));
    setTouched((t) => ({ ...t, [f]: true }));
  };

  const field = (f: keyof OnnxFormValues, label: string, props: { hint?: ReactNode; inputMode?: 'numeric' | 'decimal'; className?: string } = {}) => {
    const err = shown(f);
    return (
      <div className={props.className}>
        <label htmlFor={`onnx-${f}`} className="block text-xs font-medium text-slate-700">
          {label}
        </label>
        <input
          id={`onnx-${f}`}
          name={f}
          value={values[f]}
          onChange={set(f)}
          inputMode={props.inputMode}
          disabled={busy}
          aria-invalid={err ? true : undefined}
          aria-describedby={[err ? `onnx-${f}-error` : '', props.hint ? `onnx-${f}-hint` : ''].filter(Boolean).join(' ') || undefined}
          className={inputClass}
          data-testid={`onnx-${f}`}
        />
        {props.hint ? (
          <p id={`onnx-${f}-hint`} className="mt-0.5 text-xs text-slate-500">
            {props.hint}
          </p>
        ) : null}
        {err ? (
          <p id={`onnx-${f}-error`} className="mt-0.5 text-xs text-red-700" data-testid={`onnx-${f}-error`}>
            {err}
          </p>
        ) : null}
      </div>
    );
  };

  const preset = (p: { mean: readonly number[]; std: readonly number[] }) => setValues((v) => ({ ...v, mean: p.mean.join(', '), std: p.std.join(', ') }));
  const fileError = shown('file');
  const labelsError = shown('labels');
  const labelCount = parseLabelsText(values.labels).length;

  return (
    <form
      noValidate
      aria-labelledby="onnx-form-heading"
      className="space-y-3 border-t border-slate-200 pt-3"
      data-testid="onnx-form"
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (busy || !result.ok || !file) return;
        onSubmit(result.manifest, file);
      }}
    >
      <div>
        <h3 id="onnx-form-heading" className="text-sm font-semibold text-slate-900">
          Or an ONNX file and its description
        </h3>
        <p className="mt-0.5 text-xs text-slate-600">
          The <code className="font-mono">.onnx</code> exported by <code className="font-mono">torch.onnx.export</code> (opset 13–18). These fields become its{' '}
          <code className="font-mono">fep-model.json</code>; the weights hash is computed from the file on upload. A .zip with{' '}
          <code className="font-mono">fep-model.json</code> and <code className="font-mono">model.onnx</code> can be chosen above instead.
        </p>
      </div>

      <div>
        <label htmlFor="onnx-file" className="block text-xs font-medium text-slate-700">
          ONNX file
        </label>
        <input
          id="onnx-file"
          type="file"
          accept=".onnx"
          disabled={busy}
          aria-invalid={fileError ? true : undefined}
          aria-describedby={fileError ? 'onnx-file-error' : undefined}
          className="mt-1 block text-sm"
          data-testid="onnx-file"
          onChange={(e) => {
            const chosen = e.target.files?.[0] ?? null;
            setFile(chosen);
            setTouched((t) => ({ ...t, file: true }));
            if (chosen && !values.name.trim()) setValues((v) => ({ ...v, name: nameFromFile(chosen.name) }));
          }}
        />
        {fileError ? (
          <p id="onnx-file-error" className="mt-0.5 text-xs text-red-700" data-testid="onnx-file-error">
            {fileError}
          </p>
        ) : null}
      </div>

      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {field('name', 'Name', { className: 'col-span-2' })}
        {field('version', 'Version')}
        <div>
          <label htmlFor="onnx-layout" className="block text-xs font-medium text-slate-700">
            Input layout
          </label>
          <select id="onnx-layout" name="layout" value={values.layout} onChange={set('layout')} disabled={busy} className={inputClass} data-testid="onnx-layout">
            <option value="NCTHW">NCTHW (torchvision)</option>
            <option value="NTHWC">NTHWC</option>
          </select>
        </div>
        {field('frames', 'Frames', { inputMode: 'numeric' })}
        {field('height', 'Height (px)', { inputMode: 'numeric' })}
        {field('width', 'Width (px)', { inputMode: 'numeric' })}
        <div />
        {field('valueMin', 'Lowest pixel value', { inputMode: 'decimal' })}
        {field('valueMax', 'Highest pixel value', { inputMode: 'decimal', hint: '0 and 1 for torchvision; 0 and 255 for raw bytes.' })}
        <div className="col-span-2" />
        {field('mean', 'Mean (R, G, B)', { className: 'col-span-2' })}
        {field('std', 'Std (R, G, B)', { className: 'col-span-2' })}
      </div>
      <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
        Normalisation presets:
        <button type="button" disabled={busy} onClick={() => preset(KINETICS_NORMALISATION)} className="rounded border border-slate-300 px-2 py-0.5 font-medium text-slate-800 hover:bg-slate-50" data-testid="onnx-preset-kinetics">
          torchvision Kinetics-400
        </button>
        <button type="button" disabled={busy} onClick={() => preset(NO_NORMALISATION)} className="rounded border border-slate-300 px-2 py-0.5 font-medium text-slate-800 hover:bg-slate-50" data-testid="onnx-preset-none">
          none (mean 0, std 1)
        </button>
      </p>

      <div>
        <label htmlFor="onnx-labels" className="block text-xs font-medium text-slate-700">
          Labels, one per line, in the order of the network’s outputs {labelCount ? <span className="font-normal text-slate-500">({labelCount})</span> : null}
        </label>
        <textarea
          id="onnx-labels"
          name="labels"
          rows={5}
          value={values.labels}
          onChange={set('labels')}
          disabled={busy}
          aria-invalid={labelsError ? true : undefined}
          aria-describedby={labelsError ? 'onnx-labels-error' : undefined}
          className={`${inputClass} font-mono`}
          data-testid="onnx-labels"
        />
        {labelsError ? (
          <p id="onnx-labels-error" className="mt-0.5 text-xs text-red-700" data-testid="onnx-labels-error">
            {labelsError}
          </p>
        ) : null}
        <p className="mt-1 text-xs text-slate-600">
          <label htmlFor="onnx-labels-file" className="font-medium text-indigo-700 underline underline-offset-2">
            Or read a labels file
          </label>{' '}
          (one label per line, or a JSON array):{' '}
          <input
            id="onnx-labels-file"
            type="file"
            accept=".txt,.json,text/plain,application/json"
            disabled={busy}
            className="inline text-xs"
            data-testid="onnx-labels-file"
            onChange={async (e) => {
              const chosen = e.target.files?.[0];
              e.target.value = '';
              if (!chosen) return;
              const labels = parseLabelsText(await chosen.text());
              setValues((v) => ({ ...v, labels: labels.join('\n') }));
              setTouched((t) => ({ ...t, labels: true }));
              setLabelsNote(`${labels.length} labels read from ${chosen.name}.`);
            }}
          />
        </p>
        {labelsNote ? (
          <p className="text-xs text-slate-600" role="status">
            {labelsNote}
          </p>
        ) : null}
      </div>

      <button
        type="submit"
        disabled={busy}
        className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
        data-testid="onnx-submit"
      >
        Upload the ONNX model
      </button>
    </form>
  );
}
