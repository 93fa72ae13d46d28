/**
 * Polytope panel benchmarks: what the host does between the worker's result and the webview's first draw
 * (reduce a complex to flat polygons and count training points per face), and the hover lookup.
 * Complexes of random (2,100,100,100,1) MLPs (PyTorch's default init, seed 0) on [−1, 1]²: 13 088 faces.
 */
import { buildComplex } from '../src/core/polytope/complex';
import { dualGraph } from '../src/core/polytope/dual';
import type { ReluMlp } from '../src/core/model/relu-mlp';
import type { CellComplex, DualGraph } from '../src/core/polytope/types';
import { mulberry32 } from '../src/core/random';
import { regionDataFrom } from '../src/core/report/polytope-section';
import { SpatialGrid } from '../webview/polytope/spatial-grid';
import type { RegionData } from '../webview/polytope/protocol';
import type { Benchmark } from './harness';

/** PyTorch's default Linear init: weights and biases U(−1/√fan_in, 1/√fan_in). */
function randomMlp(widths: number[], seed: number): ReluMlp {
  const rng = mulberry32(seed);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const bound = 1 / Math.sqrt(widths[l]);
    const uniform = () => bound * (2 * rng() - 1);
    weights.push(Float64Array.from({ length: widths[l] * widths[l + 1] }, uniform));
    biases.push(Float64Array.from({ length: widths[l + 1] }, uniform));
  }
  return { widths, weights, biases };
}

function points(n: number, seed: number): { xy: Float64Array; labels: Int32Array } {
  const rng = mulberry32(seed);
  return {
    xy: Float64Array.from({ length: 2 * n }, () => 2 * rng() - 1),
    labels: Int32Array.from({ length: n }, () => (rng() < 0.5 ? 0 : 1)),
  };
}

function view(
  complex: CellComplex,
  facet: DualGraph,
  pts: { xy: Float64Array; labels: Int32Array },
): RegionData {
  return regionDataFrom({
    label: 'bench',
    complex,
    dualEdgeCounts: { facet: facet.source.length, hamming1: 0 },
    dualSource: facet.source,
    dualTarget: facet.target,
    fiedler: { unweighted: null, weighted: null },
    betti: null,
    points: { ...pts, file: 'points' },
    inputDim: 2,
    anchorsUv: null,
    seconds: 0,
  });
}

interface ViewState {
  complex: CellComplex;
  facet: DualGraph;
  pts: { xy: Float64Array; labels: Int32Array };
}

const reduce: Benchmark<ViewState> = {
  name: 'polytope view data, (2,100,100,100,1) 13k faces, 10 000 points',
  target: '≤ 100 ms (host side of a panel redraw)',
  targetMs: 100,
  setup: () => {
    const complex = buildComplex(randomMlp([2, 100, 100, 100, 1], 0), { box: [-1, 1, -1, 1] });
    return { complex, facet: dualGraph(complex, 'facet'), pts: points(10_000, 1) };
  },
  run: ({ complex, facet, pts }) => `${view(complex, facet, pts).fVector[2]} faces`,
};

const hover: Benchmark<{ d: RegionData; q: Float64Array }> = {
  name: 'polytope hover: spatial grid on 13k faces, build + 100 000 lookups',
  target: '≤ 100 ms',
  targetMs: 100,
  setup: () => {
    const complex = buildComplex(randomMlp([2, 100, 100, 100, 1], 0), { box: [-1, 1, -1, 1] });
    return { d: view(complex, dualGraph(complex, 'facet'), points(10, 1)), q: points(100_000, 2).xy };
  },
  run: ({ d, q }) => {
    const grid = new SpatialGrid(d);
    let found = 0;
    for (let i = 0; i < q.length; i += 2) if (grid.find(q[i], q[i + 1]) >= 0) found++;
    return `${found} of 100 000 found`;
  },
};

/** Each benchmark keeps its own state type; the runner only passes setup's value back to run. */
const erase = <S>(b: Benchmark<S>): Benchmark<unknown> => b as unknown as Benchmark<unknown>;

export const benchmarks: Benchmark<unknown>[] = [erase(reduce), erase(hover)];
