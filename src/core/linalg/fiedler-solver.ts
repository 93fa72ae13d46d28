/**
 * The Fiedler pair of a connected weighted graph for the generalised problem L x = λ W x (W diagonal, the
 * node masses): λ₂, λ₃ and the vector of λ₂. Small graphs: a dense solve of the deflated symmetric form.
 * Large graphs: a multilevel start (heavy-edge-matching coarsening that sums masses, a dense solve at the
 * coarsest level, prolongation) refined by LOBPCG with a Jacobi preconditioner at every level.
 */
import type { CsrGraph } from '../polytope/types';
import { smallestEigenpairs } from './dense-eigen';
import { deflatedDenseOperator, laplacianTimes, weightedDegrees } from './graph-laplacian';

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

function wDot(a: Float64Array, b: Float64Array, mass: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i] * mass[i];
  return s;
}

/** Removes the W-projection on the constant vector: x ← x − (1ᵀWx / 1ᵀW1)·1. */
function deflateConstant(x: Float64Array, mass: Float64Array, total: number): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * mass[i];
  const c = s / total;
  for (let i = 0; i < x.length; i++) x[i] -= c;
}

function relativeResidual(
  g: CsrGraph,
  deg: Float64Array,
  mass: Float64Array,
  x: Float64Array,
  lam: number,
): number {
  const lx = new Float64Array(g.n);
  laplacianTimes(g, deg, x, lx);
  let r = 0;
  for (let i = 0; i < g.n; i++) {
    const d = lx[i] - lam * mass[i] * x[i];
    r += (d * d) / mass[i];
  }
  return Math.sqrt(r) / Math.max(Math.abs(lam), 1e-300);
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

interface Level {
  g: CsrGraph;
  mass: Float64Array;
  /** Aggregate (node of the next coarser level) of each node. */
  aggregate?: Int32Array;
}

/** One level of heavy-edge matching: each node pairs with its heaviest unmatched neighbour. */
function coarsen(level: Level): Level | null {
  const { g, mass } = level;
  const n = g.n;
  const agg = new Int32Array(n).fill(-1);
  let m = 0;
  // Visit light nodes first: they have the fewest choices.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => g.offsets[a + 1] - g.offsets[a] - (g.offsets[b + 1] - g.offsets[b]) || a - b,
  );
  for (const u of order) {
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

/** B-orthonormalises the vectors against `fixed` (already W-orthonormal) and each other; drops dependent ones. */
function orthonormalise(vs: Float64Array[], fixed: Float64Array[], mass: Float64Array): Float64Array[] {
  const out: Float64Array[] = [];
  for (const v of vs) {
    const before = Math.sqrt(wDot(v, v, mass));
    if (!(before > 0)) continue;
    let norm = before;
    // Gram–Schmidt, repeated only when cancellation lost more than half the norm ("twice is enough").
    for (let pass = 0; pass < 2; pass++) {
      const start = norm;
      for (const q of [...fixed, ...out]) {
        const c = wDot(q, v, mass);
        for (let i = 0; i < v.length; i++) v[i] -= c * q[i];
      }
      norm = Math.sqrt(wDot(v, v, mass));
      if (norm > 0.5 * start) break;
    }
    if (!(norm > 1e-10 * before)) continue;
    for (let i = 0; i < v.length; i++) v[i] /= norm;
    out.push(v);
  }
  return out;
}

/**
 * LOBPCG for the 2 smallest pairs of L x = λ W x orthogonal to the constants, from the start block `x`.
 * Returns the refined block, its Ritz values and the relative residual of the first vector.
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
  for (const v of x) deflateConstant(v, mass, total);
  let X = orthonormalise(x, [], mass);
  let P: Float64Array[] = [];
  let values: number[] = [];
  let residual = Infinity;
  for (let it = 0; it <= maxIterations; it++) {
    // Rayleigh–Ritz on the span of [X, preconditioned residuals, previous directions].
    const R: Float64Array[] = [];
    const lam: number[] = [];
    const AX: Float64Array[] = [];
    let res0 = Infinity;
    X.forEach((v, k) => {
      const ax = new Float64Array(n);
      laplacianTimes(g, deg, v, ax);
      AX.push(ax);
      const l = dotPlain(v, ax); // Rayleigh quotient; xᵀWx = 1
      lam.push(l);
      const r = new Float64Array(n);
      let rn = 0;
      for (let i = 0; i < n; i++) {
        const d = ax[i] - l * mass[i] * v[i]; // r = L x − λ W x
        rn += (d * d) / mass[i];
        r[i] = d;
      }
      if (k === 0) res0 = Math.sqrt(rn) / Math.max(Math.abs(l), 1e-300);
      R.push(r);
    });
    values = lam;
    residual = res0;
    if (res0 <= tolerance || it === maxIterations) break;
    onIteration?.();
    const Z = R.map(precondition);
    for (const z of Z) deflateConstant(z, mass, total);
    const basis = [...X, ...orthonormalise([...Z, ...P], X, mass)];
    const k = basis.length;
    const ab = basis.map((v, j) => {
      if (j < X.length) return AX[j]; // X leads the basis unchanged: its images are known
      const o = new Float64Array(n);
      laplacianTimes(g, deg, v, o);
      return o;
    });
    const gram = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = i; j < k; j++) {
        const v = dotPlain(basis[i], ab[j]);
        gram[i * k + j] = v;
        gram[j * k + i] = v;
      }
    }
    const b = X.length;
    const { vectors } = smallestEigenpairs(gram, k, b);
    const nextX: Float64Array[] = [];
    const nextP: Float64Array[] = [];
    for (const c of vectors) {
      const xn = new Float64Array(n);
      const pn = new Float64Array(n);
      for (let j = 0; j < k; j++) {
        const cj = c[j];
        if (cj === 0) continue;
        const bj = basis[j];
        if (j < b) for (let i = 0; i < n; i++) xn[i] += cj * bj[i];
        else
          for (let i = 0; i < n; i++) {
            xn[i] += cj * bj[i];
            pn[i] += cj * bj[i];
          }
      }
      nextX.push(xn);
      nextP.push(pn);
    }
    X = orthonormalise(nextX, [], mass);
    P = nextP;
  }
  return { x: X, values, residual };
}

function dotPlain(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * A symmetric V-cycle for M = L + σW over the aggregation hierarchy (damped Jacobi smoothing, a dense
 * factorisation at the coarsest level): the preconditioner that keeps LOBPCG's iteration count flat in n.
 */
function vCyclePreconditioner(
  levels: Level[],
  sigma: number,
): (from: number) => (r: Float64Array) => Float64Array {
  const degs = levels.map((lv) => weightedDegrees(lv.g));
  const diag = levels.map((lv, l) => lv.mass.map((m, i) => degs[l][i] + sigma * m));
  const last = levels.length - 1;
  const coarse = levels[last];
  const nc = coarse.g.n;
  // Coarsest M = Lc + σWc by Cholesky (SPD for σ > 0).
  const chol = new Float64Array(nc * nc);
  for (let i = 0; i < nc; i++) {
    chol[i * nc + i] = diag[last][i];
    for (let p = coarse.g.offsets[i]; p < coarse.g.offsets[i + 1]; p++)
      chol[i * nc + coarse.g.adjacency[p]] -= coarse.g.weights[p];
  }
  for (let j = 0; j < nc; j++) {
    let d = chol[j * nc + j];
    for (let k = 0; k < j; k++) d -= chol[j * nc + k] ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    chol[j * nc + j] = ljj;
    for (let i = j + 1; i < nc; i++) {
      let v = chol[i * nc + j];
      for (let k = 0; k < j; k++) v -= chol[i * nc + k] * chol[j * nc + k];
      chol[i * nc + j] = v / ljj;
    }
  }
  const coarseSolve = (r: Float64Array): Float64Array => {
    const y = Float64Array.from(r);
    for (let i = 0; i < nc; i++) {
      let v = y[i];
      for (let k = 0; k < i; k++) v -= chol[i * nc + k] * y[k];
      y[i] = v / chol[i * nc + i];
    }
    for (let i = nc - 1; i >= 0; i--) {
      let v = y[i];
      for (let k = i + 1; k < nc; k++) v -= chol[k * nc + i] * y[k];
      y[i] = v / chol[i * nc + i];
    }
    return y;
  };
  const omega = 2 / 3;
  const mTimes = (l: number, x: Float64Array, out: Float64Array): void => {
    laplacianTimes(levels[l].g, degs[l], x, out);
    const m = levels[l].mass;
    for (let i = 0; i < x.length; i++) out[i] += sigma * m[i] * x[i];
  };
  const cycle = (l: number, r: Float64Array): Float64Array => {
    if (l === last) return coarseSolve(r);
    const n = r.length;
    const d = diag[l];
    const x = new Float64Array(n);
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (omega * r[i]) / d[i]; // pre-smoothing from x = 0
    mTimes(l, x, t);
    const agg = levels[l].aggregate!;
    const rc = new Float64Array(levels[l + 1].g.n);
    for (let i = 0; i < n; i++) rc[agg[i]] += r[i] - t[i]; // restriction Pᵀ: sum over each aggregate
    const xc = cycle(l + 1, rc);
    if (l + 1 < last) {
      // W-cycle: a second coarse correction on what the first left (aggregates of ~4 keep it O(n)).
      const tc = new Float64Array(rc.length);
      mTimes(l + 1, xc, tc);
      for (let i = 0; i < rc.length; i++) tc[i] = rc[i] - tc[i];
      const xc2 = cycle(l + 1, tc);
      for (let i = 0; i < rc.length; i++) xc[i] += xc2[i];
    }
    for (let i = 0; i < n; i++) x[i] += xc[agg[i]]; // prolongation P
    mTimes(l, x, t);
    for (let i = 0; i < n; i++) x[i] += (omega * (r[i] - t[i])) / d[i]; // post-smoothing
    return x;
  };
  return (from) => (r) => cycle(from, r);
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
  const precondition = vCyclePreconditioner(levels, Math.max(start.lambda2, 1e-12));
  let result = {
    x: [start.vector, start.vector3 ?? start.vector.map((_, i) => Math.sin(i + 1))],
    values: [start.lambda2, start.lambda3],
    residual: start.residual,
  };
  for (let l = levels.length - 2; l >= -1; l--) {
    const level = Math.max(l, 0);
    const block =
      l >= 0 ? result.x.map((v) => Float64Array.from(levels[l].aggregate!, (a) => v[a])) : result.x; // prolong
    if (l < 0 && levels.length > 1) break;
    const finest = level === 0;
    result = lobpcg(
      levels[level],
      block,
      precondition(level),
      finest ? tolerance : 1e-4,
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
