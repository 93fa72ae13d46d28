/**
 * ONNX models as protobuf messages (onnx-buf): decode with typed errors, re-encode keeping unknown fields,
 * summarise (opset, inputs, outputs, every node output as a readable layer) and read initializers.
 */
import { readFile } from 'node:fs/promises';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ModelProtoSchema,
  type GraphProto,
  type ModelProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from 'onnx-buf';
import { InputError } from '../errors';
import { decodeElements } from './npy';
import { sizeOf, toFloat32, toFloat64, type DType, type Tensor, type TensorData } from './tensor';

export type { GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';

/** TensorProto.DataType codes (onnx.proto) → our dtypes, with the element size of `raw_data`. */
const ELEM_TYPES: Record<number, { dtype: DType; size: number } | undefined> = {
  1: { dtype: 'float32', size: 4 },
  2: { dtype: 'uint8', size: 1 },
  3: { dtype: 'int8', size: 1 },
  4: { dtype: 'uint16', size: 2 },
  5: { dtype: 'int16', size: 2 },
  6: { dtype: 'int32', size: 4 },
  7: { dtype: 'int64', size: 8 },
  9: { dtype: 'bool', size: 1 },
  10: { dtype: 'float16', size: 2 },
  11: { dtype: 'float64', size: 8 },
  12: { dtype: 'uint32', size: 4 },
  13: { dtype: 'uint64', size: 8 },
  16: { dtype: 'bfloat16', size: 2 },
};

export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export const ONNX_DOUBLE = 11;

/** A dimension: a number when static, the symbolic name when dynamic, null when unknown. */
export type OnnxDim = number | string | null;

export interface OnnxValueSummary {
  name: string;
  dtype: DType | 'unknown';
  shape: OnnxDim[] | null;
}

export interface OnnxLayer {
  name: string;
  op: string;
  shape: OnnxDim[] | null;
}

export interface OnnxSummary {
  opset: number;
  inputs: OnnxValueSummary[];
  outputs: OnnxValueSummary[];
  layers: OnnxLayer[];
}

/** Parses ONNX bytes; anything that is not a model with a graph is an InputError 'bad-model'. */
export function decodeOnnx(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new InputError(file, `not an ONNX model (${(e as Error).message})`, 'bad-model');
  }
  // Random bytes sometimes decode as a valid but empty message: a model must have a graph with nodes.
  if (!model.graph || model.graph.node.length === 0) {
    throw new InputError(file, 'not an ONNX model (no graph nodes)', 'bad-model');
  }
  return model;
}

/** Serialises a model; fields this schema does not know are written back unchanged. */
export function encodeOnnx(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

/** Reads and decodes an .onnx file, with 'not-found' for a missing file. */
export async function readOnnxFile(path: string): Promise<ModelProto> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new InputError(path, 'file not found or unreadable', 'not-found');
  }
  return decodeOnnx(bytes, path);
}

/** The default-domain opset version of a model (0 when absent). */
export function onnxOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  return entry ? Number(entry.version) : 0;
}

export function dtypeOfElemType(elemType: number): DType | 'unknown' {
  return ELEM_TYPES[elemType]?.dtype ?? 'unknown';
}

function typeShape(type: TypeProto | undefined): { dtype: DType | 'unknown'; shape: OnnxDim[] | null } {
  if (type?.value.case !== 'tensorType') return { dtype: 'unknown', shape: null };
  const t = type.value.value;
  const shape = t.shape
    ? t.shape.dim.map((d): OnnxDim => {
        if (d.value.case === 'dimValue') return Number(d.value.value);
        if (d.value.case === 'dimParam') return d.value.value;
        return null;
      })
    : null;
  return { dtype: dtypeOfElemType(t.elemType), shape };
}

export function summarizeValue(v: ValueInfoProto): OnnxValueSummary {
  return { name: v.name, ...typeShape(v.type) };
}

/** Graph inputs that are real inputs (torch exports older models with initializers listed as inputs too). */
export function realInputs(graph: GraphProto): ValueInfoProto[] {
  const inits = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((v) => !inits.has(v.name));
}

/** Opset, inputs, outputs, and every node output as a layer (shape from value_info/outputs, else null). */
export function describeOnnx(model: ModelProto): OnnxSummary {
  const graph = model.graph;
  if (!graph) return { opset: onnxOpset(model), inputs: [], outputs: [], layers: [] };
  const known = new Map<string, OnnxDim[] | null>();
  for (const v of [...graph.valueInfo, ...graph.output]) known.set(v.name, typeShape(v.type).shape);
  const layers: OnnxLayer[] = [];
  for (const node of graph.node) {
    for (const name of node.output) {
      if (name) layers.push({ name, op: node.opType, shape: known.get(name) ?? null });
    }
  }
  return {
    opset: onnxOpset(model),
    inputs: realInputs(graph).map(summarizeValue),
    outputs: graph.output.map(summarizeValue),
    layers,
  };
}

/** Dimensions of a TensorProto as numbers. */
export function tensorDims(t: TensorProto): number[] {
  return t.dims.map((d) => Number(d));
}

/** Any initializer as a Tensor: raw_data (little-endian, possibly unaligned) or the typed *_data fields. */
export function tensorFromProto(t: TensorProto, file: string): Tensor {
  const info = ELEM_TYPES[t.dataType];
  if (!info)
    throw new InputError(file, `tensor '${t.name}' has unsupported data type ${t.dataType}`, 'bad-model');
  if (t.dataLocation === 1) {
    throw new InputError(file, `tensor '${t.name}' keeps its data in an external file`, 'unsupported-format');
  }
  const shape = tensorDims(t);
  const count = sizeOf(shape);
  let data: TensorData;
  if (t.rawData.length > 0) {
    if (t.rawData.length !== count * info.size) {
      throw new InputError(
        file,
        `tensor '${t.name}' has ${t.rawData.length} bytes of data, shape (${shape.join(', ')}) needs ${count * info.size}`,
        'shape-mismatch',
      );
    }
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    // Copy: decodeElements may return a view into the model's buffer, which the caller must not alias.
    data = decodeElements(view, 0, count, {
      dtype: info.dtype,
      itemSize: info.size,
      littleEndian: true,
    }).slice();
  } else {
    data = typedFieldData(t, info.dtype, file);
    if (data.length !== count) {
      throw new InputError(
        file,
        `tensor '${t.name}' has ${data.length} values, shape (${shape.join(', ')}) needs ${count}`,
        'shape-mismatch',
      );
    }
  }
  return { dtype: info.dtype, shape, data };
}

function typedFieldData(t: TensorProto, dtype: DType, file: string): TensorData {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(t.floatData);
    case 'float64':
      return Float64Array.from(t.doubleData);
    case 'int64':
      return BigInt64Array.from(t.int64Data);
    case 'uint64':
      return BigUint64Array.from(t.uint64Data);
    case 'uint32':
      return Uint32Array.from(t.uint64Data, (v) => Number(v));
    case 'int32':
      return Int32Array.from(t.int32Data);
    case 'int16':
      return Int16Array.from(t.int32Data);
    case 'int8':
      return Int8Array.from(t.int32Data);
    case 'uint16':
      return Uint16Array.from(t.int32Data);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.int32Data);
    default:
      throw new InputError(file, `tensor '${t.name}' stores ${dtype} outside raw_data`, 'bad-model');
  }
}

export function tensorProtoToFloat32(t: TensorProto, file: string): Float32Array {
  return toFloat32(tensorFromProto(t, file));
}

export function tensorProtoToFloat64(t: TensorProto, file: string): Float64Array {
  return toFloat64(tensorFromProto(t, file));
}

/** Initializers by name (and Constant node outputs with a `value` tensor, which torch also emits). */
export function initializerMap(graph: GraphProto): Map<string, TensorProto> {
  const map = new Map<string, TensorProto>();
  for (const t of graph.initializer) map.set(t.name, t);
  for (const node of graph.node) {
    if (node.opType !== 'Constant') continue;
    const value = node.attribute.find((a) => a.name === 'value')?.t;
    if (value && node.output[0]) map.set(node.output[0], value);
  }
  return map;
}
