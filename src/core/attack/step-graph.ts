/**
 * One attack step as a graph (DESIGN.md §6): inputs x₀, x, targets, ε, α, lo, hi → x_next, appended to the
 * gradient graph so that a PGD step is a single session.run with no copy through JavaScript.
 */
import type { ModelProto } from 'onnx-buf';
import { assembleModel, buildGradientGraph } from '../model/backward';
import type { ProbeResult } from '../model/probe';

export type StepNorm = 'linf' | 'l2';

export interface StepModel {
  model: ModelProto;
  /** Feed names. */
  x: string;
  x0: string;
  targets: string;
  eps: string;
  alpha: string;
  lo: string;
  hi: string;
  /** Output name of the next iterate. */
  next: string;
  classes: number;
}

/** Guards ‖·‖₂ = 0 (a zero gradient or δ = 0) from dividing by zero. */
const TINY = 1e-12;

export function buildStepModel(
  model: ModelProto,
  file: string,
  probe: ProbeResult,
  rowShape: readonly number[],
  norm: StepNorm,
): StepModel {
  const g = buildGradientGraph(model, file, probe);
  const { b } = g;
  const x0 = b.floatInput('x0', ['N', ...rowShape]);
  const eps = b.floatInput('eps', []);
  const alpha = b.floatInput('alpha', []);
  const lo = b.floatInput('lo', []);
  const hi = b.floatInput('hi', []);
  const x = g.input;
  let next: string;
  if (norm === 'linf') {
    // x' = clip(Π_{‖x'−x₀‖∞ ≤ ε}(x + α·sign(∇)), lo, hi)
    const stepped = b.op('Add', [x, b.op('Mul', [alpha, b.op('Sign', [g.grad])])]);
    const projected = b.op('Min', [b.op('Max', [stepped, b.op('Sub', [x0, eps])]), b.op('Add', [x0, eps])]);
    next = b.op('Clip', [projected, lo, hi]);
  } else {
    const ones = Array<number>(rowShape.length).fill(1);
    const rowNorm = (t: string): string =>
      b.op('Reshape', [
        b.op('ReduceL2', [b.op('Reshape', [t, b.ints([0, -1])])], { axes: [1], keepdims: 1 }),
        b.ints([0, ...ones]),
      ]);
    // x' = clip(x₀ + δ·min(1, ε/‖δ‖₂), lo, hi) with δ = x + α·∇/‖∇‖₂ − x₀
    const unit = b.op('Div', [g.grad, b.op('Add', [rowNorm(g.grad), b.scalar(TINY)])]);
    const delta = b.op('Sub', [b.op('Add', [x, b.op('Mul', [alpha, unit])]), x0]);
    const factor = b.op('Min', [
      b.scalar(1),
      b.op('Div', [eps, b.op('Add', [rowNorm(delta), b.scalar(TINY)])]),
    ]);
    next = b.op('Clip', [b.op('Add', [x0, b.op('Mul', [delta, factor])]), lo, hi]);
  }
  return {
    model: assembleModel(model, g, [next]),
    x,
    x0,
    targets: g.targets,
    eps,
    alpha,
    lo,
    hi,
    next,
    classes: g.classes,
  };
}
