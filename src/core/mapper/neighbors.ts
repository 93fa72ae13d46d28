/**
 * Exact radius and k-nearest-neighbour queries inside one point set, fast enough for DBSCAN on preimages of
 * 10⁴ rows. The rows are organised in a ball tree (each node: the mean of its rows and the radius around it)
 * and copied contiguously in tree order. A query skips a node when d(p, centre) − radius exceeds the search
 * radius, and a row when |d(p, c) − d(q, c)| does for its leaf centre c (both by the triangle inequality);
 * every pair that survives is decided by the exact float64 definition, so answers equal brute force.
 *
 * Cosine distance 1 − a·b/(‖a‖‖b‖) is not a metric; the tree then works on unit vectors, where
 * ‖u − v‖ = √(2(1 − cos)), a metric that bounds it.
 */
import type { Metric } from './types';

const LEAF_SIZE = 24;

export interface PointBlock {
  m: number;
  d: number;
  metric: Metric;
  /** m×d rows in tree order ("positions"). */
  rows: Float32Array;
  /** position → index into the caller's member list. */
  local: Int32Array;
  /** 1/‖x‖ of each position for cosine (0 for a zero row); 1 for euclidean. */
  inv: Float64Array;
  /** Tree nodes: rows [start, end), children (−1 at leaves), radius, centre (nodes×d). */
  start: Int32Array;
  end: Int32Array;
  left: Int32Array;
  right: Int32Array;
  radius: Float64Array;
  centre: Float64Array;
  /** Distance of each position to its leaf's centre. */
  leafDist: Float64Array;
  /** Rounding slack added to every pruning bound. */
  slack: number;
}

/** Tree-space distance from row r of x (scaled by inv) to centre c of the node tables. */
function toCentre(x: Float32Array, r: number, inv: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[r + j] * inv - c[co + j];
    s += t * t;
  }
  return Math.sqrt(s);
}

function rowInverses(x: Float32Array, d: number, members: Int32Array, cosine: boolean): Float64Array {
  const out = new Float64Array(members.length).fill(1);
  if (!cosine) return out;
  for (let i = 0; i < members.length; i++) {
    const r = members[i] * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r + j] * x[r + j];
    out[i] = s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return out;
}

/** Reorders perm[s, e) so that perm[mid] has the median key, smaller keys before it, larger after (Hoare). */
function selectMedian(perm: Int32Array, key: Float64Array, s: number, e: number, mid: number): void {
  let lo = s;
  let hi = e - 1;
  while (lo < hi) {
    const pivot = key[perm[(lo + hi) >> 1]];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key[perm[i]] < pivot) i++;
      while (key[perm[j]] > pivot) j--;
      if (i <= j) {
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        i++;
        j--;
      }
    }
    if (mid <= j) hi = j;
    else if (mid >= i) lo = i;
    else return;
  }
}

/** Prepares the rows `members` of the N×d matrix `x` for exact neighbour queries. */
export function buildBlock(x: Float32Array, d: number, members: Int32Array, metric: Metric): PointBlock {
  const m = members.length;
  const invM = rowInverses(x, d, members, metric === 'cosine');
  const perm = Int32Array.from({ length: m }, (_, i) => i);
  const start: number[] = [];
  const end: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const proj = new Float64Array(m);
  const dir = new Float64Array(d);
  const tsq = (a: number, b: number): number => {
    const ra = members[a] * d;
    const rb = members[b] * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = x[ra + j] * invM[a] - x[rb + j] * invM[b];
      s += t * t;
    }
    return s;
  };
  const farthest = (s: number, e: number, from: number): number => {
    let best = from;
    let bd = -1;
    for (let q = s; q < e; q++) {
      const v = tsq(perm[q], from);
      if (v > bd) {
        bd = v;
        best = perm[q];
      }
    }
    return bd > 0 ? best : -1;
  };
  // split along the line through two far-apart rows, at the median projection
  const build = (s: number, e: number): number => {
    const id = start.length;
    start.push(s);
    end.push(e);
    left.push(-1);
    right.push(-1);
    if (e - s <= LEAF_SIZE) return id;
    const a = farthest(s, e, perm[s]);
    if (a < 0) return id;
    const b = farthest(s, e, a);
    if (b < 0) return id;
    const ra = members[a] * d;
    const rb = members[b] * d;
    for (let j = 0; j < d; j++) dir[j] = x[rb + j] * invM[b] - x[ra + j] * invM[a];
    for (let q = s; q < e; q++) {
      const r = members[perm[q]] * d;
      const w = invM[perm[q]];
      let t = 0;
      for (let j = 0; j < d; j++) t += x[r + j] * w * dir[j];
      proj[perm[q]] = t;
    }
    const mid = (s + e) >> 1;
    selectMedian(perm, proj, s, e, mid);
    const l = build(s, mid);
    const r = build(mid, e);
    left[id] = l;
    right[id] = r;
    return id;
  };
  if (m > 0) build(0, m);

  const rows = new Float32Array(m * d);
  const inv = new Float64Array(m);
  for (let q = 0; q < m; q++) {
    rows.set(x.subarray(members[perm[q]] * d, members[perm[q]] * d + d), q * d);
    inv[q] = invM[perm[q]];
  }
  const nodes = start.length;
  const centre = new Float64Array(nodes * d);
  const radius = new Float64Array(nodes);
  const leafDist = new Float64Array(m);
  let span = 0;
  for (let v = 0; v < nodes; v++) {
    const co = v * d;
    for (let q = start[v]; q < end[v]; q++)
      for (let j = 0; j < d; j++) centre[co + j] += rows[q * d + j] * inv[q];
    const cnt = end[v] - start[v];
    for (let j = 0; j < d; j++) centre[co + j] /= cnt;
    let rad = 0;
    for (let q = start[v]; q < end[v]; q++) {
      const dist = toCentre(rows, q * d, inv[q], centre, co, d);
      if (dist > rad) rad = dist;
      if (left[v] < 0) leafDist[q] = dist;
    }
    radius[v] = rad;
    if (rad > span) span = rad;
  }
  return {
    m,
    d,
    metric,
    rows,
    local: perm,
    inv,
    start: Int32Array.from(start),
    end: Int32Array.from(end),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    radius,
    centre,
    leafDist,
    slack: 1e-9 * (1 + span) + (metric === 'cosine' ? 1e-7 : 0),
  };
}

/** The tree-space radius that every pair within metric distance `r` satisfies. */
export function treeRadius(b: PointBlock, r: number): number {
  return (b.metric === 'cosine' ? Math.sqrt(2 * Math.max(0, r)) : r) + b.slack;
}

/**
 * Calls `visit(q)` for every position q ≠ p that the tree cannot rule out of the tree-space ball of radius
 * `tr()` around p, nearer subtrees first; `tr` is re-read as the search goes (k-NN shrinks it), and a
 * `true` from `visit` stops the search. Subtrees for which `skip(node)` is true are not entered.
 */
export function forEachCandidate(
  b: PointBlock,
  p: number,
  tr: () => number,
  visit: (q: number) => boolean,
  skip?: (node: number) => boolean,
): void {
  if (b.m === 0) return;
  const { d, rows, centre, radius, left, right, start, end, leafDist } = b;
  const rp = p * d;
  const ip = b.inv[p];
  const stackNode: number[] = [0];
  const stackDist: number[] = [toCentre(rows, rp, ip, centre, 0, d)];
  while (stackNode.length > 0) {
    const v = stackNode.pop()!;
    const dc = stackDist.pop()!;
    const r = tr();
    if (dc - radius[v] > r || (skip !== undefined && skip(v))) continue;
    if (left[v] < 0) {
      for (let q = start[v]; q < end[v]; q++) {
        const g = dc - leafDist[q];
        if (q === p || g > r || -g > r) continue;
        if (visit(q)) return;
      }
      continue;
    }
    const dl = toCentre(rows, rp, ip, centre, left[v] * d, d);
    const dr = toCentre(rows, rp, ip, centre, right[v] * d, d);
    if (dl <= dr) {
      stackNode.push(right[v], left[v]);
      stackDist.push(dr, dl);
    } else {
      stackNode.push(left[v], right[v]);
      stackDist.push(dl, dr);
    }
  }
}

// the traversal stack of countNeighbours: the tree is balanced, so depth ≤ log₂(m) + 1 < 64
const scratchNodes = new Int32Array(128);
const scratchDists = new Float64Array(128);

/**
 * Counts p itself and its neighbours within metric distance `eps`, nearest subtrees first, stopping at
 * `limit`; the neighbours found are written to `found` from `at` on. Returns the count (≤ limit). A count
 * below `limit` is exact, and then `found` holds every neighbour of p.
 */
export function countNeighbours(
  b: PointBlock,
  p: number,
  eps: number,
  limit: number,
  found: Int32Array,
  at: number,
): number {
  let count = 1;
  if (b.m === 0 || count >= limit) return count;
  const { d, rows, centre, radius, left, right, start, end, leafDist } = b;
  const r = treeRadius(b, eps);
  const rp = p * d;
  const ip = b.inv[p];
  const stackNode = scratchNodes;
  const stackDist = scratchDists;
  stackNode[0] = 0;
  stackDist[0] = toCentre(rows, rp, ip, centre, 0, d);
  let top = 1;
  while (top > 0) {
    top--;
    const v = stackNode[top];
    const dc = stackDist[top];
    if (dc - radius[v] > r) continue;
    if (left[v] < 0) {
      for (let q = start[v]; q < end[v]; q++) {
        const g = dc - leafDist[q];
        if (q === p || g > r || -g > r) continue;
        if (distanceWithin(b, p, q, eps) <= eps) {
          found[at + count - 1] = q;
          if (++count >= limit) return count;
        }
      }
      continue;
    }
    const dl = toCentre(rows, rp, ip, centre, left[v] * d, d);
    const dr = toCentre(rows, rp, ip, centre, right[v] * d, d);
    const near = dl <= dr;
    stackNode[top] = near ? right[v] : left[v];
    stackDist[top] = near ? dr : dl;
    stackNode[top + 1] = near ? left[v] : right[v];
    stackDist[top + 1] = near ? dl : dr;
    top += 2;
  }
  return count;
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

/** For each listed position, the exact distance to its k-th nearest other row of the block (k ≥ 1). */
export function kthNeighbourDistances(b: PointBlock, positions: Int32Array, k: number): Float64Array {
  const out = new Float64Array(positions.length);
  const best = new Float64Array(k);
  for (let s = 0; s < positions.length; s++) {
    const p = positions[s];
    let found = 0;
    let kth = Infinity;
    let tr = Infinity;
    forEachCandidate(
      b,
      p,
      () => tr,
      (q) => {
        const dist = distanceWithin(b, p, q, kth);
        if (found === k && !(dist < kth)) return false;
        let i = found < k ? found++ : k - 1;
        while (i > 0 && best[i - 1] > dist) best[i] = best[--i];
        best[i] = dist;
        if (found === k) {
          kth = best[k - 1];
          tr = treeRadius(b, kth);
        }
        return false;
      },
    );
    out[s] = found === k ? kth : Infinity;
  }
  return out;
}
