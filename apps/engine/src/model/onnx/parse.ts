/**
 * Reading an ONNX model (`model.onnx`, as written by `torch.onnx.export`) into plain objects, and
 * checking it against what the TF.js builder (./build.ts) can run.
 *
 * Parsing uses `onnx-proto` 8.0.1 (npm): the official onnx.proto compiled with protobufjs 6. It
 * decodes every field the builder needs (graph, nodes, attributes, initializers, opset imports);
 * fields added to onnx.proto after its IR version 8 are skipped by protobufjs as unknown fields,
 * which is harmless here. int64 fields decode as `Long` objects (protobufjs + long) or numbers;
 * `toNum` accepts both.
 *
 * `checkOnnxModel` is what the model upload runs (through `loadModel`): it refuses, in one
 * `ModelFormatError`, every operator outside `SUPPORTED_ONNX_OPS` with the node it occurs in, and
 * an opset outside 13–18 — so a model fails at upload time, never in the worker.
 */
import onnxProto from 'onnx-proto';
import { ModelFormatError } from '../manifest.ts';

const { onnx } = onnxProto;

/** ONNX default-domain opsets the builder implements (operator semantics as of these versions). */
export const MIN_ONNX_OPSET = 13;
export const MAX_ONNX_OPSET = 18;

/** Operators of the default ONNX domain that ./build.ts implements. */
export const SUPPORTED_ONNX_OPS = [
  'Add',
  'AveragePool',
  'BatchNormalization',
  'Cast',
  'Clip',
  'Concat',
  'Constant',
  'Conv',
  'Div',
  'Dropout',
  'Flatten',
  'Gather',
  'Gemm',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'HardSigmoid',
  'HardSwish',
  'Identity',
  'LeakyRelu',
  'MatMul',
  'MaxPool',
  'Mul',
  'Pad',
  'ReduceMax',
  'ReduceMean',
  'ReduceSum',
  'Relu',
  'Reshape',
  'Shape',
  'Sigmoid',
  'Slice',
  'Softmax',
  'Squeeze',
  'Sub',
  'Tanh',
  'Transpose',
  'Unsqueeze',
] as const;

const SUPPORTED = new Set<string>(SUPPORTED_ONNX_OPS);

export type OnnxDType = 'float32' | 'int32' | 'bool';

/** A constant tensor (initializer or Constant attribute), row-major, in ONNX's own layout. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  dtype: OnnxDType;
  /** float32 for floating types; int64/int32/bool as plain numbers in an Int32Array-compatible range. */
  data: Float32Array | Int32Array;
}

export type OnnxAttr = number | string | number[] | OnnxTensor | string[];

export interface OnnxNode {
  /** Node name; ONNX allows empty names, then `<opType>_<index>` is used. */
  name: string;
  opType: string;
  domain: string;
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttr>;
}

export interface OnnxValueInfo {
  name: string;
  /** null for a symbolic or unknown dimension. */
  shape: (number | null)[] | null;
}

export interface OnnxModel {
  irVersion: number;
  /** Version of the default domain (''/'ai.onnx'); null when the model imports none. */
  opset: number | null;
  otherDomains: { domain: string; version: number }[];
  producer: string;
  /** Graph inputs that are not initializers. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, OnnxTensor>;
  nodes: OnnxNode[];
}

type LongLike = number | { toNumber(): number };
function toNum(v: LongLike | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

const DATA_TYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;

function copyBytes(raw: Uint8Array): ArrayBuffer {
  // raw_data may start at any byte offset of the file: copy to get an aligned buffer.
  return raw.slice().buffer as ArrayBuffer;
}

function float16ToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

export function decodeTensor(t: InstanceType<typeof onnx.TensorProto>, name = t.name ?? ''): OnnxTensor {
  const dims = (t.dims ?? []).map(toNum);
  const size = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0) {
    throw new ModelFormatError('MANIFEST_INVALID', `tensor ${name} is stored in an external data file; export the model with its weights inside the .onnx (models under 2 GB)`, {
      problem: 'not-loadable',
    });
  }
  const fail = (): never => {
    throw new ModelFormatError('MANIFEST_INVALID', `tensor ${name} has data type ${t.dataType}, which the ONNX import does not read`, { problem: 'not-loadable' });
  };
  let data: Float32Array | Int32Array;
  let dtype: OnnxDType;
  switch (t.dataType) {
    case DATA_TYPE.FLOAT:
      dtype = 'float32';
      data = raw ? new Float32Array(copyBytes(raw)) : Float32Array.from(t.floatData ?? []);
      break;
    case DATA_TYPE.DOUBLE:
      dtype = 'float32';
      data = Float32Array.from(raw ? new Float64Array(copyBytes(raw)) : (t.doubleData ?? []));
      break;
    case DATA_TYPE.FLOAT16: {
      dtype = 'float32';
      const halves = raw ? new Uint16Array(copyBytes(raw)) : Uint16Array.from(t.int32Data ?? []);
      data = Float32Array.from(halves, float16ToFloat32);
      break;
    }
    case DATA_TYPE.INT64: {
      dtype = 'int32';
      // Shapes, axes and pads; INT64_MAX/MIN (used by Slice for "to the end") clamp to int32's range.
      const clamp = (v: number) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, v));
      data = raw ? Int32Array.from(new BigInt64Array(copyBytes(raw)), (v) => clamp(Number(v))) : Int32Array.from((t.int64Data ?? []).map((v) => clamp(toNum(v))));
      break;
    }
    case DATA_TYPE.INT32:
    case DATA_TYPE.INT8:
    case DATA_TYPE.UINT8:
    case DATA_TYPE.BOOL: {
      dtype = t.dataType === DATA_TYPE.BOOL ? 'bool' : 'int32';
      if (raw) {
        data = t.dataType === DATA_TYPE.INT32 ? new Int32Array(copyBytes(raw)) : t.dataType === DATA_TYPE.INT8 ? Int32Array.from(new Int8Array(copyBytes(raw))) : Int32Array.from(raw);
      } else data = Int32Array.from(t.int32Data ?? []);
      break;
    }
    default:
      return fail();
  }
  if (data.length !== size) {
    throw new ModelFormatError('MANIFEST_INVALID', `tensor ${name} holds ${data.length} values but its dims [${dims.join(',')}] need ${size}`, { problem: 'not-loadable' });
  }
  return { name, dims, dtype, data };
}

function decodeAttr(a: InstanceType<typeof onnx.AttributeProto>): OnnxAttr {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return toNum(a.i as LongLike);
    case T.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    case T.TENSOR:
      return decodeTensor(a.t as InstanceType<typeof onnx.TensorProto>, a.name ?? '');
    case T.FLOATS:
      return [...(a.floats ?? [])];
    case T.INTS:
      return (a.ints ?? []).map((v) => toNum(v as LongLike));
    case T.STRINGS:
      return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default:
      // Graph-valued attributes (If/Loop/Scan bodies) and sparse tensors: those ops are unsupported anyway.
      return [];
  }
}

function valueInfo(v: InstanceType<typeof onnx.ValueInfoProto>): OnnxValueInfo {
  const dims = v.type?.tensorType?.shape?.dim;
  return {
    name: v.name ?? '',
    shape: dims ? dims.map((d) => (d.dimValue != null && toNum(d.dimValue as LongLike) > 0 ? toNum(d.dimValue as LongLike) : null)) : null,
  };
}

/** Decode the bytes of a .onnx file. Throws ModelFormatError('MANIFEST_INVALID', problem 'not-loadable') if they are not an ONNX model. */
export function parseOnnx(bytes: Uint8Array, file = 'model.onnx'): OnnxModel {
  let m: InstanceType<typeof onnx.ModelProto>;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelFormatError('MANIFEST_INVALID', `${file} is not an ONNX model: ${(e as Error).message}`, { file, problem: 'not-loadable' });
  }
  const g = m.graph;
  if (!g || !(g.node?.length ?? 0)) {
    throw new ModelFormatError('MANIFEST_INVALID', `${file} is not an ONNX model (it has no graph nodes)`, { file, problem: 'not-loadable' });
  }
  let opset: number | null = null;
  const otherDomains: OnnxModel['otherDomains'] = [];
  for (const o of m.opsetImport ?? []) {
    const domain = o.domain ?? '';
    if (domain === '' || domain === 'ai.onnx') opset = toNum(o.version as LongLike);
    else otherDomains.push({ domain, version: toNum(o.version as LongLike) });
  }
  const initializers = new Map<string, OnnxTensor>();
  try {
    for (const t of g.initializer ?? []) initializers.set(t.name ?? '', decodeTensor(t as InstanceType<typeof onnx.TensorProto>));
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(e.code, `${file}: ${e.message}`, { ...e.details, file });
    throw e;
  }
  const nodes: OnnxNode[] = (g.node ?? []).map((n, i) => {
    const attrs: Record<string, OnnxAttr> = {};
    for (const a of n.attribute ?? []) attrs[a.name ?? ''] = decodeAttr(a as InstanceType<typeof onnx.AttributeProto>);
    return {
      name: n.name || `${n.opType}_${i}`,
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attrs,
    };
  });
  return {
    irVersion: toNum(m.irVersion as LongLike),
    opset,
    otherDomains,
    producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
    inputs: (g.input ?? []).map((v) => valueInfo(v as InstanceType<typeof onnx.ValueInfoProto>)).filter((v) => !initializers.has(v.name)),
    outputs: (g.output ?? []).map((v) => valueInfo(v as InstanceType<typeof onnx.ValueInfoProto>)),
    initializers,
    nodes,
  };
}

/** Each node whose operator the builder does not implement, in graph order. */
export function unsupportedOperators(model: OnnxModel): { opType: string; node: string; domain?: string }[] {
  return model.nodes
    .filter((n) => !((n.domain === '' || n.domain === 'ai.onnx') && SUPPORTED.has(n.opType)))
    .map((n) => ({ opType: n.opType, node: n.name, ...(n.domain && n.domain !== 'ai.onnx' ? { domain: n.domain } : {}) }));
}

/**
 * Refuse a model the builder cannot run, listing every reason at once:
 * UNSUPPORTED_OPSET (default-domain opset outside 13–18) and UNSUPPORTED_OPERATOR (one entry per
 * node, with its operator and node name). One input and one output are required.
 */
export function checkOnnxModel(model: OnnxModel, file = 'model.onnx'): void {
  if (model.opset == null || model.opset < MIN_ONNX_OPSET || model.opset > MAX_ONNX_OPSET) {
    throw new ModelFormatError(
      'UNSUPPORTED_OPSET',
      `${file} uses ONNX opset ${model.opset ?? 'none'}; the import supports opsets ${MIN_ONNX_OPSET}–${MAX_ONNX_OPSET} (export with torch.onnx.export(..., opset_version=${MIN_ONNX_OPSET}))`,
      { file, opset: model.opset ?? undefined },
    );
  }
  const bad = unsupportedOperators(model);
  if (bad.length > 0) {
    const ops = [...new Set(bad.map((b) => (b.domain ? `${b.domain}.${b.opType}` : b.opType)))];
    const where = bad.map((b) => `${b.domain ? `${b.domain}.` : ''}${b.opType} (node ${b.node})`);
    const shown = where.length > 20 ? [...where.slice(0, 20), `… ${where.length - 20} more`] : where;
    throw new ModelFormatError(
      'UNSUPPORTED_OPERATOR',
      `${file} uses ${ops.length === 1 ? 'an operator' : `${ops.length} operators`} the ONNX import does not support: ${shown.join(', ')}`,
      { file, operators: bad, layerClasses: ops },
    );
  }
  if (model.inputs.length !== 1) {
    throw new ModelFormatError('SHAPE_MISMATCH', `${file} has ${model.inputs.length} graph inputs, expected 1 clip input`, { file, check: 'inputs' });
  }
  if (model.outputs.length < 1) {
    throw new ModelFormatError('SHAPE_MISMATCH', `${file} has no graph output`, { file, check: 'output' });
  }
}
