/** Backward rules of the ops that only move values: reshapes, transposes, concatenation. */
import { attrInt, attrInts, unsupported, type BackwardRule } from './backward-context';

const reshapeBack: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  return [b.op('Reshape', [dY, b.op('Shape', [node.input[0]])])];
};

const transpose: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const rank = ctx.shape(node.input[0]).length;
  const perm = attrInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [b.op('Transpose', [dY], { perm: inverse })];
};

const concat: BackwardRule = (ctx, [dY]) => {
  const { b, node } = ctx;
  const rank = ctx.shape(node.output[0]).length;
  const axis = (attrInt(node, 'axis', 0) + rank) % rank;
  if (axis === 0) throw unsupported(ctx, 'Concat along the batch axis');
  let offset = 0;
  return node.input.map((name, i) => {
    const size = ctx.shape(name)[axis];
    const start = offset;
    offset += size;
    if (!ctx.needs(i)) return undefined;
    return b.op('Slice', [dY, b.ints([start]), b.ints([start + size]), b.ints([axis])]);
  });
};

export const shapeRules: Record<string, BackwardRule> = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Concat: concat,
};
