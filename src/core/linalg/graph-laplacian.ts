/**
 * Weighted graph Laplacians in CSR form, L = D − A with (L x)_i = Σ_j w_ij (x_i − x_j), applied without
 * forming a matrix; and the generalised problem L x = λ W x's dense symmetric form for small graphs.
 */
import type { CsrGraph } from '../polytope/types';

/** Weighted degree of each node: the diagonal of L. */
export function weightedDegrees(g: CsrGraph): Float64Array {
  const deg = new Float64Array(g.n);
  for (let i = 0; i < g.n; i++) {
    let s = 0;
    for (let p = g.offsets[i]; p < g.offsets[i + 1]; p++) s += g.weights[p];
    deg[i] = s;
  }
  return deg;
}

/** out = L x */
export function laplacianTimes(g: CsrGraph, deg: Float64Array, x: Float64Array, out: Float64Array): void {
  const { offsets, adjacency, weights } = g;
  for (let i = 0; i < g.n; i++) {
    let s = deg[i] * x[i];
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) s -= weights[p] * x[adjacency[p]]; // (D − A) x
    out[i] = s;
  }
}

/**
 * S = W^-½ L W^-½ + c·y₀y₀ᵀ as a dense row-major matrix, with y₀ = √w/‖√w‖ the known null vector shifted
 * to c (above the spectrum), so the smallest eigenpairs of S are those of the generalised problem from λ₂.
 */
export function deflatedDenseOperator(g: CsrGraph, mass: Float64Array): { s: Float64Array; shift: number } {
  const n = g.n;
  const s = new Float64Array(n * n);
  const deg = weightedDegrees(g);
  let total = 0;
  for (let i = 0; i < n; i++) total += mass[i];
  let shift = 1;
  for (let i = 0; i < n; i++) shift = Math.max(shift, (4 * deg[i]) / mass[i] + 1); // > 2·max row sum ≥ λ_max
  for (let i = 0; i < n; i++) {
    const ri = 1 / Math.sqrt(mass[i]);
    s[i * n + i] += deg[i] * ri * ri;
    for (let p = g.offsets[i]; p < g.offsets[i + 1]; p++) {
      const j = g.adjacency[p];
      s[i * n + j] -= (g.weights[p] * ri) / Math.sqrt(mass[j]);
    }
  }
  for (let i = 0; i < n; i++) {
    const yi = Math.sqrt(mass[i] / total);
    for (let j = 0; j < n; j++) s[i * n + j] += shift * yi * Math.sqrt(mass[j] / total);
  }
  return { s, shift };
}
