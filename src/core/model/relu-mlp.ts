/**
 * A plain ReLU MLP as weight matrices (DESIGN.md §7): recovered from an ONNX graph (Gemm, MatMul+Add,
 * pass-through ops, BatchNorm after a Linear folded in) or from a PyTorch state dict, and run forward in
 * float64. The polytope tools need the weights themselves, not a runtime session.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors';
import { readAllTensors } from '../io/read';
import {
  decodeOnnx,
  initializerMap,
  tensorProtoToFloat64,
  type ModelProto,
  type TensorProto,
} from '../io/onnx';
import { toFloat64, type Tensor } from '../io/tensor';
import { mulberry32 } from '../random';

export interface ReluMlp {
  /** [in, h1..hL, out] */
  widths: number[];
  /** layer l: widths[l+1] × widths[l], row-major */
  weights: Float64Array[];
  biases: Float64Array[];
}

interface Affine {
  rows: number;
  cols: number;
  w: Float64Array;
  b: Float64Array;
}

const PASS_THROUGH = new Set(['Identity', 'Dropout', 'Flatten', 'Reshape']);
const TRAILING = new Set(['Softmax', 'LogSoftmax']);

/** Composes two affine maps applied in sequence (no ReLU between them): second ∘ first. */
function compose(first: Affine, second: Affine): Affine {
  const w = new Float64Array(second.rows * first.cols);
  const b = Float64Array.from(second.b);
  for (let i = 0; i < second.rows; i++) {
    for (let k = 0; k < second.cols; k++) {
      const s = second.w[i * second.cols + k];
      if (s === 0) continue;
      for (let j = 0; j < first.cols; j++) w[i * first.cols + j] += s * first.w[k * first.cols + j];
      b[i] += s * first.b[k];
    }
  }
  return { rows: second.rows, cols: first.cols, w, b };
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** A bias of `n` values from a tensor of n values or a broadcast scalar. */
function broadcastBias(values: Float64Array, n: number, file: string, what: string): Float64Array {
  if (values.length === n) return Float64Array.from(values);
  if (values.length === 1) return new Float64Array(n).fill(values[0]);
  throw new InputError(file, `${what} has ${values.length} values, expected ${n}`, 'bad-model');
}

function fromLayers(layers: Affine[], file: string): ReluMlp {
  if (layers.length === 0) throw new InputError(file, 'no affine layers: not a ReLU MLP', 'bad-model');
  const widths = [layers[0].cols];
  for (let l = 0; l < layers.length; l++) {
    if (layers[l].cols !== widths[l]) {
      throw new InputError(
        file,
        `layer ${l} takes ${layers[l].cols} inputs but the previous layer gives ${widths[l]}`,
        'bad-model',
      );
    }
    widths.push(layers[l].rows);
  }
  return { widths, weights: layers.map((a) => a.w), biases: layers.map((a) => a.b) };
}

/**
 * Reads the affine layers of a ReLU MLP from an ONNX graph: a single chain from the one graph input through
 * Gemm / MatMul(+Add) / BatchNormalization / Relu / pass-through ops, optionally ending in Softmax.
 * Anything else is InputError 'bad-model'.
 */
export function reluMlpFromOnnx(model: ModelProto, file: string): ReluMlp {
  const graph = model.graph;
  if (!graph) throw new InputError(file, 'model has no graph', 'bad-model');
  const init = initializerMap(graph);
  const inputs = graph.input.filter((v) => !init.has(v.name));
  if (inputs.length !== 1) {
    throw new InputError(file, `a ReLU MLP has one input, this model has ${inputs.length}`, 'bad-model');
  }
  const constant = (name: string): TensorProto | undefined => init.get(name);
  const layers: Affine[] = [];
  let pending: Affine | undefined; // the affine layer being built (before its ReLU)
  let cur = inputs[0].name;
  let ended = false;
  const refuse = (reason: string): never => {
    throw new InputError(file, `not a ReLU MLP: ${reason}`, 'bad-model');
  };
  const pushAffine = (a: Affine): void => {
    pending = pending ? compose(pending, a) : a;
  };
  for (const node of graph.node) {
    if (node.opType === 'Constant') continue;
    if (!node.input.includes(cur)) refuse(`node '${node.name || node.opType}' is not on the main chain`);
    if (ended) refuse(`'${node.opType}' after the output activation`);
    const op = node.opType;
    if (op === 'Gemm') {
      const b = constant(node.input[1]);
      if (!b || node.input[0] !== cur) refuse('Gemm needs the activation as A and a constant B');
      const dims = b!.dims.map(Number);
      const transA = node.attribute.find((a) => a.name === 'transA');
      if (transA && transA.i !== 0n) refuse('Gemm with transA is not a Linear layer');
      const transB = (node.attribute.find((a) => a.name === 'transB')?.i ?? 0n) !== 0n;
      const alpha = node.attribute.find((a) => a.name === 'alpha')?.f ?? 1;
      const beta = node.attribute.find((a) => a.name === 'beta')?.f ?? 1;
      const raw = tensorProtoToFloat64(b!, file);
      const [rows, cols] = transB ? [dims[0], dims[1]] : [dims[1], dims[0]];
      const w = transB ? Float64Array.from(raw) : transpose(raw, dims[0], dims[1]);
      for (let i = 0; i < w.length; i++) w[i] *= alpha;
      let bias: Float64Array = new Float64Array(rows);
      if (node.input[2]) {
        const c = constant(node.input[2]);
        if (!c) refuse('Gemm bias is not a constant');
        bias = broadcastBias(tensorProtoToFloat64(c!, file), rows, file, 'Gemm bias');
        for (let i = 0; i < rows; i++) bias[i] *= beta;
      }
      pushAffine({ rows, cols, w, b: bias });
    } else if (op === 'MatMul') {
      const b = constant(node.input[1]);
      if (!b || node.input[0] !== cur) refuse('MatMul needs the activation times a constant matrix');
      const dims = b!.dims.map(Number);
      if (dims.length !== 2) refuse('MatMul weight is not a matrix');
      const w = transpose(tensorProtoToFloat64(b!, file), dims[0], dims[1]);
      pushAffine({ rows: dims[1], cols: dims[0], w, b: new Float64Array(dims[1]) });
    } else if (op === 'Add' || op === 'Sub') {
      const other = node.input[0] === cur ? node.input[1] : node.input[0];
      const c = constant(other);
      if (!c || !pending) refuse(`${op} is not a bias after a linear layer`);
      const bias = broadcastBias(tensorProtoToFloat64(c!, file), pending!.rows, file, `${op} constant`);
      const sign = op === 'Sub' ? (node.input[0] === cur ? -1 : 0) : 1;
      if (sign === 0) refuse('constant minus activation is not a bias');
      for (let i = 0; i < bias.length; i++) pending!.b[i] += sign * bias[i];
    } else if (op === 'BatchNormalization') {
      if (!pending) refuse('BatchNormalization not after a linear layer');
      const p = node.input.slice(1, 5).map((n) => constant(n));
      if (p.some((t) => !t)) refuse('BatchNormalization parameters are not constants');
      const [gamma, beta, mean, variance] = p.map((t) => tensorProtoToFloat64(t!, file));
      const eps = node.attribute.find((a) => a.name === 'epsilon')?.f ?? 1e-5;
      const a = pending!;
      for (let i = 0; i < a.rows; i++) {
        const s = gamma[i] / Math.sqrt(variance[i] + eps); // s = γ/√(var+ε)
        for (let j = 0; j < a.cols; j++) a.w[i * a.cols + j] *= s;
        a.b[i] = (a.b[i] - mean[i]) * s + beta[i]; // b' = (b − μ)·s + β
      }
    } else if (op === 'Relu') {
      if (!pending) refuse('ReLU not after a linear layer');
      layers.push(pending!);
      pending = undefined;
    } else if (PASS_THROUGH.has(op)) {
      if (node.input[0] !== cur) refuse(`${op} does not act on the activation`);
    } else if (TRAILING.has(op)) {
      ended = true;
    } else {
      refuse(`unsupported op '${op}'`);
    }
    cur = node.output[0];
  }
  if (!pending) refuse('the last layer must be linear (no ReLU on the output)');
  layers.push(pending!);
  return fromLayers(layers, file);
}

/** Orders state-dict prefixes like `net.0`, `net.2`, `net.10` by their numeric parts. */
function comparePrefixes(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    const c = Number.isInteger(na) && Number.isInteger(nb) ? na - nb : pa[i].localeCompare(pb[i]);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

/**
 * A ReLU MLP from the tensors of a PyTorch state dict of `Linear` layers (`<prefix>.weight` out × in,
 * `<prefix>.bias`), ordered by the numbers in their prefixes.
 */
export function reluMlpFromStateDict(tensors: Map<string, Tensor>, file: string): ReluMlp {
  const prefixes = [...tensors.keys()]
    .filter((k) => k.endsWith('.weight') || k === 'weight')
    .map((k) => k.slice(0, Math.max(0, k.length - '.weight'.length)))
    .sort(comparePrefixes);
  const layers: Affine[] = prefixes.map((p) => {
    const key = (name: string): string => (p ? `${p}.${name}` : name);
    const w = tensors.get(key('weight'))!;
    if (w.shape.length !== 2) {
      throw new InputError(
        file,
        `'${key('weight')}' has shape (${w.shape.join(', ')}), not a Linear weight`,
        'bad-model',
      );
    }
    const [rows, cols] = w.shape;
    const b = tensors.get(key('bias'));
    return {
      rows,
      cols,
      w: Float64Array.from(toFloat64(w)),
      b: b ? broadcastBias(toFloat64(b), rows, file, `'${key('bias')}'`) : new Float64Array(rows),
    };
  });
  return fromLayers(layers, file);
}

/** Loads a ReLU MLP from an .onnx model or a PyTorch .pt state dict. */
export async function loadReluMlp(path: string): Promise<ReluMlp> {
  const lower = path.toLowerCase();
  if (lower.endsWith('.onnx')) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch {
      throw new InputError(path, 'file not found or unreadable', 'not-found');
    }
    return reluMlpFromOnnx(decodeOnnx(bytes, path), path);
  }
  if (lower.endsWith('.pt') || lower.endsWith('.pth'))
    return reluMlpFromStateDict(await readAllTensors(path), path);
  throw new InputError(path, 'a ReLU MLP is read from .onnx or a .pt state dict', 'unsupported-format');
}

/** Number of hidden neurons h = h_1 + … + h_L. */
export function hiddenCount(mlp: ReluMlp): number {
  let h = 0;
  for (let l = 1; l < mlp.widths.length - 1; l++) h += mlp.widths[l];
  return h;
}

/**
 * Runs n inputs (row-major n × widths[0]) through the network; returns n × out logits. When `pre` is given
 * (n × h), the hidden pre-activations of all layers are written to it, layer after layer.
 */
export function forwardReluMlp(mlp: ReluMlp, x: Float64Array, n: number, pre?: Float64Array): Float64Array {
  const L = mlp.weights.length;
  const h = hiddenCount(mlp);
  const maxWidth = Math.max(...mlp.widths);
  const out = new Float64Array(n * mlp.widths[L]);
  let a = new Float64Array(maxWidth);
  let z = new Float64Array(maxWidth);
  for (let s = 0; s < n; s++) {
    const d0 = mlp.widths[0];
    for (let j = 0; j < d0; j++) a[j] = x[s * d0 + j];
    let offset = 0;
    for (let l = 0; l < L; l++) {
      const rows = mlp.widths[l + 1];
      const cols = mlp.widths[l];
      const w = mlp.weights[l];
      const b = mlp.biases[l];
      for (let i = 0; i < rows; i++) {
        let acc = b[i];
        const r = i * cols;
        for (let j = 0; j < cols; j++) acc += w[r + j] * a[j]; // z = W a + b
        z[i] = acc;
      }
      if (l < L - 1) {
        if (pre) for (let i = 0; i < rows; i++) pre[s * h + offset + i] = z[i];
        offset += rows;
        for (let i = 0; i < rows; i++) z[i] = z[i] > 0 ? z[i] : 0; // ReLU
      } else {
        for (let i = 0; i < rows; i++) out[s * rows + i] = z[i];
      }
      const t = a;
      a = z;
      z = t;
    }
  }
  return out;
}

/** A seeded network with PyTorch's default Linear init: weights and biases uniform(±1/√fan_in). */
export function randomReluMlp(widths: number[], seed: number): ReluMlp {
  const rng = mulberry32(seed);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    weights.push(Float64Array.from({ length: widths[l + 1] * widths[l] }, () => (2 * rng() - 1) * bound));
    biases.push(Float64Array.from({ length: widths[l + 1] }, () => (2 * rng() - 1) * bound));
  }
  return { widths: [...widths], weights, biases };
}
