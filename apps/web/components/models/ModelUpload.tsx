'use client';

import { useState } from 'react';
import type { DragEvent } from 'react';
import { formatBytes } from '../../lib/format.ts';
import {
  describeSelection,
  filesFromDrop,
  filesFromInput,
  uploadModel,
  uploadOnnxModel,
  type ModelUploadError,
  type ModelUploadFile,
  type UploadedModel,
} from '../../lib/model-upload.ts';
import type { OnnxManifestDraft } from '../../lib/onnx-manifest.ts';
import { Alert } from '../Alert.tsx';
import { OnnxModelForm } from './OnnxModelForm.tsx';

type State =
  | { kind: 'idle' }
  | { kind: 'uploading'; what: string; sent: number; total: number }
  | { kind: 'checking'; what: string }
  | { kind: 'done'; what: string; model: UploadedModel; ignored: string[] }
  | { kind: 'failed'; what: string; error: ModelUploadError };

/** Titles for the error box, by the API's reason (model-upload.service.ts, UPLOAD_ERROR_REASONS). */
const ERROR_TITLES: Record<string, string> = {
  MISSING_MANIFEST: 'fep-model.json is missing',
  MANIFEST_NOT_JSON: 'fep-model.json is not valid JSON',
  MANIFEST_INVALID: 'fep-model.json has invalid fields',
  MODEL_JSON_INVALID: 'model.json or model.onnx is missing or unreadable',
  MISSING_WEIGHT_SHARD: 'A weight file is missing',
  WEIGHTS_HASH_MISMATCH: 'The weights do not match their hash',
  INPUT_SHAPE_MISMATCH: 'The input shape does not match',
  OUTPUT_UNITS_MISMATCH: 'The outputs do not match the labels',
  UNSUPPORTED_LAYER: 'The model uses an unsupported layer',
  UNSUPPORTED_OPERATOR: 'The ONNX model uses operators the import cannot run',
  UNSUPPORTED_OPSET: 'The ONNX model’s opset is not supported',
  MODEL_CARD_INVALID: 'The model card is missing or too large',
  DUPLICATE: 'This model version already exists',
  TOO_LARGE: 'The upload is too large',
  TOO_MANY_FILES: 'Too many files',
  UNSAFE_PATH: 'A file path was refused',
  NOT_A_ZIP: 'The file is not a readable zip',
  NO_FILES: 'Nothing was uploaded',
};

/**
 * Upload a model to the team's registry: a .zip or a model folder (picked, or dropped) — TF.js, or
 * ONNX (fep-model.json + model.onnx) — or an .onnx file described in a form (OnnxModelForm).
 * The server validates it with the engine's loader; problems are shown here, in words, with one
 * line per field at fault.
 */
export function ModelUpload({ teamId, onUploaded }: { teamId: string; onUploaded: (model: UploadedModel) => void }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const busy = state.kind === 'uploading' || state.kind === 'checking';

  const send = async (files: ModelUploadFile[]) => {
    if (busy || files.length === 0) return;
    await track(describeSelection(files), files.reduce((n, f) => n + f.file.size, 0), (onProgress) => uploadModel(teamId, files, onProgress));
  };

  const sendOnnx = async (manifest: OnnxManifestDraft, file: File) => {
    if (busy) return;
    await track(file.name, file.size, (onProgress) => uploadOnnxModel(teamId, manifest, file, onProgress));
  };

  const track = async (what: string, total: number, upload: (onProgress: (sent: number, total: number) => void) => ReturnType<typeof uploadModel>) => {
    setState({ kind: 'uploading', what, sent: 0, total });
    const outcome = await upload((sent, all) =>
      setState((s) => (s.kind === 'uploading' ? (sent >= all ? { kind: 'checking', what } : { ...s, sent, total: all }) : s)),
    );
    if (outcome.ok) {
      setState({ kind: 'done', what, model: outcome.model, ignored: outcome.ignored });
      onUploaded(outcome.model);
    } else {
      setState({ kind: 'failed', what, error: outcome.error });
    }
  };

  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    await send(await filesFromDrop(e.dataTransfer));
  };

  const pct = state.kind === 'uploading' && state.total > 0 ? Math.min(100, Math.round((state.sent / state.total) * 100)) : 0;
  const linkLabel = 'cursor-pointer font-medium text-indigo-700 underline underline-offset-2 outline-offset-2 outline-indigo-600';

  return (
    <section aria-labelledby="model-upload-heading" className="space-y-3 rounded-lg border border-slate-200 bg-white p-5 shadow-sm" data-testid="model-upload">
      <div>
        <h2 id="model-upload-heading" className="text-base font-semibold text-slate-900">
          Upload a model
        </h2>
        <p id="model-upload-hint" className="mt-1 text-sm text-slate-600">
          A TF.js model folder with <code className="font-mono text-xs">fep-model.json</code>, <code className="font-mono text-xs">model.json</code>, its weight
          files and optionally <code className="font-mono text-xs">MODEL_CARD.md</code> — as a .zip or as the folder itself — or an ONNX model:{' '}
          <code className="font-mono text-xs">fep-model.json</code> with <code className="font-mono text-xs">model.onnx</code> in a .zip, or the .onnx with the
          form below. It is checked before it is registered: manifest fields, weights hash, layers or operators, input and output shapes.
        </p>
      </div>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => void onDrop(e)}
        data-testid="model-dropzone"
        className={`flex min-h-24 flex-col items-center justify-center gap-1 rounded-lg border-2 border-dashed px-6 py-4 text-center text-sm ${
          dragging ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300 bg-white'
        }`}
      >
        <p className="text-slate-700">
          Drop a .zip or a model folder here, or{' '}
          {/* Each input precedes its label, so the label can show the input's keyboard focus (named peers). */}
          <input
            id="model-zip"
            type="file"
            accept=".zip,application/zip"
            className="peer/zip sr-only"
            disabled={busy}
            aria-describedby="model-upload-hint"
            data-testid="model-zip-input"
            onChange={(e) => {
              const files = filesFromInput(e.target.files ?? []);
              e.target.value = '';
              void send(files);
            }}
          />
          <label htmlFor="model-zip" className={`${linkLabel} peer-focus-visible/zip:outline-2`}>
            choose a .zip
          </label>{' '}
          or{' '}
          <input
            id="model-folder"
            type="file"
            multiple
            className="peer/folder sr-only"
            disabled={busy}
            aria-describedby="model-upload-hint"
            data-testid="model-folder-input"
            {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
            onChange={(e) => {
              const files = filesFromInput(e.target.files ?? []);
              e.target.value = '';
              void send(files);
            }}
          />
          <label htmlFor="model-folder" className={`${linkLabel} peer-focus-visible/folder:outline-2`}>
            choose a folder
          </label>
        </p>
      </div>

      <OnnxModelForm busy={busy} onSubmit={(manifest, file) => void sendOnnx(manifest, file)} />

      <div aria-live="polite" data-testid="model-upload-status">
        {state.kind === 'uploading' ? (
          <div className="space-y-1 text-sm">
            <div className="flex justify-between gap-4">
              <span className="truncate font-medium text-slate-900">Uploading {state.what}</span>
              <span className="shrink-0 font-mono text-xs text-slate-600">{pct} %</span>
            </div>
            <progress className="h-2 w-full overflow-hidden rounded accent-indigo-600" max={100} value={pct} aria-label={`Uploading ${state.what}`} />
            <p className="text-xs text-slate-600">
              {formatBytes(state.sent)} of {formatBytes(state.total)}
            </p>
          </div>
        ) : state.kind === 'checking' ? (
          <p className="text-sm text-slate-700" role="status">
            Checking {state.what}: reading the manifest, verifying the weights and running the network once…
          </p>
        ) : state.kind === 'done' ? (
          <Alert tone="success" testId="model-upload-done" title={`${state.model.name} ${state.model.version} is registered`}>
            It is listed below and can be chosen when requesting explanations.
            {state.ignored.length ? ` Not stored (not part of the model): ${state.ignored.join(', ')}.` : ''}
          </Alert>
        ) : state.kind === 'failed' ? (
          <Alert tone="error" testId="model-upload-error" title={`${state.what} was not registered: ${ERROR_TITLES[state.error.reason ?? ''] ?? 'the upload failed'}`}>
            <p>{state.error.message}</p>
            {state.error.problems.length ? (
              <ul className="mt-1 list-disc space-y-0.5 pl-5 font-mono text-xs" data-testid="model-upload-problems">
                {state.error.problems.map((p) => (
                  <li key={p} className="break-all">
                    {p}
                  </li>
                ))}
              </ul>
            ) : null}
            <p className="mt-1 text-xs">
              Fix the files and upload again. The format is described in the model format guide (apps/engine/docs/model-format.md).
            </p>
          </Alert>
        ) : null}
      </div>
    </section>
  );
}
