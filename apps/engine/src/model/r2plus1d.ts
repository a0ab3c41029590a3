/**
 * A small R(2+1)D-style classifier (Tran et al., CVPR 2018) built from the 2-D-only layers in
 * ./layers.ts. Sized for SynthActions (16×112×112×3) and for speed on the TF.js wasm backend.
 *
 *   input [N,16,112,112,3] (normalised)
 *   stem:    s×s spatial average pool (stemPool s; 2 → 56×56, the shipped model uses 4 → 28×28)
 *            [+ optional parameter-free frame-difference stem, layers.ts TemporalDiff]
 *   block 1: spatial 3×3 (16) · temporal 3 (16) · 2×2 spatial max pool
 *   block 2: spatial 3×3 (32) · temporal 3 (32) · 2×2 spatial + 2 temporal max pool (T 16 → 8)
 *   block 3: spatial 3×3 (64) · temporal 3 (64)
 *   global average (or average ‖ max) pool → dense (K logits)
 *
 * ~40k parameters; ~0.2 GMAC per clip with stemPool 2, ~0.06 GMAC with 4. Every conv is followed
 * by ReLU; there is no batch norm (inference stays a pure function of the weights).
 */
import * as tf from '@tensorflow/tfjs';
import { GlobalAvgMaxPool3D, GlobalAvgPool3D, Pool2Plus1D, SpatialConv, TemporalConv, TemporalDiff } from './layers.ts';

export interface R2Plus1DOptions {
  frames?: number;
  height?: number;
  width?: number;
  channels?: number;
  classes: number;
  /** Channel widths of the three blocks. */
  widths?: [number, number, number];
  seed?: number;
  /** Prepend the parameter-free frame-difference stem (layers.ts TemporalDiff). */
  diffStem?: boolean;
  /** Global pooling: 'avg' or 'avgmax' (concatenated average and max, layers.ts GlobalAvgMaxPool3D). */
  globalPool?: 'avg' | 'avgmax';
  /** Spatial average-pool factor of the stem (2: trunk at 56×56 for 112 input; 4: at 28×28). */
  stemPool?: number;
}

export function buildR2Plus1D(opts: R2Plus1DOptions): tf.LayersModel {
  const { frames = 16, height = 112, width = 112, channels = 3, classes, widths = [16, 32, 64], seed = 1, diffStem = false, globalPool = 'avg', stemPool = 2 } = opts;
  const input = tf.input({ shape: [frames, height, width, channels], name: 'clip' });
  let x = new Pool2Plus1D({ spatial: stemPool, temporal: 1, mode: 'avg', name: 'stem_pool' }).apply(input) as tf.SymbolicTensor;
  if (diffStem) x = new TemporalDiff({ name: 'stem_diff' }).apply(x) as tf.SymbolicTensor;
  const pools: [number, number][] = [
    [2, 1],
    [2, 2],
    [1, 1],
  ];
  widths.forEach((f, b) => {
    x = new SpatialConv({ filters: f, kernelSize: 3, name: `b${b + 1}_spatial`, seed: seed * 100 + 2 * b }).apply(x) as tf.SymbolicTensor;
    x = new TemporalConv({ filters: f, kernelSize: 3, name: `b${b + 1}_temporal`, seed: seed * 100 + 2 * b + 1 }).apply(x) as tf.SymbolicTensor;
    const [ps, pt] = pools[b]!;
    if (ps > 1 || pt > 1) {
      x = new Pool2Plus1D({ spatial: ps, temporal: pt, mode: 'max', name: `b${b + 1}_pool` }).apply(x) as tf.SymbolicTensor;
    }
  });
  x = (globalPool === 'avgmax' ? new GlobalAvgMaxPool3D({ name: 'global_pool' }) : new GlobalAvgPool3D({ name: 'global_pool' })).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({ units: classes, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 99 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'synth_r2plus1d' });
}
