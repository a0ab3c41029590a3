'use client';

import { useCallback, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import { formatBytes } from '../lib/format.ts';
import { startUpload, type UploadHandle, type UploadResult } from '../lib/upload.ts';
import { Alert } from './Alert.tsx';
import { Button } from './Button.tsx';

type State =
  | { kind: 'idle' }
  | { kind: 'uploading'; file: File; sent: number; total: number; resumed: boolean }
  | { kind: 'paused'; file: File; sent: number; total: number; message: string | null; resumable: boolean }
  | { kind: 'done'; file: File; result: UploadResult }
  | { kind: 'failed'; file: File; message: string };

/**
 * Drop zone + file picker for the video library. Uploads are resumable: pausing, a network cut or
 * choosing the same file again later continues from what the server already has.
 */
export function VideoUpload({ teamId, onUploaded }: { teamId: string; onUploaded: (result: UploadResult) => void }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const handle = useRef<UploadHandle | null>(null);

  const begin = useCallback(
    async (file: File) => {
      setState({ kind: 'uploading', file, sent: 0, total: file.size, resumed: false });
      handle.current = await startUpload(
        file,
        { teamId },
        {
          onProgress: (sent, total) =>
            setState((s) => (s.kind === 'uploading' || s.kind === 'paused' ? { kind: 'uploading', file, sent, total, resumed: s.kind === 'uploading' ? s.resumed : true } : s)),
          onResumeFrom: () => setState((s) => (s.kind === 'uploading' ? { ...s, resumed: true } : s)),
          onSuccess: (result) => {
            setState({ kind: 'done', file, result });
            onUploaded(result);
          },
          onError: (message, _status, resumable) =>
            setState((s) =>
              resumable
                ? { kind: 'paused', file, sent: 'sent' in s ? s.sent : 0, total: file.size, message, resumable }
                : { kind: 'failed', file, message },
            ),
        },
      );
    },
    [teamId, onUploaded],
  );

  const busy = state.kind === 'uploading' || state.kind === 'paused';
  const pick = (files: FileList | null) => {
    const file = files?.[0];
    if (file && !busy) void begin(file);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    pick(e.dataTransfer.files);
  };

  const pct = 'sent' in state && state.total > 0 ? Math.round((state.sent / state.total) * 100) : 0;

  return (
    <section aria-labelledby="upload-heading" className="mb-6 space-y-3" data-testid="video-upload">
      <h2 id="upload-heading" className="sr-only">
        Upload a video
      </h2>
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="upload-dropzone"
        className={`flex min-h-28 flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-6 py-5 text-center text-sm ${
          dragging ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300 bg-white'
        }`}
      >
        <p className="text-slate-700">
          Drop a video here, or{' '}
          {/* The input comes first so its label can show the input's keyboard focus (peer-focus-visible). */}
          <input
            ref={input}
            id="video-file"
            type="file"
            accept="video/*,.mp4,.m4v,.mov,.webm,.mkv,.avi,.mpg,.mpeg,.ogv,.3gp"
            className="peer sr-only"
            disabled={busy}
            data-testid="upload-input"
            onChange={(e) => {
              pick(e.target.files);
              e.target.value = '';
            }}
          />
          <label htmlFor="video-file" className="cursor-pointer font-medium text-indigo-700 underline underline-offset-2 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-indigo-600">
            choose a file
          </label>
        </p>
        <p className="text-xs text-slate-600">mp4, mov, webm, mkv or avi. Interrupted uploads continue where they stopped.</p>
      </div>

      {state.kind !== 'idle' ? (
        <div className="min-h-16 rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" data-testid="upload-status">
          <div className="flex items-center justify-between gap-4 text-sm">
            <span className="truncate font-medium text-slate-900">{state.file.name}</span>
            <span className="shrink-0 font-mono text-xs text-slate-600" data-testid="upload-percent">
              {state.kind === 'done' ? '100 %' : state.kind === 'failed' ? '' : `${pct} %`}
            </span>
          </div>
          {state.kind === 'uploading' || state.kind === 'paused' ? (
            <>
              <progress
                className="mt-2 h-2 w-full overflow-hidden rounded accent-indigo-600"
                max={100}
                value={pct}
                aria-label={`Uploading ${state.file.name}`}
                data-testid="upload-progress"
              />
              <div className="mt-2 flex items-center justify-between gap-2 text-xs text-slate-600">
                <span>
                  {formatBytes(state.sent)} of {formatBytes(state.total)}
                  {state.kind === 'uploading' && state.resumed ? ' · continuing an earlier upload' : ''}
                </span>
                {state.kind === 'uploading' ? (
                  <Button
                    size="sm"
                    variant="secondary"
                    onClick={() => {
                      void handle.current?.pause();
                      setState((s) => (s.kind === 'uploading' ? { kind: 'paused', file: s.file, sent: s.sent, total: s.total, message: null, resumable: true } : s));
                    }}
                  >
                    Pause
                  </Button>
                ) : (
                  <Button
                    size="sm"
                    data-testid="upload-resume"
                    onClick={() => {
                      setState((s) => (s.kind === 'paused' ? { kind: 'uploading', file: s.file, sent: s.sent, total: s.total, resumed: true } : s));
                      handle.current?.resume();
                    }}
                  >
                    Resume
                  </Button>
                )}
              </div>
              {state.kind === 'paused' && state.message ? (
                <p role="alert" className="mt-2 text-sm text-amber-900" data-testid="upload-error">
                  {state.message}
                </p>
              ) : null}
            </>
          ) : state.kind === 'done' ? (
            state.result.status === 'READY' ? (
              <p role="status" className="mt-1 text-sm text-emerald-800" data-testid="upload-done">
                Uploaded. The video is ready to explain.
              </p>
            ) : (
              <p role="alert" className="mt-1 text-sm text-red-700" data-testid="upload-done">
                Uploaded, but the file could not be read as a video{state.result.error ? `: ${state.result.error}` : '.'}
              </p>
            )
          ) : (
            <div className="mt-2">
              <Alert tone="error" testId="upload-error" title="The upload was refused">
                {state.message}
              </Alert>
            </div>
          )}
        </div>
      ) : null}
    </section>
  );
}
