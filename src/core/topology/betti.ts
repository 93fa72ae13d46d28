/**
 * Random-filtration Betti curves of a planar cell complex (DESIGN.md §7): all vertices, then all edges,
 * then all faces, each block in a uniformly random order. Every prefix is a subcomplex of a planar cell
 * decomposition, so β₂ = 0 and β₁ = β₀ − (#v − #e + #f), with β₀ from union-find over the edges.
 */
import { mulberry32, permutation } from '../random';
import type { BettiCurves, FVector } from '../polytope/types';
import { UnionFind } from './union-find';

export interface BettiOptions {
  trials?: number;
  seed?: number;
  /** Called after each trial (progress and cancellation). */
  onTrial?: (done: number, total: number) => void;
}

/**
 * Averaged curves over `trials` seeded filtrations of the complex with f0 vertices, the given edges
 * (2·f1 endpoints) and f2 faces. Only the edge order changes β₀ and β₁ (a vertex always adds a component,
 * a face always closes a cycle), so the vertex and face blocks need no shuffling of their own.
 */
export function bettiCurves(
  f0: number,
  edgeVertices: Uint32Array,
  f2: number,
  opts: BettiOptions = {},
): BettiCurves {
  const trials = opts.trials ?? 25;
  const seed = opts.seed ?? 0;
  const f1 = edgeVertices.length / 2;
  const total = f0 + f1 + f2;
  const beta0 = new Float64Array(total);
  const beta1 = new Float64Array(total);
  const rng = mulberry32(seed);
  const uf = new UnionFind(f0);
  for (let t = 0; t < trials; t++) {
    const order = permutation(rng, f1);
    uf.reset();
    let b0 = f0;
    for (let k = 0; k < f1; k++) {
      const e = order[k];
      if (uf.union(edgeVertices[2 * e], edgeVertices[2 * e + 1])) b0--;
      const step = f0 + k;
      beta0[step] += b0;
      beta1[step] += b0 - (f0 - (k + 1)); // β₁ = β₀ − χ, χ = f0 − (edges so far)
    }
    opts.onTrial?.(t + 1, trials);
  }
  for (let s = f0 + f1; s < total; s++) {
    // Faces: β₀ stays as after the last edge, β₁ falls by one per face.
    beta0[s] = beta0[f0 + f1 - 1] || 0;
    beta1[s] = beta1[f0 + f1 - 1] - (s - f0 - f1 + 1) * trials;
  }
  const inv = trials > 0 ? 1 / trials : 0;
  for (let s = f0; s < total; s++) {
    beta0[s] *= inv;
    beta1[s] *= inv;
  }
  for (let s = 0; s < f0; s++) beta0[s] = s + 1; // vertex block: β₀ = t, β₁ = 0
  const fraction = new Float64Array(total);
  let max0 = 0;
  let max1 = 0;
  let peak = 0;
  for (let s = 0; s < total; s++) {
    fraction[s] = (s + 1) / total;
    if (beta0[s] > max0) max0 = beta0[s];
    if (beta1[s] > max1) {
      max1 = beta1[s];
      peak = s;
    }
  }
  const fVector: FVector = [f0, f1, f2];
  return {
    fVector,
    trials,
    seed,
    fraction,
    beta0,
    beta1,
    max: { beta0: max0, beta1: max1 },
    beta1PeakFraction: total > 0 ? fraction[peak] : 0,
  };
}
