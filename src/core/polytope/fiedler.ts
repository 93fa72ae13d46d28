/**
 * Fiedler partitions of a dual graph (DESIGN.md §7): L = W_V⁻¹ ∂ᵀ W_E ∂ with W_E = I, W_V = I
 * (unweighted) or 1 + training points per face (weighted); each connected component is solved on its own,
 * and the sign of the vector splits the faces. The paper's Table-1 metrics compare the split with labels.
 */
import { solveFiedler, type FiedlerOptions } from '../linalg/fiedler-solver';
import { toCsr } from './dual';
import type { CsrGraph, DualGraph, FiedlerResult, PartitionMetrics } from './types';

/** Connected components of a CSR graph (ids in order of their smallest node). */
export function components(g: CsrGraph): { count: number; of: Int32Array } {
  const of = new Int32Array(g.n).fill(-1);
  const stack = new Int32Array(g.n);
  let count = 0;
  for (let s = 0; s < g.n; s++) {
    if (of[s] >= 0) continue;
    let top = 0;
    stack[top++] = s;
    of[s] = count;
    while (top > 0) {
      const u = stack[--top];
      for (let p = g.offsets[u]; p < g.offsets[u + 1]; p++) {
        const v = g.adjacency[p];
        if (of[v] < 0) {
          of[v] = count;
          stack[top++] = v;
        }
      }
    }
    count++;
  }
  return { count, of };
}

/** The subgraph on `nodes` (global ids), renumbered 0…k−1 in the given order. */
function subgraph(g: CsrGraph, nodes: Int32Array, local: Int32Array): CsrGraph {
  const offsets = new Uint32Array(nodes.length + 1);
  for (let i = 0; i < nodes.length; i++)
    offsets[i + 1] = offsets[i] + g.offsets[nodes[i] + 1] - g.offsets[nodes[i]];
  const adjacency = new Uint32Array(offsets[nodes.length]);
  const weights = new Float64Array(adjacency.length);
  for (let i = 0; i < nodes.length; i++) {
    let q = offsets[i];
    for (let p = g.offsets[nodes[i]]; p < g.offsets[nodes[i] + 1]; p++) {
      adjacency[q] = local[g.adjacency[p]];
      weights[q++] = g.weights[p];
    }
  }
  return { n: nodes.length, offsets, adjacency, weights };
}

/**
 * Fiedler vector of the dual graph; `pointsPerFace` gives the weighted Laplacian's masses (null:
 * unweighted). λ₂, λ₃ and the residual are those of the largest component.
 */
export function fiedlerOfDual(
  dual: DualGraph,
  pointsPerFace: Int32Array | null,
  opts: FiedlerOptions = {},
): FiedlerResult {
  const g = toCsr(dual);
  const mass = new Float64Array(g.n).fill(1);
  if (pointsPerFace) for (let i = 0; i < g.n; i++) mass[i] = 1 + pointsPerFace[i]; // W_V(i,i) = 1 + points in face i
  const comp = components(g);
  const sizes = new Int32Array(comp.count);
  for (let i = 0; i < g.n; i++) sizes[comp.of[i]]++;
  let largest = 0;
  for (let c = 1; c < comp.count; c++) if (sizes[c] > sizes[largest]) largest = c;
  const vector = new Float64Array(g.n);
  const local = new Int32Array(g.n);
  const members: number[][] = Array.from({ length: comp.count }, () => []);
  for (let i = 0; i < g.n; i++) {
    local[i] = members[comp.of[i]].length;
    members[comp.of[i]].push(i);
  }
  let lambda2 = NaN;
  let lambda3 = NaN;
  let residual = 0;
  let solver: FiedlerResult['solver'] = 'dense';
  for (let c = 0; c < comp.count; c++) {
    const nodes = Int32Array.from(members[c]);
    if (nodes.length < 2) continue;
    const sub = subgraph(g, nodes, local);
    const m = Float64Array.from(nodes, (i) => mass[i]);
    const sol = solveFiedler(sub, m, opts);
    // Fix the arbitrary global sign: the first node of each component is on the non-negative side.
    const sign = sol.vector[0] < 0 ? -1 : 1;
    for (let i = 0; i < nodes.length; i++) vector[nodes[i]] = sign * sol.vector[i];
    if (c === largest) {
      lambda2 = sol.lambda2;
      lambda3 = sol.lambda3;
      residual = sol.residual;
      solver = sol.solver;
    }
  }
  return {
    weighting: pointsPerFace ? 'weighted' : 'unweighted',
    dual: dual.kind,
    components: comp.count,
    componentOf: comp.of,
    lambda2,
    lambda3,
    gapRatio: lambda3 / lambda2,
    vector,
    side: Uint8Array.from(vector, (v) => (v > 0 ? 1 : 0)),
    solver,
    residual,
  };
}

/**
 * Table-1 metrics: over faces holding training points, a = mean class label there; the prediction is
 * 1[v > 0] or its complement, whichever misclassifies fewer faces (then the lower L2 error);
 * misclassified % = share with |a − pred| ≥ 0.5, L2 error = ‖a − pred‖₂.
 */
export function partitionMetrics(
  side: Uint8Array,
  pointsPerFace: Int32Array,
  labelSum: Float64Array,
): PartitionMetrics {
  let n = 0;
  const miss = [0, 0];
  const sq = [0, 0];
  for (let f = 0; f < side.length; f++) {
    if (pointsPerFace[f] === 0) continue;
    n++;
    const a = labelSum[f] / pointsPerFace[f];
    for (let flip = 0; flip < 2; flip++) {
      const pred = flip ? 1 - side[f] : side[f];
      const d = a - pred;
      if (Math.abs(d) >= 0.5) miss[flip]++;
      sq[flip] += d * d;
    }
  }
  const flipped = miss[1] < miss[0] || (miss[1] === miss[0] && sq[1] < sq[0]);
  const k = flipped ? 1 : 0;
  return {
    facesWithPoints: n,
    misclassifiedPct: n ? (100 * miss[k]) / n : 0,
    l2Error: Math.sqrt(sq[k]),
    flipped,
  };
}
