/**
 * Polytope benchmarks (DESIGN.md §8), at PyTorch-like random init (weights and biases uniform(±1/√fan_in),
 * seeded) over the box [−1, 1]². Anchors: the reference edge-subdivision code needs 1.5–5.9 s for
 * (2,50,50,50,50) and 7–10 s for (2,100,100,100); SciPy shift-invert ARPACK 1.8 s for a 10⁵-node Fiedler
 * vector.
 */
import { randomReluMlp, type ReluMlp } from '../src/core/model/relu-mlp';
import { fiedlerMultilevel } from '../src/core/linalg/fiedler-solver';
import { buildComplex, fVectorOf } from '../src/core/polytope/complex';
import { facetDual, toCsr } from '../src/core/polytope/dual';
import { sweepCheckpoints } from '../src/core/polytope/sweep';
import type { CellComplex, CsrGraph } from '../src/core/polytope/types';
import { bettiCurves } from '../src/core/topology/betti';
import type { Benchmark } from './harness';

const BOX: [number, number, number, number] = [-1, 1, -1, 1];

function complexBench(widths: number[], target: number): Benchmark<ReluMlp> {
  return {
    name: `exact 2-D complex, (${widths.join(',')}) random init`,
    target: `≤ ${target} ms`,
    targetMs: target,
    runs: 7,
    setup: () => randomReluMlp(widths, 0),
    run: (mlp) => {
      const [f0, f1, f2] = fVectorOf(buildComplex(mlp, { box: BOX }));
      return `f = (${f0}, ${f1}, ${f2})`;
    },
  };
}

/**
 * The dual graph of a k × m grid of square cells (a 4-neighbour grid graph), a planar complex of k·m faces;
 * k ≠ m keeps λ₂ simple (a square grid has λ₂ = λ₃).
 */
function gridDual(k: number, m: number): CsrGraph {
  const n = k * m;
  const offsets = new Uint32Array(n + 1);
  const adj: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      if (i > 0) adj.push((i - 1) * k + j);
      if (j > 0) adj.push(i * k + j - 1);
      if (j + 1 < k) adj.push(i * k + j + 1);
      if (i + 1 < m) adj.push((i + 1) * k + j);
      offsets[i * k + j + 1] = adj.length;
    }
  }
  return { n, offsets, adjacency: Uint32Array.from(adj), weights: new Float64Array(adj.length).fill(1) };
}

const betti: Benchmark<CellComplex> = {
  name: '25-trial Betti curves, 109 471-cell complex',
  target: '≤ 0.5 s',
  targetMs: 500,
  setup: () => buildComplex(randomReluMlp([2, 100, 100, 100, 1], 0), { box: [-3, 3, -3, 3] }),
  run: (c: CellComplex) => {
    const [f0, f1, f2] = fVectorOf(c);
    const b = bettiCurves(f0, c.edgeVertices, f2, { trials: 25, seed: 0 });
    return `${f0 + f1 + f2} cells, max β1 ${b.max.beta1}`;
  },
};

const sweep: Benchmark<{ file: string; epoch: number; mlp: ReluMlp }[]> = {
  name: 'sweep, 101 checkpoints of (2,50,50,50,50,1), 25 trials',
  target: '≤ 20 s',
  targetMs: 20000,
  runs: 1,
  setup: () =>
    Array.from({ length: 101 }, (_, i) => ({
      file: `epoch_${i}.onnx`,
      epoch: i,
      mlp: randomReluMlp([2, 50, 50, 50, 50, 1], 1000 + i),
    })),
  run: (models: { file: string; epoch: number; mlp: ReluMlp }[]) => {
    const r = sweepCheckpoints(models, { box: BOX, trials: 25 });
    return `${r.checkpoints.length} checkpoints, mean f2 ${Math.round(r.checkpoints.reduce((s, c) => s + c.fVector[2], 0) / 101)}`;
  },
};

const fiedlerRelu: Benchmark<CsrGraph> = {
  name: 'Fiedler vector, ReLU dual graph (2,100,100,100,1) over [−3, 3]²',
  target: '—',
  runs: 3,
  setup: () =>
    toCsr(facetDual(buildComplex(randomReluMlp([2, 100, 100, 100, 1], 0), { box: [-3, 3, -3, 3] }))),
  run: (g: CsrGraph) => {
    const f = fiedlerMultilevel(g, new Float64Array(g.n).fill(1));
    return `${g.n} faces, λ2 ${f.lambda2.toExponential(4)}, residual ${f.residual.toExponential(1)}`;
  },
};

const fiedlerGrid: Benchmark<CsrGraph> = {
  name: 'Fiedler vector, 100 000-face dual graph (400 × 250 grid)',
  target: '≤ 2 s',
  targetMs: 2000,
  runs: 3,
  setup: () => gridDual(400, 250),
  run: (g: CsrGraph) => {
    const f = fiedlerMultilevel(g, new Float64Array(g.n).fill(1));
    return `${g.n} faces, λ2 ${f.lambda2.toExponential(4)}, residual ${f.residual.toExponential(1)}`;
  },
};

export const benchmarks = [
  complexBench([2, 50, 50, 50, 50, 1], 150),
  complexBench([2, 100, 100, 100, 1], 600),
  betti,
  sweep,
  fiedlerRelu,
  fiedlerGrid,
];
