/**
 * The upload page's ONNX form: the fields of fep-model.json (format "onnx") as the person types
 * them, their defaults, inline validation, and the manifest the form sends with the `.onnx` file
 * (POST /api/models/upload with a `manifest` field; see graphql/src/models/model-upload.routes.ts).
 * The server checks the manifest again with the engine's own schema (apps/engine/src/model/
 * manifest.ts) and fills in `weightsSha256` from the file it received; the rules here mirror that
 * schema so that most mistakes are shown next to their field before anything is sent.
 */

export type OnnxLayout = 'NCTHW' | 'NTHWC';

/** The form's fields, as strings (what inputs hold). */
export interface OnnxFormValues {
  name: string;
  version: string;
  layout: OnnxLayout;
  frames: string;
  height: string;
  width: string;
  /** Lowest and highest pixel value the network expects after decoding, e.g. 0 and 1. */
  valueMin: string;
  valueMax: string;
  /** Three numbers, separated by commas or spaces (one per RGB channel). */
  mean: string;
  std: string;
  /** One label per line, in the order of the network's outputs. */
  labels: string;
}

export type OnnxFormField = keyof OnnxFormValues | 'file';
export type OnnxFormErrors = Partial<Record<OnnxFormField, string>>;

/**
 * torchvision's normalisation for its Kinetics-400 video models (r2plus1d_18, r3d_18, mc3_18,
 * s3d): pixels scaled to [0, 1], then per channel (x − mean) / std. The upload page offers it as a
 * preset; it is also the form's default, since torchvision models are what most people bring.
 */
export const KINETICS_NORMALISATION = { mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989] } as const;

/** No normalisation: pixels go in as they are in the value range. */
export const NO_NORMALISATION = { mean: [0, 0, 0], std: [1, 1, 1] } as const;

export const ONNX_FORM_DEFAULTS: OnnxFormValues = {
  name: '',
  version: '1',
  layout: 'NCTHW',
  frames: '16',
  height: '112',
  width: '112',
  valueMin: '0',
  valueMax: '1',
  mean: KINETICS_NORMALISATION.mean.join(', '),
  std: KINETICS_NORMALISATION.std.join(', '),
  labels: '',
};

/** The name a model gets from its file when none is typed: `r2plus1d_18.onnx` → `r2plus1d_18`. */
export function nameFromFile(fileName: string): string {
  return fileName.replace(/\.onnx$/i, '').trim();
}

/** Labels from a labels file: a JSON array of strings, or one label per line (blank lines dropped). */
export function parseLabelsText(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
    } catch {
      // not JSON after all: read it as lines
    }
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function parseNumbers(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p.length > 0);
  const nums = parts.map(Number);
  return nums.every((n) => Number.isFinite(n)) ? nums : null;
}

function positiveInt(text: string, what: string, errors: OnnxFormErrors, field: OnnxFormField): number {
  const n = Number(text.trim());
  if (!text.trim() || !Number.isInteger(n) || n <= 0) errors[field] = `${what} must be a whole number above 0.`;
  return n;
}

export type OnnxManifestDraft = {
  name: string;
  version: string;
  format: 'onnx';
  input: { frames: number; height: number; width: number; channels: 3; layout: OnnxLayout; valueRange: [number, number]; mean: number[]; std: number[] };
  labels: string[];
};

/**
 * Validates the form. Returns the manifest to send (without weightsSha256: the server hashes the
 * file it receives), or the message for each field at fault. `file` is the chosen .onnx, if any.
 */
export function validateOnnxForm(
  values: OnnxFormValues,
  file: { name: string; size: number } | null,
): { ok: true; manifest: OnnxManifestDraft } | { ok: false; errors: OnnxFormErrors } {
  const errors: OnnxFormErrors = {};
  if (!file) errors.file = 'Choose the .onnx file exported by torch.onnx.export.';
  else if (!/\.onnx$/i.test(file.name)) errors.file = `${file.name} is not an .onnx file.`;
  else if (file.size === 0) errors.file = `${file.name} is empty.`;

  const name = values.name.trim();
  const version = values.version.trim();
  if (!name) errors.name = 'Give the model a name.';
  if (!version) errors.version = 'Give the model a version (e.g. 1).';
  if (values.layout !== 'NCTHW' && values.layout !== 'NTHWC') errors.layout = 'The layout is NCTHW (torchvision) or NTHWC.';

  const frames = positiveInt(values.frames, 'Frames', errors, 'frames');
  const height = positiveInt(values.height, 'Height', errors, 'height');
  const width = positiveInt(values.width, 'Width', errors, 'width');

  const lo = Number(values.valueMin.trim());
  const hi = Number(values.valueMax.trim());
  if (!values.valueMin.trim() || !Number.isFinite(lo)) errors.valueMin = 'The lowest value must be a number.';
  if (!values.valueMax.trim() || !Number.isFinite(hi)) errors.valueMax = 'The highest value must be a number.';
  else if (Number.isFinite(lo) && hi <= lo) errors.valueMax = 'The highest value must be above the lowest.';

  const mean = parseNumbers(values.mean);
  if (!mean || mean.length !== 3) errors.mean = 'Mean needs 3 numbers, one per channel (R, G, B).';
  const std = parseNumbers(values.std);
  if (!std || std.length !== 3) errors.std = 'Std needs 3 numbers, one per channel (R, G, B).';
  else if (std.some((s) => s <= 0)) errors.std = 'Every std entry must be above 0.';

  const labels = parseLabelsText(values.labels);
  if (labels.length < 2) errors.labels = 'List at least 2 labels, one per line, in the order of the network’s outputs.';

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    manifest: {
      name,
      version,
      format: 'onnx',
      input: { frames, height, width, channels: 3, layout: values.layout, valueRange: [lo, hi], mean: mean!, std: std! },
      labels,
    },
  };
}
