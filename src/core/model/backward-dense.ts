/** Backward rules of the dense and element-wise ops (notes/onnx.md's table, matching PyTorch autograd). */
import { attrFloat, attrInt, unbroadcast, unsupported, type BackwardRule } from './backward-context';

const gemm: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const [A, B, C] = node.input;
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const tA = attrInt(node, 'transA', 0);
  const tB = attrInt(node, 'transB', 0);
  const out: (string | undefined)[] = [];
  // Y = α·op(A)·op(B) + β·C  ⇒  dA = α·dY·op(B)ᵀ (transposed back when transA), dB = α·op(A)ᵀ·dY (likewise).
  if (ctx.needs(0)) {
    out[0] = tA
      ? b.op('Gemm', [B, dY], { alpha: { f: alpha }, transA: tB, transB: 1 })
      : b.op('Gemm', [dY, B], { alpha: { f: alpha }, transB: 1 - tB });
  }
  if (ctx.needs(1)) {
    out[1] = tB
      ? b.op('Gemm', [dY, A], { alpha: { f: alpha }, transA: 1, transB: tA })
      : b.op('Gemm', [A, dY], { alpha: { f: alpha }, transA: 1 - tA });
  }
  if (C && ctx.needs(2)) {
    const scaled = beta === 1 ? dY : b.op('Mul', [dY, b.scalar(beta)]);
    out[2] = unbroadcast(ctx, scaled, C, ctx.shape(node.output[0]));
  }
  return out;
};

const swapLast = (rank: number): number[] => [
  ...Array.from({ length: rank - 2 }, (_, i) => i),
  rank - 1,
  rank - 2,
];

const matmul: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const [A, B] = node.input;
  const ra = ctx.shape(A).length;
  const rb = ctx.shape(B).length;
  if (ra < 2 || rb < 2) throw unsupported(ctx, 'MatMul with a 1-D operand has no gradient rule');
  const y = ctx.shape(node.output[0]);
  const batch = y.slice(0, -2);
  const out: (string | undefined)[] = [];
  // dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over the batch axes it was broadcast along.
  if (ctx.needs(0)) {
    const g = b.op('MatMul', [dY, b.op('Transpose', [B], { perm: swapLast(rb) })]);
    out[0] = unbroadcast(ctx, g, A, [...batch, ...ctx.shape(A).slice(-2)]);
  }
  if (ctx.needs(1)) {
    const g = b.op('MatMul', [b.op('Transpose', [A], { perm: swapLast(ra) }), dY]);
    out[1] = unbroadcast(ctx, g, B, [...batch, ...ctx.shape(B).slice(-2)]);
  }
  return out;
};

const relu: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  // dX = dY where x > 0, else 0 (PyTorch's convention at 0).
  return [b.op('Where', [b.op('Greater', [node.input[0], b.scalar(0)]), dY, b.scalar(0)])];
};

const leakyRelu: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const alpha = attrFloat(node, 'alpha', 0.01);
  return [
    b.op('Where', [b.op('Greater', [node.input[0], b.scalar(0)]), dY, b.op('Mul', [dY, b.scalar(alpha)])]),
  ];
};

const clip: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const [X, lo, hi] = node.input;
  // dX = dY where lo < x < hi.
  const conds: string[] = [];
  if (lo) conds.push(b.op('Greater', [X, lo]));
  if (hi) conds.push(b.op('Less', [X, hi]));
  if (conds.length === 0) return [dY];
  const cond = conds.length === 2 ? b.op('And', conds) : conds[0];
  return [b.op('Where', [cond, dY, b.scalar(0)])];
};

const sigmoid: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const y = node.output[0];
  // dX = dY·y·(1 − y)
  return [b.op('Mul', [dY, b.op('Mul', [y, b.op('Sub', [b.scalar(1), y])])])];
};

const tanh: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const y = node.output[0];
  // dX = dY·(1 − y²)
  return [b.op('Mul', [dY, b.op('Sub', [b.scalar(1), b.op('Mul', [y, y])])])];
};

const arithmetic =
  (kind: 'Add' | 'Sub' | 'Mul' | 'Div'): BackwardRule =>
  (ctx, [dY]) => {
    const { b, node } = ctx;
    const [A, B] = node.input;
    const y = ctx.shape(node.output[0]);
    const out: (string | undefined)[] = [];
    if (ctx.needs(0)) {
      // d(a∘b)/da: 1, 1, b, 1/b
      const g = kind === 'Mul' ? b.op('Mul', [dY, B]) : kind === 'Div' ? b.op('Div', [dY, B]) : dY;
      out[0] = unbroadcast(ctx, g, A, y);
    }
    if (ctx.needs(1)) {
      // d(a∘b)/db: 1, −1, a, −a/b² = −y/b
      const g =
        kind === 'Add'
          ? dY
          : kind === 'Sub'
            ? b.op('Neg', [dY])
            : kind === 'Mul'
              ? b.op('Mul', [dY, A])
              : b.op('Neg', [b.op('Div', [b.op('Mul', [dY, node.output[0]]), B])]);
      out[1] = unbroadcast(ctx, g, B, y);
    }
    return out;
  };

const passThrough: BackwardRule = (_ctx, [dY]) => [dY];

export const denseRules: Record<string, BackwardRule> = {
  Gemm: gemm,
  MatMul: matmul,
  Relu: relu,
  LeakyRelu: leakyRelu,
  Clip: clip,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Add: arithmetic('Add'),
  Sub: arithmetic('Sub'),
  Mul: arithmetic('Mul'),
  Div: arithmetic('Div'),
  Identity: passThrough,
  Dropout: passThrough,
};
