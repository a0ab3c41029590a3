/**
 * Load a model directory (fep-model.json + TF.js model.json + weight shards) as a `VideoClassifier`.
 *
 * Checks, in order, each with a typed `ModelFormatError`:
 *  1. fep-model.json exists and is valid (MISSING_FILE / MANIFEST_INVALID);
 *  2. model.json exists and its `format` agrees with the manifest (MISSING_FILE / MANIFEST_INVALID);
 *  3. the weight shards hash to `weightsSha256` (MISSING_FILE / WEIGHTS_HASH_MISMATCH);
 *  4. every layer class of a layers model is known to TF.js or registered (UNSUPPORTED_LAYER);
 *  5. the network's declared input/output shapes, and the output of one dry run on a zero clip,
 *     agree with the manifest's input spec and `labels.length` (SHAPE_MISMATCH).
 * Each error carries `details` (src/model/manifest.ts, `ModelFormatDetails`) for callers that word
 * the problem for people, such as the model upload API.
 * The returned classifier takes clips [N,T,H,W,C] in [0,1] and applies value range, mean/std and
 * layout itself (src/model/preprocess.ts), so callers never see the model's own conventions.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ModelInputSpec, VideoClassifier } from '../methods/types.ts';
import { fileSystemLoader } from './fs-io.ts';
import { registerFepLayers } from './layers.ts';
import { MANIFEST_FILE, ModelFormatError, readManifest, readTfjsModelJson, toInputSpec, verifyWeights, type FepModelManifest } from './manifest.ts';
import { isSequentialChain, layerAccessFor } from '../methods/layer-access.ts';
import { preprocessClips } from './preprocess.ts';
import { loadOnnx } from './onnx/load-onnx.ts';

/** The committed SynthActions model (see models/synth-r2plus1d/MODEL_CARD.md). */
export const BUILTIN_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models/synth-r2plus1d');

/** The shape the network itself expects for a batch of `n` clips, in its layout. */
export function networkInputShape(spec: ModelInputSpec, n: number): number[] {
  const { frames: t, height: h, width: w, channels: c } = spec;
  return spec.layout === 'NTHWC' ? [n, t, h, w, c] : [n, c, t, h, w];
}

function checkDeclaredShape(what: 'input' | 'output', declared: (number | null)[] | undefined, expected: (number | null)[]): void {
  if (!declared) return;
  const ok = declared.length === expected.length && declared.every((d, i) => d == null || d < 0 || expected[i] == null || d === expected[i]);
  if (!ok) {
    const shown = declared.map((d) => (d == null || d < 0 ? null : d));
    const details = { check: what, declared: shown, expected } as const;
    if (what === 'output' && declared.length === 2 && typeof declared[1] === 'number' && declared[1] > 0) {
      throw new ModelFormatError(
        'SHAPE_MISMATCH',
        `output: the network has ${declared[1]} output units but fep-model.json lists ${expected[1]} labels`,
        { ...details, outputUnits: declared[1], labels: expected[1] ?? undefined },
      );
    }
    throw new ModelFormatError(
      'SHAPE_MISMATCH',
      `${what}: the network declares [${shown.map((d) => d ?? '?').join(',')}] but fep-model.json implies [${expected.map((d) => d ?? 'N').join(',')}]`,
      details,
    );
  }
}

/** Layer class names in a layers-model topology (Keras JSON), nested models included, in order. */
export function layerClassNames(modelTopology: unknown): string[] {
  const names: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { class_name?: unknown; config?: { layers?: unknown }; model_config?: unknown };
    if (n.model_config) return visit(n.model_config);
    const layers = n.config?.layers;
    if (Array.isArray(layers)) {
      for (const layer of layers) {
        const cls = (layer as { class_name?: unknown })?.class_name;
        if (typeof cls === 'string') names.push(cls);
        visit(layer);
      }
    }
  };
  visit(modelTopology);
  return names;
}

/** Layer classes TF.js cannot deserialise: neither built in nor registered (e.g. a Python-only custom layer). */
export function unsupportedLayerClasses(modelTopology: unknown): string[] {
  const known = tf.serialization.SerializationMap.getMap().classNameMap;
  return [...new Set(layerClassNames(modelTopology))].filter((cls) => !(cls in known));
}

class TfjsVideoClassifier implements VideoClassifier {
  readonly name: string;
  readonly version: string;
  readonly labels: string[];
  readonly input: ModelInputSpec;
  readonly weightsSha256: string;
  private readonly forward: (x: tf.Tensor) => tf.Tensor;
  private readonly disposeModel: () => void;
  /** The forward function takes NTHWC clips whatever `input.layout` says (ONNX models, onnx/build.ts). */
  private readonly forwardTakesNthwc: boolean;

  constructor(manifest: FepModelManifest, forward: (x: tf.Tensor) => tf.Tensor, disposeModel: () => void, forwardTakesNthwc = false) {
    this.forwardTakesNthwc = forwardTakesNthwc;
    this.name = manifest.name;
    this.version = manifest.version;
    this.labels = [...manifest.labels];
    this.input = toInputSpec(manifest);
    this.weightsSha256 = manifest.weightsSha256;
    this.forward = forward;
    this.disposeModel = disposeModel;
  }

  logits(clips: tf.Tensor5D): tf.Tensor2D {
    const { frames, height, width, channels } = this.input;
    const [, t, h, w, c] = clips.shape;
    if (clips.rank !== 5 || t !== frames || h !== height || w !== width || c !== channels) {
      throw new ModelFormatError(
        'SHAPE_MISMATCH',
        `${this.name} expects clips [N,${frames},${height},${width},${channels}] (NTHWC, values in [0,1]), got [${clips.shape.join(',')}]`,
      );
    }
    return tf.tidy(() => {
      const spec = this.forwardTakesNthwc ? { ...this.input, layout: 'NTHWC' as const } : this.input;
      const out = this.forward(preprocessClips(clips, spec));
      if (out.rank !== 2 || out.shape[1] !== this.labels.length) {
        throw new ModelFormatError('SHAPE_MISMATCH', `${this.name} produced output [${out.shape.join(',')}], expected [N,${this.labels.length}]`, {
          check: 'output',
          declared: out.shape,
          expected: [null, this.labels.length],
          ...(out.rank === 2 ? { outputUnits: out.shape[1], labels: this.labels.length } : {}),
        });
      }
      return out as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.disposeModel();
  }
}

export async function loadModel(dir: string = BUILTIN_MODEL_DIR): Promise<VideoClassifier> {
  const manifest = readManifest(dir);
  if (manifest.format === 'onnx') {
    const onnx = loadOnnx(dir, manifest);
    return dryRun(new TfjsVideoClassifier(manifest, onnx.forwardNthwc, onnx.dispose, true), dir, manifest);
  }
  const modelJson = readTfjsModelJson(dir);
  if (modelJson.format && modelJson.format !== manifest.format) {
    throw new ModelFormatError('MANIFEST_INVALID', `fep-model.json says format "${manifest.format}" but model.json in ${dir} is a "${modelJson.format}"`, {
      file: MANIFEST_FILE,
      problem: 'format-mismatch',
      issues: [{ field: 'format', message: `is "${manifest.format}" but model.json is a "${modelJson.format}"` }],
    });
  }
  verifyWeights(dir, manifest, modelJson);
  const spec = toInputSpec(manifest);
  const expectedIn = networkInputShape(spec, 1).map((d, i) => (i === 0 ? null : d));
  const k = manifest.labels.length;

  let forward: (x: tf.Tensor) => tf.Tensor;
  let disposeModel: () => void;
  let layersModel: tf.LayersModel | null = null;
  if (manifest.format === 'layers-model') {
    registerFepLayers();
    const unknown = unsupportedLayerClasses(modelJson.modelTopology);
    if (unknown.length > 0) {
      throw new ModelFormatError(
        'UNSUPPORTED_LAYER',
        `the layers model in ${dir} uses layer class${unknown.length > 1 ? 'es' : ''} ${unknown.join(', ')}, which TF.js does not know (register custom layers with tf.serialization.registerClass before loadModel)`,
        { file: 'model.json', layerClasses: unknown },
      );
    }
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(fileSystemLoader(dir));
    } catch (e) {
      const layer = /Unknown layer: ([\w.>-]+)/.exec((e as Error).message)?.[1];
      if (layer) {
        throw new ModelFormatError('UNSUPPORTED_LAYER', `the layers model in ${dir} uses layer class ${layer}, which TF.js does not know`, {
          file: 'model.json',
          layerClasses: [layer],
        });
      }
      throw new ModelFormatError('MANIFEST_INVALID', `could not load the layers model in ${dir}: ${(e as Error).message}`, { file: 'model.json', problem: 'not-loadable' });
    }
    // Inference only: freezing the layers lets the custom convolutions skip weight gradients.
    // (LayersModel.trainable does not reach the layers in tfjs-layers; set each one.)
    model.trainable = false;
    for (const layer of model.layers) layer.trainable = false;
    layersModel = model;
    const inShape = model.inputs[0]?.shape;
    const outShape = model.outputs[0]?.shape;
    try {
      if (model.inputs.length !== 1) {
        throw new ModelFormatError('SHAPE_MISMATCH', `the model has ${model.inputs.length} inputs, expected 1 clip input`, { check: 'inputs' });
      }
      checkDeclaredShape('input', inShape, expectedIn);
      checkDeclaredShape('output', outShape, [null, k]);
    } catch (e) {
      model.dispose();
      throw e;
    }
    forward = (x) => model.apply(x) as tf.Tensor;
    disposeModel = () => model.dispose();
  } else {
    let model: tf.GraphModel;
    try {
      model = await tf.loadGraphModel(fileSystemLoader(dir));
    } catch (e) {
      throw new ModelFormatError('MANIFEST_INVALID', `could not load the graph model in ${dir}: ${(e as Error).message}`, { file: 'model.json', problem: 'not-loadable' });
    }
    try {
      checkDeclaredShape('input', model.inputs[0]?.shape, expectedIn);
    } catch (e) {
      model.dispose();
      throw e;
    }
    const outputNode = manifest.outputNode;
    forward = (x) => (outputNode ? model.execute(x, outputNode) : model.execute(x)) as tf.Tensor;
    disposeModel = () => model.dispose();
  }

  const classifier = new TfjsVideoClassifier(manifest, forward, disposeModel);
  // Layer activations for Grad-CAM, when the network is a plain chain of layers.
  if (layersModel && isSequentialChain(layersModel)) {
    const m = layersModel;
    Object.assign(classifier, layerAccessFor(m, (x) => preprocessClips(x as tf.Tensor5D, spec)));
  }
  return dryRun(classifier, dir, manifest);
}

/** Dry run: catches shape errors that the declared shapes do not reveal (graph models, -1 dims). */
function dryRun(classifier: VideoClassifier, dir: string, manifest: FepModelManifest): VideoClassifier {
  const spec = classifier.input;
  try {
    const probe = tf.tidy(() => classifier.logits(tf.zeros([1, spec.frames, spec.height, spec.width, spec.channels]) as tf.Tensor5D));
    probe.dispose();
  } catch (e) {
    classifier.dispose();
    if (e instanceof ModelFormatError) throw e;
    const op = /Unknown op '([^']+)'/.exec((e as Error).message)?.[1];
    if (op) {
      throw new ModelFormatError('UNSUPPORTED_LAYER', `the graph model in ${dir} uses the op ${op}, which TF.js does not support`, { file: 'model.json', layerClasses: [op] });
    }
    throw new ModelFormatError(
      'SHAPE_MISMATCH',
      `a dry run of ${manifest.name} on a [1,${spec.frames},${spec.height},${spec.width},${spec.channels}] clip failed: ${(e as Error).message}`,
      { check: 'dry-run', expected: networkInputShape(spec, 1) },
    );
  }
  return classifier;
}
