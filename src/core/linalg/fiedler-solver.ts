/**
 * The Fiedler pair of a connected weighted graph for the generalised problem L x = λ W x (W diagonal, the
 * node masses): λ₂, λ₃ and the vector of λ₂. Small graphs: a dense solve of the deflated symmetric form.
 * Large graphs: a multilevel start (heavy-edge-matching coarsening that sums masses, a dense solve at the
 * coarsest level, prolongation) refined by LOBPCG at every level, preconditioned by an aggregation multigrid
 * K-cycle on the same hierarchy (multigrid.ts).
 */
import type { CsrGraph } from '../polytope/types';
import { smallestEigenpairs } from './dense-eigen';
import { deflatedDenseOperator, laplacianTimes, weightedDegrees } from './graph-laplacian';
import { AggregationMultigrid, type AggregationLevel } from './multigrid';

export interface FiedlerSolution {
  lambda2: number;
  /** NaN when the graph has fewer than three nodes. */
  lambda3: number;
  /** W-normalised (xᵀWx = 1) and W-orthogonal to the constant vector. */
  vector: Float64Array;
  /** ‖W^-½(L x − λ₂ W x)‖ / λ₂: the relative residual of the symmetric form. */
  residual: number;
  solver: 'dense' | 'multilevel';
}

export interface FiedlerOptions {
  /** Graphs up to this many nodes are solved densely (default 600). */
  denseLimit?: number;
  /** Relative residual the finest level is refined to (default 1e-5; the error of λ₂ is of its square). */
  tolerance?: number;
  maxIterations?: number;
  /** Called between LOBPCG iterations (progress and cancellation). */
  onIteration?: () => void;
}

/** Size of the coarsest level, solved densely. */
const COARSE_SIZE = 300;
/** σ of the preconditioner M = L + σW, as a share of the coarsest level's λ₂. */
const SHIFT_FRACTION = 1e-3;
/**
 * Relative residual the intermediate levels stop at: prolongation to the next level raises it above 1
 * again, and the finest level's iteration count does not depend on how far below that they went.
 */
const COARSE_TOLERANCE = 0.1;

function relativeResidual(
  g: CsrGraph,
  deg: Float64Array,
  mass: Float64Array,
  x: Float64Array,
  lam: number,
): number {
  const lx = new Float64Array(g.n);
  laplacianTimes(g, deg, x, lx);
  return residualOf(lx, x, lam, mass, new Float64Array(g.n)) / Math.max(Math.abs(lam), 1e-300);
}

/** Dense solve of the two smallest non-trivial pairs; `vector3` (λ₃'s vector) seeds the multilevel block. */
export function fiedlerDense(g: CsrGraph, mass: Float64Array): FiedlerSolution & { vector3?: Float64Array } {
  const n = g.n;
  if (n < 2) return { lambda2: NaN, lambda3: NaN, vector: new Float64Array(n), residual: 0, solver: 'dense' };
  const { s } = deflatedDenseOperator(g, mass);
  const k = Math.min(2, n - 1);
  const { values, vectors } = smallestEigenpairs(s, n, k);
  const toX = (y: Float64Array): Float64Array => y.map((v, i) => v / Math.sqrt(mass[i])); // x = W^-½ y
  const vector = toX(vectors[0]);
  const deg = weightedDegrees(g);
  return {
    lambda2: values[0],
    lambda3: k > 1 ? values[1] : NaN,
    vector,
    vector3: k > 1 ? toX(vectors[1]) : undefined,
    residual: relativeResidual(g, deg, mass, vector, values[0]),
    solver: 'dense',
  };
}

type Level = AggregationLevel;

/**
 * Nodes by ascending degree, ties by index (a stable counting sort): light nodes are matched first, as
 * they have the fewest choices.
 */
function byDegree(g: CsrGraph): Int32Array {
  let maxDegree = 0;
  for (let i = 0; i < g.n; i++) maxDegree = Math.max(maxDegree, g.offsets[i + 1] - g.offsets[i]);
  const start = new Int32Array(maxDegree + 2);
  for (let i = 0; i < g.n; i++) start[g.offsets[i + 1] - g.offsets[i] + 1]++;
  for (let d = 1; d < start.length; d++) start[d] += start[d - 1];
  const order = new Int32Array(g.n);
  for (let i = 0; i < g.n; i++) order[start[g.offsets[i + 1] - g.offsets[i]]++] = i;
  return order;
}

/** One level of heavy-edge matching: each node pairs with its heaviest unmatched neighbour. */
function coarsen(level: Level): Level | null {
  const { g, mass } = level;
  const n = g.n;
  const agg = new Int32Array(n).fill(-1);
  let m = 0;
  for (const u of byDegree(g)) {
    if (agg[u] >= 0) continue;
    let best = -1;
    let bestW = -Infinity;
    for (let p = g.offsets[u]; p < g.offsets[u + 1]; p++) {
      const v = g.adjacency[p];
      if (v === u || agg[v] >= 0) continue;
      const w = g.weights[p] / (mass[u] + mass[v]); // heavy edge, preferring light pairs so masses stay even
      if (w > bestW) {
        bestW = w;
        best = v;
      }
    }
    agg[u] = m;
    if (best >= 0) agg[best] = m;
    m++;
  }
  if (m > 0.95 * n) return null;
  const cmass = new Float64Array(m);
  for (let i = 0; i < n; i++) cmass[agg[i]] += mass[i];
  // Members of each aggregate, then its summed edges to other aggregates (a marker array per row).
  const first = new Int32Array(m).fill(-1);
  const nextMember = new Int32Array(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    nextMember[i] = first[agg[i]];
    first[agg[i]] = i;
  }
  const offsets = new Uint32Array(m + 1);
  const adj: number[] = [];
  const wts: number[] = [];
  const slot = new Int32Array(m).fill(-1);
  for (let c = 0; c < m; c++) {
    const start = adj.length;
    for (let u = first[c]; u >= 0; u = nextMember[u]) {
      for (let p = g.offsets[u]; p < g.offsets[u + 1]; p++) {
        const cv = agg[g.adjacency[p]];
        if (cv === c) continue;
        if (slot[cv] < 0) {
          slot[cv] = adj.length;
          adj.push(cv);
          wts.push(g.weights[p]);
        } else {
          wts[slot[cv]] += g.weights[p];
        }
      }
    }
    for (let q = start; q < adj.length; q++) slot[adj[q]] = -1;
    offsets[c + 1] = adj.length;
  }
  level.aggregate = agg;
  return {
    g: { n: m, offsets, adjacency: Uint32Array.from(adj), weights: Float64Array.from(wts) },
    mass: cmass,
  };
}

/** Two rounds of pairwise matching: aggregates of about four nodes per level. */
function coarsenTwice(level: Level): Level | null {
  const once = coarsen(level);
  if (!once || once.g.n <= COARSE_SIZE) return once;
  const twice = coarsen(once);
  if (!twice) return once;
  level.aggregate = level.aggregate!.map((a) => once.aggregate![a]);
  return twice;
}

/** c_j = q_jᵀ W v for every q_j (one plain loop per q: V8 keeps those tight); returns vᵀWv. */
function wDotsAndNorm(qs: Float64Array[], v: Float64Array, mass: Float64Array, c: Float64Array): number {
  let nn = 0;
  for (let i = 0; i < v.length; i++) nn += mass[i] * v[i] * v[i];
  for (let j = 0; j < qs.length; j++) c[j] = wDot(qs[j], v, mass);
  return nn;
}

/** v ← v − Σ_j c_j q_j; returns the new vᵀWv. */
function subtractAndNorm(qs: Float64Array[], c: Float64Array, v: Float64Array, mass: Float64Array): number {
  for (let j = 0; j < qs.length; j++) {
    const q = qs[j];
    const cj = c[j];
    for (let i = 0; i < v.length; i++) v[i] -= cj * q[i];
  }
  let nn = 0;
  for (let i = 0; i < v.length; i++) nn += mass[i] * v[i] * v[i];
  return nn;
}

function wDot(a: Float64Array, b: Float64Array, mass: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i] * mass[i];
  return s;
}

/**
 * W-orthonormalises the vectors (in place) against `fixed` (already W-orthonormal) and each other; drops
 * dependent ones. Classical Gram–Schmidt (all coefficients first, then one subtraction), repeated when
 * cancellation left less than 1/√2 of the norm (the DGKS criterion; twice is enough).
 */
function orthonormalise(vs: Float64Array[], fixed: Float64Array[], mass: Float64Array): Float64Array[] {
  const out: Float64Array[] = [];
  const c = new Float64Array(fixed.length + vs.length);
  for (const v of vs) {
    const qs = [...fixed, ...out];
    const before = Math.sqrt(wDotsAndNorm(qs, v, mass, c));
    if (!(before > 0)) continue;
    let norm = Math.sqrt(subtractAndNorm(qs, c, v, mass));
    if (norm < Math.SQRT1_2 * before) {
      wDotsAndNorm(qs, v, mass, c);
      norm = Math.sqrt(subtractAndNorm(qs, c, v, mass));
    }
    if (!(norm > 1e-10 * before)) continue;
    for (let i = 0; i < v.length; i++) v[i] /= norm;
    out.push(v);
  }
  return out;
}

/** G = Sᵀ(L S) for the basis S and its images L S (symmetric). */
function projectedMatrix(basis: Float64Array[], images: Float64Array[]): Float64Array {
  const k = basis.length;
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) gram[i * k + j] = gram[j * k + i] = dotPlain(basis[i], images[j]);
  }
  return gram;
}

/**
 * The Ritz vector x = S c and its direction p = Σ_{j ≥ b} c_j S_j (the part outside the old block X, the
 * first b columns of S).
 */
function ritzVector(basis: Float64Array[], c: Float64Array, b: number): { x: Float64Array; p: Float64Array } {
  const n = basis[0].length;
  const x = new Float64Array(n);
  const p = new Float64Array(n);
  for (let j = b; j < basis.length; j++) {
    const cj = c[j];
    const s = basis[j];
    for (let i = 0; i < n; i++) p[i] += cj * s[i];
  }
  x.set(p);
  for (let j = 0; j < b; j++) {
    const cj = c[j];
    const s = basis[j];
    for (let i = 0; i < n; i++) x[i] += cj * s[i];
  }
  return { x, p };
}

/** r = L x − λ W x from the image `lx` = L x; returns ‖W^-½ r‖. */
function residualOf(
  lx: Float64Array,
  x: Float64Array,
  lam: number,
  mass: Float64Array,
  r: Float64Array,
): number {
  let rn = 0;
  for (let i = 0; i < x.length; i++) {
    const d = lx[i] - lam * mass[i] * x[i];
    rn += (d * d) / mass[i];
    r[i] = d;
  }
  return Math.sqrt(rn);
}

/**
 * LOBPCG for the 2 smallest pairs of L x = λ W x orthogonal to the constants, from the start block `x`.
 * Stops when every vector's relative residual is at most `tolerance`; a converged vector's residual and
 * direction leave the search basis while the vector stays in the Rayleigh–Ritz block. Returns the refined
 * block, its Ritz values and the relative residual of the first vector.
 */
function lobpcg(
  level: Level,
  x: Float64Array[],
  precondition: (r: Float64Array) => Float64Array,
  tolerance: number,
  maxIterations: number,
  onIteration?: () => void,
): { x: Float64Array[]; values: number[]; residual: number } {
  const { g, mass } = level;
  const n = g.n;
  const deg = weightedDegrees(g);
  let total = 0;
  for (let i = 0; i < n; i++) total += mass[i];
  const constant = new Float64Array(n).fill(1 / Math.sqrt(total)); // W-unit null vector of L
  let X = orthonormalise(x, [constant], mass);
  let P: Float64Array[] = [];
  let values: number[] = [];
  let residual = Infinity;
  for (let it = 0; it <= maxIterations; it++) {
    // Rayleigh–Ritz on the span of [X, preconditioned residuals, previous directions].
    const R: Float64Array[] = [];
    const lam: number[] = [];
    const AX: Float64Array[] = [];
    const relative: number[] = [];
    for (const v of X) {
      const ax = new Float64Array(n);
      laplacianTimes(g, deg, v, ax);
      const l = dotPlain(v, ax); // Rayleigh quotient; xᵀWx = 1
      const r = new Float64Array(n);
      AX.push(ax);
      lam.push(l);
      relative.push(residualOf(ax, v, l, mass, r) / Math.max(Math.abs(l), 1e-300)); // ‖W^-½ r‖ / λ
      R.push(r);
    }
    values = lam;
    residual = relative[0];
    // Both pairs must converge: λ₃ is reported too (the gap ratio).
    if (Math.max(...relative) <= tolerance || it === maxIterations) break;
    onIteration?.();
    // A converged vector stays in the block, but its residual and direction leave the search (locking).
    const active = (_: unknown, k: number) => relative[k] > tolerance;
    const Z = orthonormalise(R.filter(active).map(precondition), [constant, ...X], mass);
    // P and the Ritz vectors are combinations of constant-free vectors: no need to deflate them again.
    const basis = [...X, ...Z, ...orthonormalise(P.filter(active), [...X, ...Z], mass)];
    const ab = basis.map((v, j) => {
      if (j < X.length) return AX[j]; // X leads the basis unchanged: its images are known
      const o = new Float64Array(n);
      laplacianTimes(g, deg, v, o);
      return o;
    });
    const k = basis.length;
    const b = X.length;
    const { vectors } = smallestEigenpairs(projectedMatrix(basis, ab), k, b);
    const next = vectors.map((c) => ritzVector(basis, c, b));
    X = orthonormalise(
      next.map((r) => r.x),
      [],
      mass,
    );
    P = next.map((r) => r.p);
  }
  return { x: X, values, residual };
}

function dotPlain(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Prolongation P v: each node takes its aggregate's value. */
function prolong(coarse: Float64Array, aggregate: Int32Array): Float64Array {
  const fine = new Float64Array(aggregate.length);
  for (let i = 0; i < fine.length; i++) fine[i] = coarse[aggregate[i]];
  return fine;
}

/** Multilevel Fiedler solve (any size; used above the dense limit). */
export function fiedlerMultilevel(
  g: CsrGraph,
  mass: Float64Array,
  opts: FiedlerOptions = {},
): FiedlerSolution {
  const tolerance = opts.tolerance ?? 1e-5;
  const maxIterations = opts.maxIterations ?? 300;
  const levels: Level[] = [{ g, mass }];
  while (levels[levels.length - 1].g.n > COARSE_SIZE) {
    const next = coarsenTwice(levels[levels.length - 1]);
    if (!next) break;
    levels.push(next);
  }
  const coarsest = levels[levels.length - 1];
  const start = fiedlerDense(coarsest.g, coarsest.mass);
  // σ well below the fine λ₂ (the coarse λ₂ only bounds it from above), so M⁻¹ acts like L⁺ on the low modes.
  const multigrid = new AggregationMultigrid(levels, Math.max(start.lambda2 * SHIFT_FRACTION, 1e-15));
  const precondition = (level: number) => (r: Float64Array) => {
    const z = new Float64Array(r.length);
    multigrid.apply(level, r, z);
    return z;
  };
  let result = {
    x: [start.vector, start.vector3 ?? start.vector.map((_, i) => Math.sin(i + 1))],
    values: [start.lambda2, start.lambda3],
    residual: start.residual,
  };
  for (let l = levels.length - 2; l >= -1; l--) {
    const level = Math.max(l, 0);
    const block = l >= 0 ? result.x.map((v) => prolong(v, levels[l].aggregate!)) : result.x;
    if (l < 0 && levels.length > 1) break;
    const finest = level === 0;
    result = lobpcg(
      levels[level],
      block,
      precondition(level),
      finest ? tolerance : COARSE_TOLERANCE,
      finest ? maxIterations : 8,
      opts.onIteration,
    );
  }
  const order = result.values[1] < result.values[0] ? [1, 0] : [0, 1];
  const vector = result.x[order[0]];
  const lambda2 = result.values[order[0]];
  return {
    lambda2,
    lambda3: result.values[order[1]] ?? NaN,
    vector,
    residual: relativeResidual(g, weightedDegrees(g), mass, vector, lambda2),
    solver: 'multilevel',
  };
}

/** Dense below `denseLimit` nodes, multilevel above. */
export function solveFiedler(g: CsrGraph, mass: Float64Array, opts: FiedlerOptions = {}): FiedlerSolution {
  if (g.n <= (opts.denseLimit ?? 600)) return fiedlerDense(g, mass);
  return fiedlerMultilevel(g, mass, opts);
}
