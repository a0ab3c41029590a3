/**
 * An ONNX graph (./parse.ts) as a TF.js function, differentiable with `tf.grad`.
 *
 * The graph is interpreted node by node on every call (inside the caller's `tf.tidy`); the
 * initializers become TF.js tensors once, and Conv weights are converted once to TF.js's kernel
 * layout (./conv.ts). Every op here is built from TF.js ops that have gradients on the wasm
 * backend, so `tf.grad(x => logits(x)[target])` works on the whole network.
 *
 * Layout. ONNX (PyTorch) tensors are channels-first (NC…), TF.js's convolutions and pools
 * channels-last. Each value therefore carries a flag `cl`: when set, the TF.js tensor holds the
 * ONNX tensor with axis 1 moved last ([N,C,T,H,W] stored as [N,T,H,W,C]). Conv, pools,
 * BatchNormalization and GlobalAveragePool produce channels-last values; element-wise ops, Concat,
 * Pad, ReduceMean/ReduceMax/ReduceSum and Softmax work on either (mapping their axes); every other op first converts
 * its input back to the ONNX layout. A torchvision video network thus runs channels-last from the
 * clip (which is already [N,T,H,W,C]) to the global pool, with no transposes in between.
 *
 * Values that are small integer tensors known without running the network (initializers,
 * Constant, Shape) also carry their numbers (`ints`), so shape arithmetic (Shape → Gather →
 * Concat → Reshape, as `x.view(x.size(0), -1)` exports) never reads data back from the backend.
 */
import * as tf from '@tensorflow/tfjs';
import { convCl, poolCl, prepareConv, type PreparedConv } from './conv.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './parse.ts';

interface Value {
  t: tf.Tensor;
  /** Channels-last copy of an ONNX tensor of rank ≥ 3 (see module doc). */
  cl: boolean;
  /** The values, for small integer tensors known at build time (ONNX layout). */
  ints?: number[];
}

/** ONNX axis → axis of the channels-last tensor. */
function clAxis(a: number, rank: number): number {
  return a === 0 ? 0 : a === 1 ? rank - 1 : a - 1;
}
function normAxis(a: number, rank: number): number {
  return a < 0 ? a + rank : a;
}
/** Shape of the ONNX tensor a value stands for. */
function onnxShape(v: Value): number[] {
  const s = v.t.shape;
  if (!v.cl) return s;
  return [s[0]!, s[s.length - 1]!, ...s.slice(1, -1)];
}
function toOnnx(v: Value): tf.Tensor {
  if (!v.cl) return v.t;
  const r = v.t.rank;
  return tf.transpose(v.t, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
}
function toCl(v: Value): tf.Tensor {
  if (v.cl || v.t.rank < 3) return v.t;
  const r = v.t.rank;
  return tf.transpose(v.t, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}
const plain = (t: tf.Tensor, ints?: number[]): Value => ({ t, cl: false, ...(ints ? { ints } : {}) });
const chLast = (t: tf.Tensor): Value => ({ t, cl: true });

class NodeError extends Error {}

function attrInt(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attrs[name];
  return typeof a === 'number' ? a : dflt;
}
function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  const a = n.attrs[name];
  return typeof a === 'number' ? a : dflt;
}
function attrInts(n: OnnxNode, name: string): number[] | undefined {
  const a = n.attrs[name];
  return Array.isArray(a) ? (a as number[]) : undefined;
}
function attrStr(n: OnnxNode, name: string, dflt: string): string {
  const a = n.attrs[name];
  return typeof a === 'string' ? a : dflt;
}

function tensorOf(c: OnnxTensor): tf.Tensor {
  return tf.tensor(c.data, c.dims, c.dtype === 'float32' ? 'float32' : c.dtype === 'bool' ? 'bool' : 'int32');
}

/** Spatial conv/pool geometry from the attributes (auto_pad resolved against the input's spatial size). */
function geometry(n: OnnxNode, spatial: number[], kernel: number[]) {
  const nd = spatial.length;
  const strides = attrInts(n, 'strides') ?? spatial.map(() => 1);
  const dilations = attrInts(n, 'dilations') ?? spatial.map(() => 1);
  let pads = attrInts(n, 'pads') ?? new Array<number>(2 * nd).fill(0);
  const autoPad = attrStr(n, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') pads = new Array<number>(2 * nd).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const b: number[] = [], e: number[] = [];
    spatial.forEach((len, i) => {
      const out = Math.ceil(len / strides[i]!);
      const total = Math.max(0, (out - 1) * strides[i]! + dilations[i]! * (kernel[i]! - 1) + 1 - len);
      const small = Math.floor(total / 2);
      b.push(autoPad === 'SAME_UPPER' ? small : total - small);
      e.push(autoPad === 'SAME_UPPER' ? total - small : small);
    });
    pads = [...b, ...e];
  }
  return { kernel, strides, pads, dilations };
}

/** Bring several values to a common layout for an element-wise op (ONNX broadcasting rules). */
function alignElementwise(vs: Value[]): { ts: tf.Tensor[]; cl: boolean } {
  const rank = Math.max(...vs.map((v) => v.t.rank));
  const anyCl = vs.some((v) => v.cl && v.t.rank === rank);
  if (!anyCl) return { ts: vs.map((v) => (v.cl ? toOnnx(v) : v.t)), cl: false };
  const ts = vs.map((v) => {
    if (v.cl) return v.t;
    if (v.t.size === 1) return v.t.reshape([]);
    // Right-aligned broadcasting: lift to full rank with leading 1s, then move axis 1 last.
    const lifted = v.t.rank < rank ? v.t.reshape([...new Array<number>(rank - v.t.rank).fill(1), ...v.t.shape]) : v.t;
    return toCl({ t: lifted, cl: false });
  });
  return { ts, cl: true };
}

export interface OnnxForward {
  /**
   * Runs the graph. `input` is the graph input in ONNX layout, or — with `inputChannelsLast` —
   * the same tensor with axis 1 moved last (what preprocessClips gives for NTHWC). Returns the
   * first graph output (or `outputName`) in ONNX layout.
   */
  run(input: tf.Tensor, inputChannelsLast: boolean): tf.Tensor;
  dispose(): void;
}

export function buildOnnxForward(model: OnnxModel, outputName?: string): OnnxForward {
  const consts = new Map<string, Value>();
  const owned: tf.Tensor[] = [];
  for (const [name, c] of model.initializers) {
    const t = tensorOf(c);
    owned.push(t);
    consts.set(name, plain(t, c.dtype !== 'float32' && c.data.length <= 64 ? Array.from(c.data) : undefined));
  }
  const convCache = new Map<OnnxNode, PreparedConv>();
  const inputName = model.inputs[0]!.name;
  const output = outputName ?? model.outputs[0]!.name;

  const run = (input: tf.Tensor, inputChannelsLast: boolean): tf.Tensor => {
    const env = new Map<string, Value>(consts);
    env.set(inputName, { t: input, cl: inputChannelsLast && input.rank >= 3 });
    const get = (name: string | undefined, n: OnnxNode): Value | undefined => {
      if (!name) return undefined;
      const v = env.get(name);
      if (!v) throw new NodeError(`node ${n.name} (${n.opType}) reads ${name}, which no earlier node produced`);
      return v;
    };
    const need = (n: OnnxNode, i: number): Value => {
      const v = get(n.inputs[i], n);
      if (!v) throw new NodeError(`node ${n.name} (${n.opType}) is missing input ${i}`);
      return v;
    };
    const ints = (v: Value): number[] => v.ints ?? Array.from(toOnnx(v).dataSync());
    for (const n of model.nodes) {
      let outs: Value[];
      try {
        outs = runNode(n, (i) => need(n, i), (i) => get(n.inputs[i], n), ints, convCache);
      } catch (e) {
        if (e instanceof NodeError) throw e;
        throw new NodeError(`ONNX node ${n.name} (${n.opType}) failed: ${(e as Error).message}`);
      }
      outs.forEach((v, i) => {
        if (n.outputs[i]) env.set(n.outputs[i]!, v);
      });
    }
    const out = env.get(output);
    if (!out) throw new Error(`the graph does not produce its output ${output}`);
    return toOnnx(out);
  };
  return {
    run,
    dispose: () => {
      owned.forEach((t) => t.dispose());
      convCache.forEach((c) => c.dispose());
    },
  };
}

function runNode(
  n: OnnxNode,
  need: (i: number) => Value,
  opt: (i: number) => Value | undefined,
  ints: (v: Value) => number[],
  convCache: Map<OnnxNode, PreparedConv>,
): Value[] {
  const unary = (f: (t: tf.Tensor) => tf.Tensor): Value[] => {
    const x = need(0);
    return [{ t: f(x.t), cl: x.cl }];
  };
  const binary = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Value[] => {
    const a = need(0), b = need(1);
    if (a.ints && b.ints && !a.cl && !b.cl && a.t.dtype === 'int32' && b.t.dtype === 'int32') {
      const t = f(a.t, b.t);
      return [plain(t, t.size <= 64 ? Array.from(t.dataSync()) : undefined)];
    }
    const { ts, cl } = alignElementwise([a, b]);
    return [{ t: f(ts[0]!, ts[1]!), cl }];
  };
  switch (n.opType) {
    case 'Identity':
    case 'Dropout':
      return [need(0)];
    case 'Relu':
      return unary((t) => tf.relu(t));
    case 'Sigmoid':
      return unary((t) => tf.sigmoid(t));
    case 'Tanh':
      return unary((t) => tf.tanh(t));
    case 'LeakyRelu': {
      const alpha = attrFloat(n, 'alpha', 0.01);
      return unary((t) => tf.leakyRelu(t, alpha));
    }
    case 'HardSigmoid': {
      const alpha = attrFloat(n, 'alpha', 0.2), beta = attrFloat(n, 'beta', 0.5);
      return unary((t) => tf.clipByValue(tf.add(tf.mul(t, alpha), beta), 0, 1));
    }
    case 'HardSwish':
      return unary((t) => tf.mul(t, tf.clipByValue(tf.add(tf.mul(t, 1 / 6), 0.5), 0, 1)));
    case 'Clip': {
      const lo = opt(1), hi = opt(2);
      const min = lo ? toOnnx(lo).dataSync()[0]! : -Infinity;
      const max = hi ? toOnnx(hi).dataSync()[0]! : Infinity;
      // tf.clipByValue's gradient passes inside [min, max], like ONNX/PyTorch.
      return unary((t) => tf.clipByValue(t, Math.max(min, -3.4e38), Math.min(max, 3.4e38)));
    }
    case 'Add':
      return binary((a, b) => tf.add(a, b));
    case 'Sub':
      return binary((a, b) => tf.sub(a, b));
    case 'Mul':
      return binary((a, b) => tf.mul(a, b));
    case 'Div':
      return binary((a, b) => (a.dtype === 'int32' && b.dtype === 'int32' ? tf.floorDiv(a, b) : tf.div(a, b)));
    case 'Cast': {
      const to = attrInt(n, 'to', 1);
      const x = need(0);
      const dtype = to === 1 || to === 10 || to === 11 ? 'float32' : to === 9 ? 'bool' : 'int32';
      return [{ t: tf.cast(x.t, dtype), cl: x.cl, ...(x.ints && dtype === 'int32' ? { ints: x.ints.map(Math.trunc) } : {}) }];
    }
    case 'Constant': {
      const v = n.attrs.value;
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const c = v as OnnxTensor;
        const t = tensorOf(c);
        return [plain(t, c.dtype !== 'float32' && c.data.length <= 64 ? Array.from(c.data) : undefined)];
      }
      if (typeof n.attrs.value_float === 'number') return [plain(tf.scalar(n.attrs.value_float))];
      if (typeof n.attrs.value_int === 'number') return [plain(tf.scalar(n.attrs.value_int, 'int32'), [n.attrs.value_int])];
      if (Array.isArray(n.attrs.value_floats)) return [plain(tf.tensor1d(n.attrs.value_floats as number[]))];
      if (Array.isArray(n.attrs.value_ints)) return [plain(tf.tensor1d(n.attrs.value_ints as number[], 'int32'), n.attrs.value_ints as number[])];
      throw new Error('Constant without a supported value attribute');
    }
    case 'Shape': {
      const s = onnxShape(need(0));
      const start = normAxis(attrInt(n, 'start', 0), s.length);
      const endA = attrInt(n, 'end', s.length);
      const sl = s.slice(start, endA < 0 ? endA + s.length : endA);
      return [plain(tf.tensor1d(sl, 'int32'), sl)];
    }
    case 'Conv': {
      const x = need(0);
      let c = convCache.get(n);
      if (!c) {
        const w = need(1).t;
        const b = opt(2)?.t ?? null;
        const kernel = w.shape.slice(2);
        const spatial = onnxShape(x).slice(2);
        c = prepareConv(w, b, geometry(n, spatial, kernel), attrInt(n, 'group', 1));
        convCache.set(n, c);
      }
      return [chLast(convCl(toCl(x), c))];
    }
    case 'MaxPool':
    case 'AveragePool': {
      if (n.outputs.length > 1 && n.outputs[1]) throw new Error('MaxPool with an Indices output is not supported');
      const x = need(0);
      const spatial = onnxShape(x).slice(2);
      const kernel = attrInts(n, 'kernel_shape')!;
      const g = geometry(n, spatial, kernel);
      const p = { ...g, ceilMode: attrInt(n, 'ceil_mode', 0) === 1, countIncludePad: attrInt(n, 'count_include_pad', 0) === 1 };
      return [chLast(poolCl(toCl(x), n.opType === 'MaxPool' ? 'max' : 'avg', p))];
    }
    case 'GlobalAveragePool':
    case 'GlobalMaxPool': {
      const x = toCl(need(0));
      const r = x.rank;
      const axes = Array.from({ length: r - 2 }, (_, i) => i + 1);
      return [chLast(n.opType === 'GlobalAveragePool' ? tf.mean(x, axes, true) : tf.max(x, axes, true))];
    }
    case 'BatchNormalization': {
      const x = need(0);
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => need(i).t);
      const eps = attrFloat(n, 'epsilon', 1e-5);
      const mul = tf.div(scale!, tf.sqrt(tf.add(variance!, eps)));
      const add = tf.sub(bias!, tf.mul(mean!, mul));
      const xt = x.t.rank >= 3 ? toCl(x) : x.t;
      return [{ t: tf.add(tf.mul(xt, mul), add), cl: xt.rank >= 3 }];
    }
    case 'Concat': {
      const vs = n.inputs.map((_, i) => need(i));
      const rank = vs[0]!.t.rank;
      const axis = normAxis(attrInt(n, 'axis', 0), rank);
      if (vs.every((v) => v.ints && !v.cl) && rank === 1) {
        const all = vs.flatMap((v) => v.ints!);
        return [plain(tf.tensor1d(all, 'int32'), all)];
      }
      if (rank >= 3 && vs.some((v) => v.cl)) return [chLast(tf.concat(vs.map(toCl), clAxis(axis, rank)))];
      return [plain(tf.concat(vs.map(toOnnx), axis))];
    }
    case 'Pad': {
      const x = need(0);
      const mode = attrStr(n, 'mode', 'constant');
      const rank = x.t.rank;
      const pads = n.inputs[1] ? ints(need(1)) : (attrInts(n, 'pads') ?? []);
      const value = opt(2) ? toOnnx(opt(2)!).dataSync()[0]! : 0;
      if (pads.some((p) => p < 0)) throw new Error('Pad with negative pads (cropping) is not supported');
      let pairs = Array.from({ length: rank }, (_, a) => [pads[a]!, pads[a + rank]!] as [number, number]);
      if (x.cl) {
        const phys = new Array<[number, number]>(rank);
        pairs.forEach((p, a) => (phys[clAxis(a, rank)] = p));
        pairs = phys;
      }
      const t = mode === 'constant' ? tf.pad(x.t, pairs, value) : mode === 'reflect' ? tf.mirrorPad(x.t, pairs, 'reflect') : null;
      if (!t) throw new Error(`Pad mode ${mode} is not supported (constant and reflect are)`);
      return [{ t, cl: x.cl }];
    }
    case 'ReduceMean':
    case 'ReduceMax':
    case 'ReduceSum': {
      const x = need(0);
      const rank = x.t.rank;
      // ReduceSum takes its axes as an input from opset 13, ReduceMean/ReduceMax from opset 18.
      const axesIn = n.inputs[1] ? ints(need(1)) : attrInts(n, 'axes');
      const keep = attrInt(n, 'keepdims', 1) === 1;
      if (!axesIn || axesIn.length === 0) {
        if (attrInt(n, 'noop_with_empty_axes', 0) === 1) return [x];
      }
      const reduce = n.opType === 'ReduceMean' ? tf.mean : n.opType === 'ReduceMax' ? tf.max : tf.sum;
      const axes = (axesIn && axesIn.length ? axesIn : Array.from({ length: rank }, (_, i) => i)).map((a) => normAxis(a, rank));
      if (x.cl) {
        const m = reduce(x.t, axes.map((a) => clAxis(a, rank)), true);
        if (keep) return [chLast(m)];
        const back = toOnnx(chLast(m));
        return [plain(tf.squeeze(back, axes))];
      }
      return [plain(reduce(x.t, axes, keep))];
    }
    case 'Softmax': {
      const x = need(0);
      const rank = x.t.rank;
      const axis = normAxis(attrInt(n, 'axis', -1), rank);
      const phys = x.cl ? clAxis(axis, rank) : axis;
      if (phys === rank - 1) return [{ t: tf.softmax(x.t), cl: x.cl }];
      const perm = Array.from({ length: rank }, (_, i) => i);
      perm[phys] = rank - 1;
      perm[rank - 1] = phys;
      return [{ t: tf.transpose(tf.softmax(tf.transpose(x.t, perm)), perm), cl: x.cl }];
    }
    case 'Flatten': {
      const x = need(0);
      const s = onnxShape(x);
      const axis = normAxis(attrInt(n, 'axis', 1), s.length);
      const outer = s.slice(0, axis).reduce((a, b) => a * b, 1);
      return [plain(tf.reshape(toOnnx(x), [outer, x.t.size / outer]))];
    }
    case 'Reshape': {
      const x = need(0);
      const s = onnxShape(x);
      const target = ints(need(1));
      const allowZero = attrInt(n, 'allowzero', 0) === 1;
      const shape = target.map((d, i) => (d === 0 && !allowZero ? s[i]! : d));
      const t = tf.reshape(toOnnx(x), shape);
      return [plain(t, x.ints && t.size <= 64 ? x.ints : undefined)];
    }
    case 'Transpose': {
      const x = need(0);
      const rank = x.t.rank;
      const perm = attrInts(n, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
      return [plain(tf.transpose(toOnnx(x), perm))];
    }
    case 'Squeeze': {
      const x = need(0);
      const s = onnxShape(x);
      const axesIn = n.inputs[1] ? ints(need(1)) : attrInts(n, 'axes');
      const axes = axesIn && axesIn.length ? axesIn.map((a) => normAxis(a, s.length)) : s.flatMap((d, i) => (d === 1 ? [i] : []));
      return [plain(tf.squeeze(toOnnx(x), axes), x.ints)];
    }
    case 'Unsqueeze': {
      const x = need(0);
      const s = onnxShape(x);
      const axesIn = (n.inputs[1] ? ints(need(1)) : attrInts(n, 'axes')) ?? [];
      const outRank = s.length + axesIn.length;
      const axes = new Set(axesIn.map((a) => normAxis(a, outRank)));
      const shape: number[] = [];
      let k = 0;
      for (let i = 0; i < outRank; i++) shape.push(axes.has(i) ? 1 : s[k++]!);
      return [plain(tf.reshape(toOnnx(x), shape), x.ints)];
    }
    case 'Gather': {
      const x = need(0);
      const idxV = need(1);
      const s = onnxShape(x);
      const axis = normAxis(attrInt(n, 'axis', 0), s.length);
      const idx = ints(idxV).map((i) => (i < 0 ? i + s[axis]! : i));
      const idxShape = onnxShape(idxV);
      if (x.ints && s.length === 1) {
        const vals = idx.map((i) => x.ints![i]!);
        return [plain(idxShape.length === 0 ? tf.scalar(vals[0]!, 'int32') : tf.tensor(vals, idxShape, 'int32'), vals)];
      }
      // Constant indices: slices (differentiable on wasm; tf.gather's gradient is not).
      const xt = toOnnx(x);
      const parts = idx.map((i) => tf.slice(xt, s.map((_, a) => (a === axis ? i : 0)), s.map((d, a) => (a === axis ? 1 : d))));
      const cat = parts.length === 1 ? parts[0]! : tf.concat(parts, axis);
      const outShape = [...s.slice(0, axis), ...idxShape, ...s.slice(axis + 1)];
      return [plain(tf.reshape(cat, outShape))];
    }
    case 'Slice': {
      const x = need(0);
      const s = onnxShape(x);
      const starts = ints(need(1));
      const ends = ints(need(2));
      const axes = n.inputs[3] ? ints(need(3)).map((a) => normAxis(a, s.length)) : starts.map((_, i) => i);
      const steps = n.inputs[4] ? ints(need(4)) : starts.map(() => 1);
      const begin = s.map(() => 0), end = [...s], stride = s.map(() => 1);
      axes.forEach((a, i) => {
        const d = s[a]!;
        const clampIdx = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + d : v));
        const step = steps[i]!;
        if (step > 0) {
          begin[a] = clampIdx(starts[i]!, 0, d);
          end[a] = clampIdx(ends[i]!, 0, d);
        } else {
          begin[a] = clampIdx(starts[i]!, -1, d - 1);
          end[a] = clampIdx(ends[i]!, -1, d - 1);
        }
        stride[a] = step;
      });
      if (x.ints && s.length === 1) {
        const vals: number[] = [];
        for (let i = begin[0]!; stride[0]! > 0 ? i < end[0]! : i > end[0]!; i += stride[0]!) vals.push(x.ints[i]!);
        return [plain(tf.tensor1d(vals, 'int32'), vals)];
      }
      const xt = toOnnx(x);
      if (stride.every((st) => st === 1)) {
        return [plain(tf.slice(xt, begin, end.map((e, a) => Math.max(0, e - begin[a]!))))];
      }
      return [plain(tf.stridedSlice(xt, begin, end, stride))];
    }
    case 'Gemm': {
      const a = toOnnx(need(0)), b = toOnnx(need(1));
      const c = opt(2);
      const alpha = attrFloat(n, 'alpha', 1), beta = attrFloat(n, 'beta', 1);
      let y = tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, attrInt(n, 'transA', 0) === 1, attrInt(n, 'transB', 0) === 1);
      if (alpha !== 1) y = tf.mul(y, alpha);
      if (c) y = tf.add(y, beta === 1 ? toOnnx(c) : tf.mul(toOnnx(c), beta));
      return [plain(y)];
    }
    case 'MatMul': {
      let a = toOnnx(need(0)), b = toOnnx(need(1));
      const aVec = a.rank === 1, bVec = b.rank === 1;
      if (aVec) a = a.expandDims(0);
      if (bVec) b = b.expandDims(1);
      if (a.rank !== b.rank) {
        const r = Math.max(a.rank, b.rank);
        const lift = (t: tf.Tensor) => (t.rank < r ? t.reshape([...new Array<number>(r - t.rank).fill(1), ...t.shape]) : t);
        a = lift(a);
        b = lift(b);
      }
      let y = tf.matMul(a, b);
      if (aVec) y = y.squeeze([y.rank - 2]);
      if (bVec) y = y.squeeze([y.rank - 1]);
      return [plain(y)];
    }
    default:
      throw new Error(`operator ${n.opType} is not implemented`);
  }
}
