/**
 * Exact radius and k-nearest-neighbour queries inside one point set, fast enough for DBSCAN on preimages of
 * 10⁴ rows. Rows are copied contiguously in the order of their distance to a first pivot, and every row
 * keeps its distances to a few farthest-first pivots: by the triangle inequality |d(x,p) − d(y,p)| ≤ d(x,y),
 * so a pair is skipped without touching its D coordinates when any pivot separates it by more than the
 * radius (plus a rounding slack). Every pair that survives is decided by the exact float64 definition, so
 * the answers equal brute force.
 *
 * Cosine distance 1 − a·b/(‖a‖‖b‖) is not a metric; the pivots then work on unit vectors, where
 * ‖u − v‖ = √(2(1 − cos)), a metric that bounds it.
 */
import type { Metric } from './types';

const MAX_PIVOTS = 6;

export interface PointBlock {
  m: number;
  d: number;
  metric: Metric;
  /** m×d rows in position order (ascending `key`). */
  rows: Float32Array;
  /** position → index into the caller's member list. */
  local: Int32Array;
  /** Pivot-space distance of each position to pivot 0, ascending. */
  key: Float64Array;
  /** m×P distances of each position to the other pivots. */
  piv: Float64Array;
  pivots: number;
  /** cosine: ‖x‖ of each position. */
  norm: Float64Array;
  /** Rounding slack added to every pruning bound. */
  slack: number;
}

/** Pivot-space distance between a row of `a` and a row of `b` (unit vectors for cosine). */
function pivotDistance(
  a: Float32Array,
  ra: number,
  na: number,
  b: Float32Array,
  rb: number,
  nb: number,
  d: number,
  cosine: boolean,
): number {
  let s = 0;
  if (cosine) {
    const ia = na > 0 ? 1 / na : 0;
    const ib = nb > 0 ? 1 / nb : 0;
    for (let j = 0; j < d; j++) {
      const t = a[ra + j] * ia - b[rb + j] * ib;
      s += t * t;
    }
  } else {
    for (let j = 0; j < d; j++) {
      const t = a[ra + j] - b[rb + j];
      s += t * t;
    }
  }
  return Math.sqrt(s);
}

/** Euclidean norm of each listed row. */
function rowNorms(x: Float32Array, d: number, members: Int32Array): Float64Array {
  const out = new Float64Array(members.length);
  for (let i = 0; i < members.length; i++) {
    const r = members[i] * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r + j] * x[r + j];
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Prepares the rows `members` of the N×d matrix `x` for exact neighbour queries. */
export function buildBlock(x: Float32Array, d: number, members: Int32Array, metric: Metric): PointBlock {
  const m = members.length;
  const cosine = metric === 'cosine';
  const norms = cosine ? rowNorms(x, d, members) : new Float64Array(0);
  const d0 = new Float64Array(m);
  const p0 = m > 0 ? members[0] * d : 0;
  const n0 = cosine && m > 0 ? norms[0] : 0;
  for (let i = 0; i < m; i++) {
    d0[i] = pivotDistance(x, members[i] * d, cosine ? norms[i] : 0, x, p0, n0, d, cosine);
  }
  const order = Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => d0[a] - d0[b] || a - b);
  const rows = new Float32Array(m * d);
  const key = new Float64Array(m);
  const norm = new Float64Array(cosine ? m : 0);
  for (let q = 0; q < m; q++) {
    const i = order[q];
    rows.set(x.subarray(members[i] * d, members[i] * d + d), q * d);
    key[q] = d0[i];
    if (cosine) norm[q] = norms[i];
  }
  const pivots = Math.max(0, Math.min(MAX_PIVOTS - 1, m - 1, d));
  const piv = new Float64Array(m * pivots);
  // farthest-first: each new pivot is the row farthest from all pivots chosen so far
  const minDist = Float64Array.from(key);
  for (let t = 0; t < pivots; t++) {
    let far = 0;
    for (let q = 1; q < m; q++) if (minDist[q] > minDist[far]) far = q;
    const nf = cosine ? norm[far] : 0;
    for (let q = 0; q < m; q++) {
      const v = pivotDistance(rows, q * d, cosine ? norm[q] : 0, rows, far * d, nf, d, cosine);
      piv[q * pivots + t] = v;
      if (v < minDist[q]) minDist[q] = v;
    }
  }
  const span = m > 0 ? key[m - 1] : 0;
  return {
    m,
    d,
    metric,
    rows,
    local: order,
    key,
    piv,
    pivots,
    norm,
    slack: 1e-9 * (1 + span) + (cosine ? 1e-7 : 0),
  };
}

/** The pivot-space radius that every pair within metric distance `r` satisfies. */
export function pivotRadius(b: PointBlock, r: number): number {
  return (b.metric === 'cosine' ? Math.sqrt(2 * Math.max(0, r)) : r) + b.slack;
}

/** True when no pivot proves positions p and q farther apart than the pivot-space radius `pr`. */
export function pivotsAllow(b: PointBlock, p: number, q: number, pr: number): boolean {
  const P = b.pivots;
  const piv = b.piv;
  for (let t = 0, a = p * P, c = q * P; t < P; t++) {
    const diff = piv[a + t] - piv[c + t];
    if (diff > pr || -diff > pr) return false;
  }
  return true;
}

/** Cosine distance 1 − a·b/(‖a‖‖b‖), taken as 1 when either row is zero (as scikit-learn does). */
export function cosineDistanceRows(
  x: Float32Array,
  ra: number,
  y: Float32Array,
  rb: number,
  d: number,
): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < d; j++) {
    dot += x[ra + j] * y[rb + j];
    na += x[ra + j] * x[ra + j];
    nb += y[rb + j] * y[rb + j];
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/** Euclidean distance √(Σⱼ (aⱼ − bⱼ)²), summed in coordinate order. */
export function euclideanDistanceRows(
  x: Float32Array,
  ra: number,
  y: Float32Array,
  rb: number,
  d: number,
): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[ra + j] - y[rb + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * The exact distance between positions p and q, or +∞ as soon as it is certain to exceed `bound` (the
 * partial sum of squares only grows, so abandoning early never changes a comparison with `bound`).
 */
export function distanceWithin(b: PointBlock, p: number, q: number, bound: number): number {
  const d = b.d;
  const rows = b.rows;
  const ra = p * d;
  const rb = q * d;
  if (b.metric === 'cosine') return cosineDistanceRows(rows, ra, rows, rb, d);
  const cap = bound * bound * (1 + 1e-12) + 1e-300;
  let s = 0;
  let j = 0;
  for (; j + 8 <= d; j += 8) {
    const t0 = rows[ra + j] - rows[rb + j];
    const t1 = rows[ra + j + 1] - rows[rb + j + 1];
    const t2 = rows[ra + j + 2] - rows[rb + j + 2];
    const t3 = rows[ra + j + 3] - rows[rb + j + 3];
    const t4 = rows[ra + j + 4] - rows[rb + j + 4];
    const t5 = rows[ra + j + 5] - rows[rb + j + 5];
    const t6 = rows[ra + j + 6] - rows[rb + j + 6];
    const t7 = rows[ra + j + 7] - rows[rb + j + 7];
    s += t0 * t0;
    s += t1 * t1;
    s += t2 * t2;
    s += t3 * t3;
    s += t4 * t4;
    s += t5 * t5;
    s += t6 * t6;
    s += t7 * t7;
    if (s > cap) return Infinity;
  }
  for (; j < d; j++) {
    const t = rows[ra + j] - rows[rb + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * For each listed position, the distance to its k-th nearest other row of the block (k ≥ 1): scans
 * outward along `key`, stops a side once the key gap alone exceeds the current k-th distance.
 */
export function kthNeighbourDistances(b: PointBlock, positions: Int32Array, k: number): Float64Array {
  const out = new Float64Array(positions.length);
  const best = new Float64Array(k);
  const key = b.key;
  for (let s = 0; s < positions.length; s++) {
    const p = positions[s];
    let found = 0;
    let kth = Infinity;
    let pr = Infinity;
    let lo = p - 1;
    let hi = p + 1;
    for (;;) {
      const gl = lo >= 0 ? key[p] - key[lo] : Infinity;
      const gh = hi < b.m ? key[hi] - key[p] : Infinity;
      const gap = Math.min(gl, gh);
      if (gap > pr || gap === Infinity) break;
      const q = gl <= gh ? lo-- : hi++;
      if (found === k && !pivotsAllow(b, p, q, pr)) continue;
      const dist = distanceWithin(b, p, q, kth);
      if (found < k) {
        let i = found++;
        while (i > 0 && best[i - 1] > dist) best[i] = best[--i];
        best[i] = dist;
      } else if (dist < kth) {
        let i = k - 1;
        while (i > 0 && best[i - 1] > dist) best[i] = best[--i];
        best[i] = dist;
      } else continue;
      if (found === k) {
        kth = best[k - 1];
        pr = pivotRadius(b, kth);
      }
    }
    out[s] = found === k ? kth : Infinity;
  }
  return out;
}
