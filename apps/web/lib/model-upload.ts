/**
 * Browser side of `POST /api/models/upload` (graphql/src/models/model-upload.routes.ts): one
 * multipart request carrying a .zip, every file of a model folder with its path inside the
 * folder as the part's filename, or an ONNX form (a `manifest` field + `model.onnx`). XMLHttpRequest rather than fetch, for upload progress.
 * Authentication is the session cookie (same origin).
 */

export const MODEL_UPLOAD_URL = '/api/models/upload';

/** A file to send and its path inside the model folder (`my-model/model.json`). */
export interface ModelUploadFile {
  file: File;
  path: string;
}

export interface UploadedModel {
  id: string;
  name: string;
  version: string;
}

export interface ModelUploadError {
  code: string;
  /** Machine-readable problem (MISSING_MANIFEST, WEIGHTS_HASH_MISMATCH, …) or null. */
  reason: string | null;
  /** One sentence for people. */
  message: string;
  /** One line per field or file at fault. */
  problems: string[];
}

export type ModelUploadOutcome = { ok: true; model: UploadedModel; ignored: string[] } | { ok: false; error: ModelUploadError };

/** The files of an `<input type=file>` selection, with folder paths when a folder was picked. */
export function filesFromInput(list: FileList | File[]): ModelUploadFile[] {
  return Array.from(list).map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** What the selection is, in words: "model.zip" or "my-model (4 files)". */
export function describeSelection(files: ModelUploadFile[]): string {
  if (files.length === 0) return 'nothing';
  if (files.length === 1) return files[0]!.path;
  const tops = new Set(files.map((f) => (f.path.includes('/') ? f.path.split('/')[0] : '')));
  const folder = tops.size === 1 ? [...tops][0] : '';
  return `${folder || 'the selected files'} (${files.length} files)`;
}

/** Turns a non-2xx answer (JSON error or not) into a `ModelUploadError`. */
export function errorFromResponse(status: number, text: string): ModelUploadError {
  try {
    const body = JSON.parse(text) as { error?: Partial<ModelUploadError> };
    if (body.error?.message) {
      return { code: body.error.code ?? 'INTERNAL', reason: body.error.reason ?? null, message: body.error.message, problems: body.error.problems ?? [] };
    }
  } catch {
    // not JSON: fall through
  }
  if (status === 413) return { code: 'BAD_USER_INPUT', reason: 'TOO_LARGE', message: 'The upload is too large.', problems: [] };
  if (status === 401) return { code: 'UNAUTHENTICATED', reason: null, message: 'Your session has ended. Sign in again, then retry.', problems: [] };
  return { code: 'INTERNAL', reason: null, message: `The upload failed (HTTP ${status || 'network error'}). Try again.`, problems: [] };
}

/** Sends the model; `onProgress(sent, total)` follows the request body. Never rejects. */
export function uploadModel(teamId: string, files: ModelUploadFile[], onProgress: (sent: number, total: number) => void): Promise<ModelUploadOutcome> {
  const form = new FormData();
  for (const f of files) form.append('file', f.file, f.path);
  return sendForm(teamId, form, onProgress);
}

/**
 * Sends an ONNX model described by the upload page's form: the manifest as the `manifest` field
 * (without weightsSha256, which the server computes from the file) and the file as `model.onnx`,
 * whatever it was called on disk. Never rejects.
 */
export function uploadOnnxModel(teamId: string, manifest: object, file: File, onProgress: (sent: number, total: number) => void): Promise<ModelUploadOutcome> {
  const form = new FormData();
  form.append('manifest', JSON.stringify(manifest));
  form.append('file', file, 'model.onnx');
  return sendForm(teamId, form, onProgress);
}

function sendForm(teamId: string, form: FormData, onProgress: (sent: number, total: number) => void): Promise<ModelUploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${MODEL_UPLOAD_URL}?teamId=${encodeURIComponent(teamId)}`);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) {
        const body = JSON.parse(xhr.responseText) as { model: UploadedModel; ignored?: string[] };
        resolve({ ok: true, model: body.model, ignored: body.ignored ?? [] });
      } else {
        resolve({ ok: false, error: errorFromResponse(xhr.status, xhr.responseText) });
      }
    };
    xhr.onerror = () => resolve({ ok: false, error: errorFromResponse(0, '') });
    xhr.send(form);
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: ModelUploadFile[]): Promise<void> {
  const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => (entry as FileSystemFileEntry).file(ok, fail));
    out.push({ file, path: rel });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, rel, out);
    }
  }
}

/** Files dropped on the page: a .zip, loose files, or a whole folder (walked recursively). */
export async function filesFromDrop(dt: DataTransfer): Promise<ModelUploadFile[]> {
  // Entries must be taken synchronously, while the drop event is being handled.
  const entries = Array.from(dt.items ?? [])
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return filesFromInput(dt.files);
  const out: ModelUploadFile[] = [];
  for (const entry of entries) await walk(entry, '', out);
  return out;
}
