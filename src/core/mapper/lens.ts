/**
 * Lens functions f: ℝᴰ → ℝ over the rows of an N×D float32 matrix (DESIGN.md §5). Values are returned as
 * computed, never rescaled: the covers are affine-invariant, and users read lens values on the axis.
 */
import { InputError } from '../errors';
import { mulberry32, sampleIndices } from '../random';
import type { LensName } from './types';

/** Rows compared against for the density and eccentricity lenses: exact below this many points. */
export const LENS_SAMPLE = 1000;

export interface LensOptions {
  /** Gaussian KDE bandwidth for `density`; `auto` = Scott's rule. */
  bandwidth?: number | 'auto';
  /** The user vector for `file:` lenses, one value per row. */
  values?: Float64Array;
}

export function computeLens(
  name: LensName,
  x: Float32Array,
  n: number,
  d: number,
  opts: LensOptions = {},
): Float64Array {
  if (name.startsWith('file:')) {
    const v = opts.values;
    if (!v) throw new InputError(name.slice(5), 'lens values were not loaded', 'bad-parameter');
    if (v.length !== n) {
      throw new InputError(name.slice(5), `lens has ${v.length} values for ${n} rows`, 'row-count-mismatch');
    }
    return v;
  }
  if (name.startsWith('coordinate:')) {
    const i = Number(name.slice(11));
    if (!Number.isInteger(i) || i < 0 || i >= d) {
      throw new InputError('', `lens ${name}: coordinate must be an integer in 0…${d - 1}`, 'bad-parameter');
    }
    return rowMap(n, d, (r) => x[r + i]);
  }
  switch (name) {
    case 'l2norm':
      return l2normLens(x, n, d);
    case 'linf':
      // ‖x‖∞ = maxⱼ |xⱼ|
      return rowMap(n, d, (r) => {
        let m = 0;
        for (let j = 0; j < d; j++) m = Math.max(m, Math.abs(x[r + j]));
        return m;
      });
    case 'mean':
      // (1/D) Σⱼ xⱼ
      return rowMap(n, d, (r) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[r + j];
        return s / d;
      });
    case 'pca1':
      return pca1Lens(x, n, d);
    case 'density':
      return densityLens(x, n, d, opts.bandwidth ?? 'auto');
    case 'eccentricity':
      return eccentricityLens(x, n, d);
    default:
      throw new InputError('', `unknown lens "${String(name)}"`, 'bad-parameter');
  }
}

function rowMap(n: number, d: number, f: (rowStart: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i * d);
  return out;
}

/** ‖x‖₂ = √(Σⱼ xⱼ²), the paper's lens. */
export function l2normLens(x: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r + j] * x[r + j];
    out[i] = Math.sqrt(s);
  }
  return out;
}

function columnMeans(x: Float32Array, n: number, d: number): Float64Array {
  const mu = new Float64Array(d);
  for (let i = 0, r = 0; i < n; i++, r += d) for (let j = 0; j < d; j++) mu[j] += x[r + j];
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/**
 * Projection (x − μ)·v on the first principal component v, by power iteration on the covariance applied
 * implicitly (v ← Σᵢ (xᵢ−μ)((xᵢ−μ)·v), never forming the D×D matrix). The sign is fixed so that the
 * largest-magnitude entry of v is positive, which makes the lens deterministic.
 */
export function pca1Lens(x: Float32Array, n: number, d: number): Float64Array {
  const mu = columnMeans(x, n, d);
  let v = new Float64Array(d).fill(1 / Math.sqrt(d));
  const proj = new Float64Array(n);
  for (let iter = 0; iter < 200; iter++) {
    const w = new Float64Array(d);
    for (let i = 0, r = 0; i < n; i++, r += d) {
      let p = 0;
      for (let j = 0; j < d; j++) p += (x[r + j] - mu[j]) * v[j];
      for (let j = 0; j < d; j++) w[j] += (x[r + j] - mu[j]) * p;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += w[j] * w[j];
    norm = Math.sqrt(norm);
    if (norm === 0) break;
    let delta = 0;
    for (let j = 0; j < d; j++) {
      w[j] /= norm;
      delta = Math.max(delta, Math.abs(w[j] - v[j]));
    }
    v = w;
    if (delta < 1e-10) break;
  }
  let big = 0;
  for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;
  const sign = v[big] < 0 ? -1 : 1;
  for (let i = 0, r = 0; i < n; i++, r += d) {
    let p = 0;
    for (let j = 0; j < d; j++) p += (x[r + j] - mu[j]) * v[j];
    proj[i] = sign * p;
  }
  return proj;
}

/** Squared euclidean distance between row a of x and row b of y. */
function sqDist(x: Float32Array, a: number, y: Float32Array, b: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[a + j] - y[b + j];
    s += t * t;
  }
  return s;
}

/** A seeded sample of at most LENS_SAMPLE rows (every row when N is small enough: then the lens is exact). */
function referenceRows(x: Float32Array, n: number, d: number): Float32Array {
  const idx = sampleIndices(mulberry32(0), n, LENS_SAMPLE);
  const ref = new Float32Array(idx.length * d);
  for (let k = 0; k < idx.length; k++) ref.set(x.subarray(idx[k] * d, idx[k] * d + d), k * d);
  return ref;
}

/**
 * Gaussian KDE f(x) = (1/M) Σₛ exp(−‖x − s‖² / 2h²) over a seeded sample of M ≤ LENS_SAMPLE rows: the exact
 * O(N²) sum is too slow at 60 000 rows, and the sample mean is an unbiased estimate of it. The constant
 * (2πh²)^(−D/2) is left out (it underflows in high dimension and the cover does not depend on scale).
 * Scott's rule for `auto`: h = σ·N^(−1/(D+4)) with σ² the mean per-coordinate variance.
 */
export function densityLens(x: Float32Array, n: number, d: number, bandwidth: number | 'auto'): Float64Array {
  let h: number;
  if (bandwidth === 'auto') {
    const mu = columnMeans(x, n, d);
    let v = 0;
    for (let i = 0, r = 0; i < n; i++, r += d) for (let j = 0; j < d; j++) v += (x[r + j] - mu[j]) ** 2;
    h = Math.sqrt(v / (n * d)) * Math.pow(n, -1 / (d + 4)) || 1;
  } else {
    if (!(bandwidth > 0)) throw new InputError('', 'density bandwidth must be positive', 'bad-parameter');
    h = bandwidth;
  }
  const ref = referenceRows(x, n, d);
  const m = ref.length / d;
  const c = 1 / (2 * h * h);
  return rowMap(n, d, (r) => {
    let s = 0;
    for (let k = 0; k < m; k++) s += Math.exp(-sqDist(x, r, ref, k * d, d) * c);
    return s / m;
  });
}

/** Eccentricity (1/M) Σₛ ‖x − s‖ over the same seeded sample (exact for N ≤ LENS_SAMPLE). */
export function eccentricityLens(x: Float32Array, n: number, d: number): Float64Array {
  const ref = referenceRows(x, n, d);
  const m = ref.length / d;
  return rowMap(n, d, (r) => {
    let s = 0;
    for (let k = 0; k < m; k++) s += Math.sqrt(sqDist(x, r, ref, k * d, d));
    return s / m;
  });
}
