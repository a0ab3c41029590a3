/**
 * A file-system `tf.io.IOHandler` for Node with the pure-JS TF.js packages (tfjs-node's file://
 * handler is unavailable here: tfjs-node's install downloads libtensorflow, which fails offline).
 * Reads and writes the standard TF.js format: `model.json` (topology + weightsManifest) and the
 * binary weight shards it lists, so the files are interchangeable with tensorflowjs_converter output.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';

/** Shard file names of a model.json, in manifest order (the order weightsSha256 hashes them). */
export function weightShardPaths(modelJson: tf.io.ModelJSON): string[] {
  return (modelJson.weightsManifest ?? []).flatMap((group) => group.paths);
}

export function readModelJson(dir: string): tf.io.ModelJSON {
  return JSON.parse(readFileSync(path.join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** Load handler: `tf.loadLayersModel(fileSystemLoader(dir))` or `tf.loadGraphModel(...)`. */
export function fileSystemLoader(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const modelJson = readModelJson(dir);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers = manifest.flatMap((g) => g.paths).map((p) => readFileSync(path.join(dir, p)));
        return [specs, toArrayBuffer(Buffer.concat(buffers))];
      });
    },
  };
}

/** Save handler writing `model.json` + one shard `weights.bin` into `dir` (created if needed). */
export function fileSystemSaver(dir: string, shardName = 'weights.bin'): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystemSaver: binary model topologies are not supported');
      }
      mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData
        ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
        : Buffer.alloc(0);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [shardName], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(path.join(dir, shardName), weightData);
      writeFileSync(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(modelJson as tf.io.ModelArtifacts) };
    },
  };
}
