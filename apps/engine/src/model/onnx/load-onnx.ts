/**
 * Loading the network of an ONNX model directory (fep-model.json with `format: "onnx"` + the .onnx
 * file): verify the file's sha256, parse it, refuse unsupported opsets/operators, build the TF.js
 * function, and check the graph's declared input and output shapes against the manifest.
 * Called by `loadModel` (../load-model.ts), which adds preprocessing and the dry run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { computeOnnxSha256, ModelFormatError, onnxFileOf, type FepModelManifest } from '../manifest.ts';
import { buildOnnxForward } from './build.ts';
import { checkOnnxModel, parseOnnx, type OnnxModel } from './parse.ts';

export interface LoadedOnnx {
  model: OnnxModel;
  /**
   * Preprocessed clips kept in NTHWC (value range and mean/std applied, no transpose) → logits.
   * For an NCTHW network the NTHWC clip is exactly the channels-last form of its input
   * (build.ts), so no transpose is needed; an NTHWC network takes it as it is.
   */
  forwardNthwc(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** Parse and check an .onnx file without building it (what an upload check needs first). */
export function readOnnxModel(dir: string, manifest: FepModelManifest): OnnxModel {
  const file = onnxFileOf(manifest);
  const actual = computeOnnxSha256(dir, file);
  if (actual !== manifest.weightsSha256) {
    throw new ModelFormatError(
      'WEIGHTS_HASH_MISMATCH',
      `${file} in ${dir} hashes to ${actual}, but fep-model.json pins ${manifest.weightsSha256}: the model was changed or corrupted`,
      { file, expectedSha256: manifest.weightsSha256, actualSha256: actual },
    );
  }
  const model = parseOnnx(new Uint8Array(readFileSync(path.join(dir, file))), file);
  checkOnnxModel(model, file);
  return model;
}

export function loadOnnx(dir: string, manifest: FepModelManifest): LoadedOnnx {
  const model = readOnnxModel(dir, manifest);
  const file = onnxFileOf(manifest);
  const { frames: t, height: h, width: w, channels: c, layout } = manifest.input;
  const expected = layout === 'NCTHW' ? [null, c, t, h, w] : [null, t, h, w, c];
  const declared = model.inputs[0]!.shape;
  if (declared && (declared.length !== 5 || declared.some((d, i) => d != null && expected[i] != null && d !== expected[i]))) {
    throw new ModelFormatError(
      'SHAPE_MISMATCH',
      `input: ${file} declares [${declared.map((d) => d ?? '?').join(',')}] but fep-model.json implies [${expected.map((d) => d ?? 'N').join(',')}]`,
      { file, check: 'input', declared, expected },
    );
  }
  const outName = manifest.outputNode ?? model.outputs[0]!.name;
  const outInfo = model.outputs.find((o) => o.name === outName);
  if (!outInfo) throw new ModelFormatError('MANIFEST_INVALID', `outputNode ${outName} is not an output of ${file}`, { file, issues: [{ field: 'outputNode', message: `is not a graph output of ${file}` }] });
  const k = manifest.labels.length;
  const units = outInfo.shape?.length === 2 ? outInfo.shape[1] : null;
  if (units != null && units !== k) {
    throw new ModelFormatError('SHAPE_MISMATCH', `output: the network has ${units} output units but fep-model.json lists ${k} labels`, {
      file,
      check: 'output',
      declared: outInfo.shape!,
      expected: [null, k],
      outputUnits: units,
      labels: k,
    });
  }
  const fwd = buildOnnxForward(model, outName);
  return { model, forwardNthwc: (x) => fwd.run(x, layout === 'NCTHW'), dispose: fwd.dispose };
}
