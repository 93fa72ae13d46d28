/**
 * Appends nodes and initializers to an ONNX graph with fresh, collision-free names: the backward graph and
 * the attack step are written with it.
 */
import { create } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  NodeProtoSchema,
  TensorProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type GraphProto,
} from 'onnx-buf';
import { ONNX_FLOAT, ONNX_INT64 } from '../io/onnx';

/** number → INT, number[] → INTS, string → STRING, { f } → FLOAT (so alpha = 1 stays a float). */
export type AttrValue = number | number[] | string | { f: number };

export function makeAttribute(name: string, value: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof value === 'string')
    return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(value) });
  if (typeof value === 'number') return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(value) });
  if (Array.isArray(value))
    return create(AttributeProtoSchema, { name, type: T.INTS, ints: value.map((v) => BigInt(v)) });
  return create(AttributeProtoSchema, { name, type: T.FLOAT, f: value.f });
}

export class GraphBuilder {
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly constants = new Map<string, string>();

  constructor(readonly graph: GraphProto) {
    for (const t of graph.initializer) this.used.add(t.name);
    for (const v of graph.input) this.used.add(v.name);
    for (const n of graph.node) for (const o of n.output) this.used.add(o);
  }

  /** A name not yet used in the graph, readable in error messages and dumps. */
  fresh(hint: string): string {
    let name: string;
    do name = `grad/${hint}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  /** Appends a single-output node and returns the output's name. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    const output = this.fresh(op);
    this.graph.node.push(
      create(NodeProtoSchema, {
        opType: op,
        name: this.fresh(`${op}_node`),
        input: inputs,
        output: [output],
        attribute: Object.entries(attrs).map(([k, v]) => makeAttribute(k, v)),
      }),
    );
    return output;
  }

  floatInit(values: Float32Array | number[], dims: number[], hint = 'const'): string {
    const name = this.fresh(hint);
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.graph.initializer.push(
      create(TensorProtoSchema, {
        name,
        dataType: ONNX_FLOAT,
        dims: dims.map((d) => BigInt(d)),
        rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
      }),
    );
    return name;
  }

  private int64Init(values: number[]): string {
    const name = this.fresh('ints');
    this.graph.initializer.push(
      create(TensorProtoSchema, {
        name,
        dataType: ONNX_INT64,
        dims: [BigInt(values.length)],
        int64Data: values.map((v) => BigInt(v)),
      }),
    );
    return name;
  }

  /** Declares a float32 graph input (dims: numbers, or names for dynamic axes) and returns its name. */
  floatInput(hint: string, dims: (number | string)[]): string {
    const name = this.fresh(hint);
    const dim = dims.map((d) =>
      typeof d === 'number'
        ? { value: { case: 'dimValue' as const, value: BigInt(d) } }
        : { value: { case: 'dimParam' as const, value: d } },
    );
    this.graph.input.push(
      create(ValueInfoProtoSchema, {
        name,
        type: { value: { case: 'tensorType', value: { elemType: ONNX_FLOAT, shape: { dim } } } },
      }),
    );
    return name;
  }

  /** A float32 scalar shared by every use of the same value. */
  scalar(value: number): string {
    const key = `f${value}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.floatInit([value], [], 'scalar');
      this.constants.set(key, name);
    }
    return name;
  }

  /** A 1-D int64 constant shared by every use of the same values. */
  ints(values: number[]): string {
    const key = `i${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.int64Init(values);
      this.constants.set(key, name);
    }
    return name;
  }
}
