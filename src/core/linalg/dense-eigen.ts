/**
 * The few smallest eigenpairs of a dense symmetric matrix: Householder tridiagonalisation (reflectors kept,
 * never accumulated), Sturm-sequence bisection for the eigenvalues, inverse iteration on the tridiagonal
 * for the vectors, and the reflectors applied back. About (4/3)·n³ flops: the Fiedler vector needs two or
 * three pairs, so the n³ cost of accumulating the full eigenbasis is never paid.
 */

export interface Eigenpairs {
  /** Ascending eigenvalues. */
  values: Float64Array;
  /** Unit eigenvectors, one per value. */
  vectors: Float64Array[];
}

interface Tridiagonal {
  d: Float64Array;
  /** e[i] couples i and i + 1 (length n − 1). */
  e: Float64Array;
  /** Unit Householder vectors; reflector k acts on components k + 1 … n − 1 (null: identity). */
  reflectors: (Float64Array | null)[];
}

/** A = Q T Qᵀ with Q = H₀ H₁ … H_{n−3}, each H_k = I − 2 v vᵀ. `a` (n × n, row-major) is overwritten. */
function tridiagonalise(a: Float64Array, n: number): Tridiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const reflectors: (Float64Array | null)[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1;
    const v = new Float64Array(m);
    let norm2 = 0;
    for (let i = 0; i < m; i++) {
      v[i] = a[(k + 1 + i) * n + k];
      norm2 += v[i] * v[i];
    }
    const norm = Math.sqrt(norm2);
    d[k] = a[k * n + k];
    if (norm === 0) {
      e[k] = 0;
      reflectors.push(null);
      continue;
    }
    const alpha = v[0] > 0 ? -norm : norm; // x − α e₁ without cancellation
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < m; i++) vv += v[i] * v[i];
    const inv = 1 / Math.sqrt(vv);
    for (let i = 0; i < m; i++) v[i] *= inv;
    e[k] = alpha;
    // Trailing block A₂₂ ← H A₂₂ H: p = 2 A₂₂ v, q = p − (vᵀp) v, A₂₂ ← A₂₂ − v qᵀ − q vᵀ.
    let vp = 0;
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      let s = 0;
      for (let j = 0; j < m; j++) s += a[row + j] * v[j];
      p[i] = 2 * s;
      vp += v[i] * p[i];
    }
    for (let i = 0; i < m; i++) p[i] -= vp * v[i];
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i];
      const pi = p[i];
      for (let j = 0; j < m; j++) a[row + j] -= vi * p[j] + pi * v[j];
    }
    reflectors.push(v);
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1];
  return { d, e, reflectors };
}

/** Number of eigenvalues of T below x (Sturm sequence). */
function countBelow(d: Float64Array, e: Float64Array, x: number, pivmin: number): number {
  let count = 0;
  let q = d[0] - x;
  if (Math.abs(q) < pivmin) q = -pivmin;
  if (q < 0) count++;
  for (let i = 1; i < d.length; i++) {
    q = d[i] - x - (e[i - 1] * e[i - 1]) / q;
    if (Math.abs(q) < pivmin) q = -pivmin;
    if (q < 0) count++;
  }
  return count;
}

/** The j-th smallest eigenvalue of T (j from 0) by bisection to full precision. */
function bisect(d: Float64Array, e: Float64Array, j: number, lo: number, hi: number, pivmin: number): number {
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (countBelow(d, e, mid, pivmin) > j) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Solves (T − μI) x = b in place by Gaussian elimination with partial pivoting on the band (inverse
 * iteration's step); zero pivots are nudged to a tiny value so an exact eigenvalue still gives a direction.
 */
function solveShifted(d: Float64Array, e: Float64Array, mu: number, b: Float64Array, tiny: number): void {
  const n = d.length;
  const u0 = new Float64Array(n);
  const u1 = new Float64Array(n);
  const u2 = new Float64Array(n);
  const mult = new Float64Array(n);
  const swapped = new Uint8Array(n);
  for (let i = 0; i < n; i++) u0[i] = d[i] - mu;
  for (let i = 0; i + 1 < n; i++) u1[i] = e[i];
  // Row i holds (u0[i], u1[i], u2[i]) in columns i, i+1, i+2; the sub-diagonal of row i+1 is e[i].
  for (let i = 0; i + 1 < n; i++) {
    const sub = e[i];
    if (Math.abs(sub) > Math.abs(u0[i])) {
      swapped[i] = 1;
      const m = u0[i] / sub;
      mult[i] = m;
      const r0 = u1[i];
      const r1 = u2[i];
      u0[i] = sub;
      u1[i] = d[i + 1] - mu;
      u2[i] = i + 2 < n ? e[i + 1] : 0;
      u0[i + 1] = r0 - m * u1[i];
      u1[i + 1] = r1 - m * u2[i];
      const t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t - m * b[i + 1];
    } else {
      const piv = u0[i] === 0 ? tiny : u0[i];
      u0[i] = piv;
      const m = sub / piv;
      mult[i] = m;
      u0[i + 1] -= m * u1[i];
      if (i + 2 < n) u1[i + 1] = e[i + 1] - m * u2[i];
      b[i + 1] -= m * b[i];
    }
  }
  if (u0[n - 1] === 0) u0[n - 1] = tiny;
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    if (i + 1 < n) s -= u1[i] * b[i + 1];
    if (i + 2 < n) s -= u2[i] * b[i + 2];
    b[i] = s / (u0[i] === 0 ? tiny : u0[i]);
  }
}

function normalise(x: Float64Array): void {
  let s = 0;
  for (const v of x) s += v * v;
  const inv = 1 / Math.sqrt(s || 1);
  for (let i = 0; i < x.length; i++) x[i] *= inv;
}

/** The k smallest eigenpairs of the symmetric n × n matrix `a` (row-major; overwritten). */
export function smallestEigenpairs(a: Float64Array, n: number, k: number): Eigenpairs {
  k = Math.min(k, n);
  if (n === 1) return { values: Float64Array.of(a[0]), vectors: [Float64Array.of(1)] };
  const { d, e, reflectors } = tridiagonalise(a, n);
  let lo = Infinity;
  let hi = -Infinity;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i + 1 < n ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r); // Gershgorin bounds
    hi = Math.max(hi, d[i] + r);
    scale = Math.max(scale, Math.abs(d[i]) + r);
  }
  const pivmin = Math.max(scale, 1) * 1e-300;
  const tiny = Math.max(scale, 1) * 1e-15;
  const values = new Float64Array(k);
  const vectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const lam = bisect(d, e, j, lo - 1e-12 * (scale + 1), hi + 1e-12 * (scale + 1), pivmin);
    values[j] = lam;
    // Inverse iteration from a fixed, non-special start; vectors of nearby eigenvalues are kept orthogonal.
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = 1 + 0.5 * Math.sin(1.7 * i + 0.3 * j);
    for (let it = 0; it < 4; it++) {
      solveShifted(d, e, lam, z, tiny);
      for (let q = 0; q < j; q++) {
        if (Math.abs(values[q] - lam) > 1e-6 * Math.max(scale, 1e-300)) continue;
        const prev = vectors[q];
        let dot = 0;
        for (let i = 0; i < n; i++) dot += prev[i] * z[i];
        for (let i = 0; i < n; i++) z[i] -= dot * prev[i];
      }
      normalise(z);
    }
    vectors.push(z);
  }
  // The tridiagonal's vectors are kept for the cluster orthogonalisation above; map them back at the end.
  return { values, vectors: vectors.map((z) => applyReflectors(reflectors, z)) };
}

/** x = H₀ H₁ … H_{n−3} z: the reflectors applied from the last to the first. */
function applyReflectors(reflectors: (Float64Array | null)[], z: Float64Array): Float64Array {
  const x = Float64Array.from(z);
  for (let k = reflectors.length - 1; k >= 0; k--) {
    const v = reflectors[k];
    if (!v) continue;
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i] * x[k + 1 + i];
    dot *= 2;
    for (let i = 0; i < v.length; i++) x[k + 1 + i] -= dot * v[i];
  }
  return x;
}
