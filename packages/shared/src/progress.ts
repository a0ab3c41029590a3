/**
 * The stages of one explanation's compute, in order, with the words the UI shows for each. The
 * engine tags every progress event with one (ExplainProgress.stage in queue.ts), the API relays
 * it (GraphQL ExplanationProgress.stage), and the web names it with EXPLAIN_STAGE_LABELS — one
 * list, imported by all three. Browser-safe: no Node or Redis imports.
 *
 * Share of the job's fraction each stage covers (explain-video.ts): loading ≈ 0, optimising
 * 0–0.9, metrics 0.9–1 (insertion/deletion curves), saving at 1 (storing the saliency volume and
 * writing the row).
 */
export const EXPLAIN_STAGES = ['loading', 'optimising', 'metrics', 'saving'] as const;

export type ExplainStage = (typeof EXPLAIN_STAGES)[number];

export const EXPLAIN_STAGE_LABELS: Readonly<Record<ExplainStage, string>> = {
  loading: 'Loading the model and video',
  optimising: 'Optimising mask',
  metrics: 'Computing metrics',
  saving: 'Saving results',
};

/** The UI's words for a stage name as it arrives over the wire (GraphQL enums are upper case). */
export function explainStageLabel(stage: string | null | undefined): string | null {
  if (!stage) return null;
  const key = stage.toLowerCase() as ExplainStage;
  return Object.prototype.hasOwnProperty.call(EXPLAIN_STAGE_LABELS, key) ? EXPLAIN_STAGE_LABELS[key] : null;
}

/**
 * A live preview of the mask being optimised (F-EP, EP, EP + smoothing), sent with progress events
 * at most every PREVIEW_EVERY_MS: the first area's current mask over the clip, average-pooled so
 * that no side exceeds PREVIEW_MAX_SIDE cells, quantised to 0..255. `data` is base64 of the
 * row-major [frames, height, width] bytes. The viewer paints it over the video while it optimises.
 */
export interface MaskPreview {
  frames: number;
  height: number;
  width: number;
  /** The optimisation iteration it shows. */
  iteration: number;
  data: string;
  /** Where it belongs: the clip's size as the model sees it, and each clip frame's source timestamp (s). */
  clipHeight: number;
  clipWidth: number;
  frameTimestamps: number[];
}

export const PREVIEW_EVERY_MS = 400;
export const PREVIEW_MAX_SIDE = 32;

/** The preview's mask values in [0, 1], row-major [frames, height, width] (browser and Node). */
export function decodeMaskPreview(p: Pick<MaskPreview, 'frames' | 'height' | 'width' | 'data'>): Float32Array {
  const bytes = atob(p.data);
  const n = p.frames * p.height * p.width;
  if (bytes.length !== n) throw new RangeError(`mask preview holds ${bytes.length} values, its shape ${n}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes.charCodeAt(i) / 255;
  return out;
}
