/** Backward rules of convolutions, normalisation, pooling and padding (NCHW, any number of spatial axes). */
import {
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  unsupported,
  type BackwardContext,
  type BackwardRule,
} from './backward-context';

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin…, end…] as in ONNX. */
  pads: number[];
}

/** Kernel, strides, dilations and explicit pads of a Conv/pool node, resolving auto_pad from the shapes. */
function windowOf(ctx: BackwardContext, kernel: number[]): Window {
  const { node } = ctx;
  const k = kernel.length;
  const strides = attrInts(node, 'strides') ?? Array<number>(k).fill(1);
  const dilations = attrInts(node, 'dilations') ?? Array<number>(k).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let pads = attrInts(node, 'pads') ?? Array<number>(2 * k).fill(0);
  if (autoPad === 'VALID') pads = Array<number>(2 * k).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const inS = ctx.shape(node.input[0]).slice(2);
    const outS = ctx.shape(node.output[0]).slice(2);
    pads = Array<number>(2 * k).fill(0);
    for (let i = 0; i < k; i++) {
      // total = max(0, (out − 1)·s + d·(k − 1) + 1 − in), the odd pixel at the end (UPPER) or start (LOWER)
      const total = Math.max(0, (outS[i] - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - inS[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + k] = total - pads[i];
    }
  }
  return { kernel, strides, dilations, pads };
}

/** output_padding = in − (s·(out − 1) + d·(k − 1) + 1 − p_begin − p_end), so ConvTranspose restores `in`. */
function outputPadding(w: Window, inS: number[], outS: number[]): number[] {
  const k = w.kernel.length;
  return inS.map(
    (h, i) =>
      h - (w.strides[i] * (outS[i] - 1) + w.dilations[i] * (w.kernel[i] - 1) + 1 - w.pads[i] - w.pads[i + k]),
  );
}

function transposeAttrs(w: Window, group: number, outPad: number[]) {
  return {
    kernel_shape: w.kernel,
    strides: w.strides,
    dilations: w.dilations,
    pads: w.pads,
    group,
    output_padding: outPad,
  };
}

const conv: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  if (ctx.needs(1) || ctx.needs(2))
    throw unsupported(ctx, 'weights that depend on the input have no gradient rule');
  const [X, W] = node.input;
  const w = windowOf(ctx, ctx.shape(W).slice(2));
  const group = attrInt(node, 'group', 1);
  const outPad = outputPadding(w, ctx.shape(X).slice(2), ctx.shape(node.output[0]).slice(2));
  // dX = ConvTranspose(dY, W): the adjoint of the convolution, same weights and geometry.
  return [b.op('ConvTranspose', [dY, W], transposeAttrs(w, group, outPad))];
};

const convTranspose: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  if (ctx.needs(1) || ctx.needs(2))
    throw unsupported(ctx, 'weights that depend on the input have no gradient rule');
  if (attrInts(node, 'output_shape') || attrString(node, 'auto_pad', 'NOTSET') !== 'NOTSET') {
    throw unsupported(ctx, 'ConvTranspose with output_shape or auto_pad has no gradient rule');
  }
  const W = node.input[1];
  const w = windowOf(ctx, ctx.shape(W).slice(2));
  // dX = Conv(dY, W): the adjoint of the transposed convolution.
  return [
    b.op('Conv', [dY, W], {
      kernel_shape: w.kernel,
      strides: w.strides,
      dilations: w.dilations,
      pads: w.pads,
      group: attrInt(node, 'group', 1),
    }),
  ];
};

const batchNorm: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  if (attrInt(node, 'training_mode', 0) !== 0) throw unsupported(ctx, 'BatchNormalization in training mode');
  for (let i = 1; i < 5; i++) if (ctx.needs(i)) throw unsupported(ctx, 'statistics that depend on the input');
  const [X, scale, , , variance] = node.input;
  const gamma = ctx.value(scale);
  const v = ctx.value(variance);
  const eps = attrFloat(node, 'epsilon', 1e-5);
  const s = new Float32Array(gamma.length);
  for (let c = 0; c < s.length; c++) s[c] = gamma[c] / Math.sqrt(v[c] + eps); // s = γ/√(var + ε)
  const rank = ctx.shape(X).length;
  const k = b.floatInit(s, [s.length, ...Array<number>(rank - 2).fill(1)], 'bn_scale');
  return [b.op('Mul', [dY, k])];
};

const maxPool: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const X = node.input[0];
  const indices = node.output[1];
  const flat = b.ints([-1]);
  const xFlat = b.op('Reshape', [X, flat]);
  const zeros = b.op('ConstantOfShape', [b.op('Shape', [xFlat])]);
  // Indices address the flattened input; "add" makes overlapping windows and ties exact.
  const scattered = b.op(
    'ScatterElements',
    [zeros, b.op('Reshape', [indices, flat]), b.op('Reshape', [dY, flat])],
    { axis: 0, reduction: 'add' },
  );
  return [b.op('Reshape', [scattered, b.op('Shape', [X])])];
};

/** Number of non-padding inputs under each output window (count_include_pad = 0), one spatial axis. */
function validCounts(inSize: number, outSize: number, k: number, s: number, pb: number): number[] {
  return Array.from(
    { length: outSize },
    (_, o) => Math.min(o * s - pb + k, inSize) - Math.max(o * s - pb, 0),
  );
}

const averagePool: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const X = node.input[0];
  const xs = ctx.shape(X);
  const ys = ctx.shape(node.output[0]);
  const kernel = attrInts(node, 'kernel_shape') ?? [];
  const w = windowOf(ctx, kernel);
  const nk = kernel.length;
  const inS = xs.slice(2);
  const outS = ys.slice(2);
  const includePad = attrInt(node, 'count_include_pad', 0) === 1;
  const overhang = outS.some(
    (o, i) => (o - 1) * w.strides[i] - w.pads[i] + kernel[i] > inS[i] + w.pads[i + nk],
  );
  if (overhang) throw unsupported(ctx, 'AveragePool whose ceil_mode windows overhang the padding');
  const channels = xs[1];
  const ones = new Float32Array(channels * kernel.reduce((a, c) => a * c, 1)).fill(1);
  const weight = b.floatInit(ones, [channels, 1, ...kernel], 'avgpool_ones');
  let scaled: string;
  if (includePad || w.pads.every((p) => p === 0)) {
    scaled = b.op('Mul', [dY, b.scalar(1 / kernel.reduce((a, c) => a * c, 1))]);
  } else {
    // Each output divided by its own count of real inputs, then spread back by a ones kernel.
    const perAxis = outS.map((o, i) => validCounts(inS[i], o, kernel[i], w.strides[i], w.pads[i]));
    const total = outS.reduce((a, c) => a * c, 1);
    const inv = new Float32Array(total);
    for (let flat = 0; flat < total; flat++) {
      let rest = flat;
      let count = 1;
      for (let i = nk - 1; i >= 0; i--) {
        count *= perAxis[i][rest % outS[i]];
        rest = Math.floor(rest / outS[i]);
      }
      inv[flat] = 1 / count;
    }
    scaled = b.op('Mul', [dY, b.floatInit(inv, [1, 1, ...outS], 'avgpool_counts')]);
  }
  const outPad = outputPadding(w, inS, outS);
  return [b.op('ConvTranspose', [scaled, weight], transposeAttrs(w, channels, outPad))];
};

const globalAveragePool: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const X = node.input[0];
  const area = ctx
    .shape(X)
    .slice(2)
    .reduce((a, c) => a * c, 1);
  // dX = broadcast(dY) / (H·W)
  return [b.op('Div', [b.op('Expand', [dY, b.op('Shape', [X])]), b.scalar(area)])];
};

const pad: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  if (attrString(node, 'mode', 'constant') !== 'constant')
    throw unsupported(ctx, 'only constant padding has a gradient rule');
  if (node.input[3]) throw unsupported(ctx, 'Pad with an axes input');
  const pads = Array.from(ctx.value(node.input[1]));
  const rank = pads.length / 2;
  if (pads.some((p) => p < 0)) throw unsupported(ctx, 'negative pads (cropping)');
  const ys = ctx.shape(node.output[0]);
  const axes = Array.from({ length: rank }, (_, i) => i);
  // dX = dY without the padded border; an axis padded at neither end keeps everything (batch included).
  const starts = axes.map((i) => pads[i]);
  const ends = axes.map((i) => (pads[i + rank] > 0 ? ys[i] - pads[i + rank] : Number.MAX_SAFE_INTEGER));
  return [b.op('Slice', [dY, b.ints(starts), b.ints(ends), b.ints(axes)])];
};

export const spatialRules: Record<string, BackwardRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  BatchNormalization: batchNorm,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
  Pad: pad,
};
