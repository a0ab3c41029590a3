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
