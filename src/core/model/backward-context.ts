/** What a backward rule sees: the node, the builder, static shapes and constant values from the probe. */
import type { NodeProto } from 'onnx-buf';
import { InputError } from '../errors';
import type { GraphBuilder } from './graph-builder';

export interface BackwardContext {
  b: GraphBuilder;
  file: string;
  node: NodeProto;
  /** Probe shape of a tensor (batch axis = PROBE_BATCH). */
  shape(name: string): number[];
  /** Value of a tensor that does not depend on the input (initializer, Constant, or probed). */
  value(name: string): Float64Array;
  /** Whether input i of the node needs a gradient. */
  needs(i: number): boolean;
}

/** Gradients for the node's inputs, by input index (undefined where none is needed). */
export type BackwardRule = (ctx: BackwardContext, dY: string[]) => (string | undefined)[];

export function unsupported(ctx: BackwardContext, why: string): InputError {
  return new InputError(ctx.file, `${why} (${ctx.node.opType} node '${ctx.node.name}')`, 'unsupported-op');
}

function attr(node: NodeProto, name: string) {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? Number(a.i) : dflt;
}

export function attrFloat(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a ? a.f : dflt;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? a.ints.map(Number) : undefined;
}

export function attrString(node: NodeProto, name: string, dflt: string): string {
  const a = attr(node, name);
  return a ? new TextDecoder().decode(a.s) : dflt;
}

/**
 * Sums a gradient back to the shape of a broadcast operand: ReduceSum over the axes the operand was
 * stretched along, then Reshape(Shape(operand)). `outShape` is the shape the gradient has.
 */
export function unbroadcast(ctx: BackwardContext, grad: string, operand: string, outShape: number[]): string {
  const inShape = ctx.shape(operand);
  const lead = outShape.length - inShape.length;
  const axes: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead || (inShape[i - lead] === 1 && outShape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0 && lead === 0) return grad;
  const { b } = ctx;
  const summed = axes.length ? b.op('ReduceSum', [grad, b.ints(axes)], { keepdims: 1 }) : grad;
  return b.op('Reshape', [summed, b.op('Shape', [operand])]);
}
