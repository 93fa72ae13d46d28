/**
 * The input gradient of the summed cross-entropy, as ONNX nodes appended to the model itself (notes/onnx.md):
 * onnxruntime-node has no gradient kernels, so the reverse pass is written symbolically here, op by op,
 * and the forward and backward graphs run together in one session.
 */
import { create } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema, type GraphProto, type ModelProto, type NodeProto } from 'onnx-buf';
import { InputError } from '../errors';
import { initializerMap, onnxOpset, realInputs, tensorDims, tensorProtoToFloat64 } from '../io/onnx';
import type { BackwardContext, BackwardRule } from './backward-context';
import { denseRules } from './backward-dense';
import { shapeRules } from './backward-shape';
import { spatialRules } from './backward-spatial';
import { GraphBuilder } from './graph-builder';
import type { ProbeResult } from './probe';

const RULES: Record<string, BackwardRule> = { ...denseRules, ...spatialRules, ...shapeRules };

/** Ops whose outputs never carry gradient (shapes, comparisons, constants). */
const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Constant',
  'ConstantOfShape',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'Not',
  'And',
  'Or',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'Range',
]);

/** Ops whose side inputs (shapes, pads, bounds, masks) carry no gradient: only input 0 does. */
const DATA_INPUT_ONLY = new Set([
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Pad',
  'Clip',
  'Dropout',
  'MaxPool',
  'Expand',
  'Slice',
]);

/** Opsets are raised to this: ScatterElements needs reduction="add" (≥ 16); the whitelisted ops did not change. */
export const GRADIENT_OPSET = 17;

export interface GradientGraph {
  /** The forward graph (final Softmax/LogSoftmax stripped) plus the backward nodes; outputs unset. */
  graph: GraphProto;
  b: GraphBuilder;
  input: string;
  logits: string;
  /** Feed: one-hot targets, N × K float32. */
  targets: string;
  /** ∂(Σ CE)/∂input, same shape as the input. */
  grad: string;
  /** Σ CE over the batch (a scalar). */
  loss: string;
  classes: number;
}

function differentiableInputs(node: NodeProto): number[] {
  if (NON_DIFFERENTIABLE.has(node.opType)) return [];
  if (DATA_INPUT_ONLY.has(node.opType)) return [0];
  return node.input.map((_, i) => i);
}

/** Checks the opset (refuses < 13) and the single float input the attacks need. */
export function checkGradientModel(model: ModelProto, file: string): void {
  const opset = onnxOpset(model);
  if (opset < 13) {
    throw new InputError(
      file,
      `opset ${opset} is older than 13: re-export with opset_version ≥ 13`,
      'bad-model',
    );
  }
  const inputs = realInputs(model.graph!);
  if (inputs.length !== 1) {
    throw new InputError(
      file,
      `attacks need a model with exactly one input, this one has ${inputs.length}`,
      'bad-model',
    );
  }
}

/** Forward graph + seed + reverse pass; shapes and constant side inputs come from `probe`. */
export function buildGradientGraph(model: ModelProto, file: string, probe: ProbeResult): GradientGraph {
  checkGradientModel(model, file);
  const src = model.graph!;
  const input = realInputs(src)[0].name;
  const nodes = [...src.node];
  let logits = src.output[0].name;
  const lastIdx = nodes.findIndex((n) => n.output.includes(logits));
  if (lastIdx >= 0 && (nodes[lastIdx].opType === 'Softmax' || nodes[lastIdx].opType === 'LogSoftmax')) {
    logits = nodes[lastIdx].input[0];
    nodes.splice(lastIdx, 1);
  }
  const logitShape = probe.shapes.get(logits);
  if (!logitShape || logitShape.length !== 2) {
    throw new InputError(file, `output '${logits}' is not N × classes logits`, 'bad-model');
  }
  const graph: GraphProto = {
    ...src,
    node: nodes,
    input: [...src.input],
    initializer: [...src.initializer],
    valueInfo: [],
    output: [],
  };
  const b = new GraphBuilder(graph);

  const requires = new Set([input]);
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (!differentiableInputs(node).some((k) => requires.has(node.input[k]))) continue;
    if (node.opType === 'MaxPool' && !node.output[1]) {
      // The backward pass scatters through MaxPool's Indices output.
      nodes[i] = { ...node, output: [node.output[0], b.fresh('maxpool_indices')] };
    }
    for (const o of nodes[i].output) if (o) requires.add(o);
  }
  const forward = [...nodes];

  const classes = logitShape[1];
  const targets = b.floatInput('targets', ['N', classes]);
  // Seed: ∂(Σ CE)/∂logits = softmax(logits) − onehot; loss = −Σ onehot · log softmax(logits).
  const dLogits = b.op('Sub', [b.op('Softmax', [logits], { axis: -1 }), targets]);
  const loss = b.op('Neg', [
    b.op('ReduceSum', [b.op('Mul', [targets, b.op('LogSoftmax', [logits], { axis: -1 })])], { keepdims: 0 }),
  ]);

  const grads = new Map<string, string[]>([[logits, [dLogits]]]);
  const gradOf = (name: string): string | undefined => {
    const parts = grads.get(name);
    if (!parts || parts.length === 0) return undefined;
    if (parts.length > 1) grads.set(name, [b.op('Sum', parts)]);
    return grads.get(name)![0];
  };
  const inits = initializerMap(graph);
  const shape = (name: string): number[] => {
    const s = probe.shapes.get(name) ?? (inits.has(name) ? tensorDims(inits.get(name)!) : undefined);
    if (!s) throw new InputError(file, `cannot determine the shape of tensor '${name}'`, 'bad-model');
    return s;
  };
  const value = (name: string): Float64Array => {
    const init = inits.get(name);
    const v = init ? tensorProtoToFloat64(init, file) : probe.values.get(name);
    if (!v)
      throw new InputError(file, `tensor '${name}' must be a constant for the gradient`, 'unsupported-op');
    return v;
  };

  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i];
    if (!requires.has(node.output[0])) continue;
    const dY = gradOf(node.output[0]);
    if (dY === undefined) continue;
    const rule = RULES[node.opType];
    if (!rule) {
      throw new InputError(
        file,
        `operator ${node.opType} (node '${node.name}') has no gradient rule for attacks`,
        'unsupported-op',
      );
    }
    const diff = differentiableInputs(node);
    const ctx: BackwardContext = {
      b,
      file,
      node,
      shape,
      value,
      needs: (k) => diff.includes(k) && node.input[k] !== '' && requires.has(node.input[k]),
    };
    rule(ctx, [dY]).forEach((g, k) => {
      if (g === undefined || !ctx.needs(k)) return;
      const list = grads.get(node.input[k]) ?? [];
      list.push(g);
      grads.set(node.input[k], list);
    });
  }
  const grad = gradOf(input) ?? b.op('ConstantOfShape', [b.op('Shape', [input])]);
  return { graph, b, input, logits, targets, grad, loss, classes };
}

/** The model that runs `g` and returns `outputs`, with the opset raised to GRADIENT_OPSET. */
export function assembleModel(model: ModelProto, g: GradientGraph, outputs: string[]): ModelProto {
  return {
    ...model,
    irVersion: model.irVersion < 8n ? 8n : model.irVersion,
    opsetImport: model.opsetImport.map((o) =>
      (o.domain === '' || o.domain === 'ai.onnx') && Number(o.version) < GRADIENT_OPSET
        ? { ...o, version: BigInt(GRADIENT_OPSET) }
        : o,
    ),
    graph: { ...g.graph, output: outputs.map((name) => create(ValueInfoProtoSchema, { name })) },
  };
}
