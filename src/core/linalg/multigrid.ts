/**
 * An aggregation multigrid preconditioner for M = L + σW (L a graph Laplacian, W the diagonal node masses,
 * σ > 0 small): y ≈ M⁻¹ r. Each level is smoothed by one symmetric Gauss–Seidel sweep (forward before the
 * coarse correction, backward after); the coarse correction is a K-cycle (Notay & Vassilevski 2008): two
 * coarse cycles combined by one step of flexible CG, which corrects the poor scaling of piecewise-constant
 * prolongation that leaves plain V- or W-cycles near 0.5 per cycle. The coarsest level is factorised by
 * Cholesky. Work buffers are allocated once per level: the cycle itself allocates nothing.
 */
import type { CsrGraph } from '../polytope/types';
import { laplacianTimes, weightedDegrees } from './graph-laplacian';

export interface AggregationLevel {
  g: CsrGraph;
  mass: Float64Array;
  /** Aggregate (node of the next coarser level) of each node; absent at the coarsest level. */
  aggregate?: Int32Array;
}

/** The K-cycle skips its second coarse cycle when the first left less than this share of the residual. */
const KCYCLE_SKIP = 0.25;

interface LevelWork {
  g: CsrGraph;
  mass: Float64Array;
  aggregate?: Int32Array;
  deg: Float64Array;
  /** Diagonal of M = L + σW. */
  diag: Float64Array;
  /** Residual scratch of the cycle, then the K-cycle's vectors v = M c₁, r₂, d, w = M d. */
  t: Float64Array;
  v: Float64Array;
  r2: Float64Array;
  d: Float64Array;
  w: Float64Array;
  /** Restricted residual and coarse correction, sized for the next level (empty at the coarsest). */
  rc: Float64Array;
  xc: Float64Array;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Lower Cholesky factor of the dense n × n matrix `a` (row-major, overwritten). */
function cholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = a[i * n + j];
      for (let k = 0; k < j; k++) v -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = v / ljj;
    }
  }
}

/** Solves C Cᵀ y = r with the lower factor C, in `y`. */
function choleskySolve(c: Float64Array, n: number, r: Float64Array, y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let v = r[i];
    for (let k = 0; k < i; k++) v -= c[i * n + k] * y[k];
    y[i] = v / c[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < n; k++) v -= c[k * n + i] * y[k];
    y[i] = v / c[i * n + i];
  }
}

/**
 * Gauss–Seidel sweeps on M x = r, in place: x_i ← (r_i + Σ_j w_ij x_j) / M_ii, over i ascending (forward)
 * or descending (backward). The two are each other's adjoints, so the cycle stays a symmetric operator.
 */
function forwardSweep(g: CsrGraph, diag: Float64Array, r: Float64Array, x: Float64Array): void {
  const { offsets, adjacency, weights } = g;
  for (let i = 0; i < g.n; i++) {
    let s = r[i];
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) s += weights[p] * x[adjacency[p]];
    x[i] = s / diag[i];
  }
}

function backwardSweep(g: CsrGraph, diag: Float64Array, r: Float64Array, x: Float64Array): void {
  const { offsets, adjacency, weights } = g;
  for (let i = g.n - 1; i >= 0; i--) {
    let s = r[i];
    for (let p = offsets[i], end = offsets[i + 1]; p < end; p++) s += weights[p] * x[adjacency[p]];
    x[i] = s / diag[i];
  }
}

export class AggregationMultigrid {
  private readonly levels: LevelWork[];
  private readonly chol: Float64Array;

  constructor(
    hierarchy: AggregationLevel[],
    private readonly sigma: number,
  ) {
    this.levels = hierarchy.map((h, l) => {
      const n = h.g.n;
      const deg = weightedDegrees(h.g);
      const nc = l + 1 < hierarchy.length ? hierarchy[l + 1].g.n : 0;
      return {
        ...h,
        deg,
        diag: deg.map((d, i) => d + sigma * h.mass[i]), // M_ii = deg_i + σ w_i
        t: new Float64Array(n),
        v: new Float64Array(n),
        r2: new Float64Array(n),
        d: new Float64Array(n),
        w: new Float64Array(n),
        rc: new Float64Array(nc),
        xc: new Float64Array(nc),
      };
    });
    const coarse = this.levels[this.levels.length - 1];
    const nc = coarse.g.n;
    this.chol = new Float64Array(nc * nc);
    for (let i = 0; i < nc; i++) {
      this.chol[i * nc + i] = coarse.diag[i];
      for (let p = coarse.g.offsets[i]; p < coarse.g.offsets[i + 1]; p++)
        this.chol[i * nc + coarse.g.adjacency[p]] -= coarse.g.weights[p];
    }
    cholesky(this.chol, nc); // SPD for σ > 0
  }

  /** out ≈ M⁻¹ r on `level` of the hierarchy (0: the finest); `out` must not alias `r`. */
  apply(level: number, r: Float64Array, out: Float64Array): void {
    this.cycle(level, r, out);
  }

  /** out = M x on level l: L x + σ W x. */
  private mTimes(l: number, x: Float64Array, out: Float64Array): void {
    const lv = this.levels[l];
    laplacianTimes(lv.g, lv.deg, x, out);
    for (let i = 0; i < x.length; i++) out[i] += this.sigma * lv.mass[i] * x[i];
  }

  /** x ≈ M⁻¹ r: pre-smoothing, restriction of the residual, K-cycle on the next level, prolongation, post-smoothing. */
  private cycle(l: number, r: Float64Array, x: Float64Array): void {
    const lv = this.levels[l];
    if (l === this.levels.length - 1) {
      choleskySolve(this.chol, lv.g.n, r, x);
      return;
    }
    const agg = lv.aggregate!;
    const { t, rc, xc } = lv;
    const n = r.length;
    x.fill(0);
    forwardSweep(lv.g, lv.diag, r, x);
    this.mTimes(l, x, t);
    rc.fill(0);
    for (let i = 0; i < n; i++) rc[agg[i]] += r[i] - t[i]; // restriction Pᵀ: sum over each aggregate
    if (l + 1 === this.levels.length - 1) this.cycle(l + 1, rc, xc);
    else this.kCycle(l + 1, rc, xc);
    for (let i = 0; i < n; i++) x[i] += xc[agg[i]]; // prolongation P: the aggregate's value
    backwardSweep(lv.g, lv.diag, r, x);
  }

  /**
   * x ≈ M⁻¹ b by two cycles and one flexible-CG step: c₁ = B b, ρ₁ = c₁ᵀMc₁, α₁ = c₁ᵀb, r₂ = b − (α₁/ρ₁) M c₁;
   * d = B r₂, γ = dᵀMc₁, β = dᵀMd, α₂ = dᵀr₂, ρ₂ = β − γ²/ρ₁; x = (α₁/ρ₁ − γα₂/(ρ₁ρ₂)) c₁ + (α₂/ρ₂) d.
   */
  private kCycle(l: number, b: Float64Array, x: Float64Array): void {
    const { v, r2, d, w } = this.levels[l];
    const n = b.length;
    this.cycle(l, b, x);
    this.mTimes(l, x, v);
    const rho1 = dot(x, v);
    if (!(rho1 > 0)) return; // b = 0: x = 0 already
    const a1 = dot(x, b) / rho1;
    for (let i = 0; i < n; i++) r2[i] = b[i] - a1 * v[i];
    if (dot(r2, r2) <= KCYCLE_SKIP ** 2 * dot(b, b)) {
      for (let i = 0; i < n; i++) x[i] *= a1;
      return;
    }
    this.cycle(l, r2, d);
    this.mTimes(l, d, w);
    const gamma = dot(d, v);
    const a2 = dot(d, r2);
    const rho2 = dot(d, w) - (gamma * gamma) / rho1;
    if (!(rho2 > 0)) {
      for (let i = 0; i < n; i++) x[i] *= a1; // d adds nothing beyond c₁
      return;
    }
    const f1 = a1 - (gamma * a2) / (rho1 * rho2);
    const f2 = a2 / rho2;
    for (let i = 0; i < n; i++) x[i] = f1 * x[i] + f2 * d[i];
  }
}
