import type { MaskPreview } from '@fep/shared/progress';
import type * as tf from '@tensorflow/tfjs';

/**
 * The one interface every explanation method implements (F-EP, EP and later the baselines).
 * Methods receive a clip already decoded and resized to the model's input, in [0,1] pixel space,
 * and a classifier that owns its own normalisation. They return a saliency volume [T,H,W].
 */

/** Manifest `fep-model.json` as parsed and validated (see src/model/manifest.ts). */
export interface ModelInputSpec {
  frames: number;
  height: number;
  width: number;
  channels: number;
  layout: 'NTHWC' | 'NCTHW';
  /** Range of the pixel values the model expects before mean/std, e.g. [0,1] or [0,255]. */
  valueRange: [number, number];
  mean: number[];
  std: number[];
}

export interface VideoClassifier {
  readonly name: string;
  readonly version: string;
  readonly labels: string[];
  readonly input: ModelInputSpec;
  /** sha256 of the weights, verified on load. */
  readonly weightsSha256: string;
  /**
   * Clips [N,T,H,W,C] with values in [0,1] → logits [N,K]. Differentiable with respect to the
   * clip; the classifier applies value range, mean/std and layout itself.
   */
  logits(clips: tf.Tensor5D): tf.Tensor2D;
  dispose(): void;
}

export interface ExplainInput {
  /** [T,H,W,C] float32 in [0,1], already at the model's input size. */
  clip: tf.Tensor4D;
  model: VideoClassifier;
  /** Class index being explained. */
  target: number;
}

export interface ExplainProgressEvent {
  iteration: number;
  totalIterations: number;
  energy: number | null;
  /**
   * Optimising methods: the current mask as a MaskPreview (@fep/shared progress.ts). A function,
   * because it costs a mask-generator pass: call it inside the callback (the mask it reads is
   * the current iteration's), only when a preview is wanted.
   */
  preview?: () => MaskPreview;
}

/** Return `false` (or throw) from the callback to request cancellation. */
export type OnProgress = (event: ExplainProgressEvent) => void | boolean | Promise<void | boolean>;

export interface ExplainResult {
  /** Saliency volume [T,H,W], row-major, float32, values ≥ 0 (masks are in [0,1]). */
  saliency: Float32Array;
  shape: [number, number, number];
  iterations: number;
  /** Final value of the optimised energy, when the method optimises one. */
  finalEnergy: number | null;
  /** Every parameter with defaults resolved, for provenance. */
  params: Record<string, unknown>;
  /** Optional per-method extras (energy trace, per-area masks...). */
  extras?: Record<string, unknown>;
}

export interface ExplanationMethod<P extends object = Record<string, unknown>> {
  readonly name: string;
  /** Documented defaults; each with its source in the module's doc comment. */
  readonly defaults: Readonly<P>;
  explain(input: ExplainInput, params: Partial<P>, onProgress?: OnProgress): Promise<ExplainResult>;
}

export class ExplanationCancelledError extends Error {
  constructor() {
    super('Explanation cancelled.');
    this.name = 'ExplanationCancelledError';
  }
}
