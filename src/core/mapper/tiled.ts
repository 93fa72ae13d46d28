/**
 * The all-pairs and k-nearest searches over a block with a kernel, their distance work done tile by tile
 * in the float32 SIMD kernel (sqdist.ts); blocks without one (cosine, or no WebAssembly SIMD) use the
 * per-row float64 searches of neighbors.ts. A kernel value decides a pair only when its error bound makes the
 * decision certain; otherwise the pair gets the exact coordinate-order float64 distance, the one every
 * other search uses. So the results are identical to the plain searches: the kernel only skips work.
 */
import {
  centreDistance,
  euclideanDistanceRows,
  groupWalk,
  GROUP,
  insertSorted,
  pushChildrenGroup,
  pushRootGroup,
  treeRadius,
  type PointBlock,
} from './neighbors';
import { TILE, type SquaredDistances } from './sqdist';

/** A kernel's exact fallback: the coordinate-order float64 distance between positions p and q. */
function exactDistance(b: PointBlock, p: number, q: number): number {
  return euclideanDistanceRows(b.rows, p * b.d, b.rows, q * b.d, b.d);
}

/**
 * Subtrees of at most this many rows are compared whole, without looking further down: the kernel runs
 * through such a tile faster than the walk could prune it.
 */
export const UNIT = 64;

/** Whether the walks below stop at node v and compare its rows whole. */
function isUnit(b: PointBlock, v: number): boolean {
  return b.left[v] < 0 || b.end[v] - b.start[v] <= UNIT;
}

/**
 * Every pair of positions within euclidean distance `eps`, each once (p < q): a walk
 * over pairs of subtrees (a dual-tree walk) skips two subtrees whose balls lie farther apart than eps and
 * compares the rows of two small ones whole. Returns the pairs flat, or null once there are more than
 * `budget`.
 */
export function pairsWithinTiled(
  b: PointBlock,
  kernel: SquaredDistances,
  eps: number,
  budget: number,
): Int32Array | null {
  const { left, right, start, end, radius } = b;
  const r = treeRadius(b, eps);
  const { lo, hi } = kernel.band(eps);
  let out = new Int32Array(4096);
  let len = 0;
  // the pairs of rows [a0, a1) × [c0, c1), only q > p where the ranges are the same
  const compare = (a0: number, a1: number, c0: number, c1: number): boolean => {
    const same = a0 === c0;
    for (let a = a0; a < a1; a += TILE) {
      const na = Math.min(TILE, a1 - a);
      for (let c = same ? a : c0; c < c1; c += TILE) {
        const nc = Math.min(TILE, c1 - c);
        // the kernel returns the pairs not above hi: the rest are certainly outside
        const cand = kernel.tile(a, na, c, nc, hi);
        for (let t = 0; t < cand.count; t++) {
          const i = cand.i[t];
          const j = cand.j[t];
          if (same && c === a && j <= i) continue;
          // certainly inside, or the exact distance decides
          if (!(cand.v[t] < lo) && !(exactDistance(b, a + i, c + j) <= eps)) continue;
          if (len >= 2 * budget) return false;
          if (len + 2 > out.length) {
            const grown = new Int32Array(2 * out.length);
            grown.set(out);
            out = grown;
          }
          out[len++] = a + i;
          out[len++] = c + j;
        }
      }
    }
    return true;
  };
  // pairs of subtrees still to compare (v === u: the pairs inside v)
  const stack: number[] = b.m > 0 ? [0, 0] : [];
  while (stack.length > 0) {
    const u = stack.pop()!;
    const v = stack.pop()!;
    if (v === u) {
      if (isUnit(b, v)) {
        if (!compare(start[v], end[v], start[v], end[v])) return null;
      } else {
        stack.push(left[v], right[v], left[v], left[v], right[v], right[v]);
      }
      continue;
    }
    if (centreDistance(b.centre, v, u, b.d) - radius[v] - radius[u] > r) continue;
    const vUnit = isUnit(b, v);
    const uUnit = isUnit(b, u);
    if (vUnit && uUnit) {
      if (!compare(start[v], end[v], start[u], end[u])) return null;
    } else if (uUnit || (!vUnit && end[v] - start[v] >= end[u] - start[u])) {
      // split the larger side; v's rows precede u's, and so do its children's
      stack.push(left[v], u, right[v], u);
    } else {
      stack.push(v, left[u], v, right[u]);
    }
  }
  return out.subarray(0, len);
}

/**
 * For each listed position, the exact distance to its k-th nearest other row (k ≥ 1), as
 * `kthNeighbourDistances`: GROUP queries close together in tree order walk the tree together, nearest
 * subtrees first. A row enters a query's k best only through its exact distance, and the kernel's lower
 * bound skips the rows that cannot beat the current k-th.
 */
export function kthNeighbourDistancesTiled(
  b: PointBlock,
  kernel: SquaredDistances,
  positions: Int32Array,
  k: number,
): Float64Array {
  const out = new Float64Array(positions.length);
  if (b.m === 0) return out.fill(Infinity);
  const { radius, left, start, end, leafDist } = b;
  const order = Array.from(positions.keys()).sort((i, j) => positions[i] - positions[j]);
  const w = groupWalk();
  const { node, dist } = w;
  const ps = new Int32Array(GROUP);
  const best = new Float64Array(GROUP * k);
  const found = new Int32Array(GROUP);
  const kth = new Float64Array(GROUP);
  // kernel values above cut[i] certainly lie beyond query i's k-th (kth² with a margin for the float64
  // rounding of the exact distance)
  const cut = new Float64Array(GROUP);
  const rad = new Float64Array(GROUP);
  const needs = new Uint8Array(GROUP);
  for (let g0 = 0; g0 < order.length; g0 += GROUP) {
    const cnt = Math.min(GROUP, order.length - g0);
    for (let i = 0; i < GROUP; i++) ps[i] = positions[order[g0 + (i < cnt ? i : 0)]];
    for (let i = 0; i < cnt; i++) kernel.setQuery(i, ps[i]);
    found.fill(0);
    kth.fill(Infinity);
    cut.fill(Infinity);
    rad.fill(Infinity);
    let top = pushRootGroup(b, ps, w);
    while (top > 0) {
      top--;
      const v = node[top];
      const o = GROUP * top;
      let need = false;
      for (let i = 0; i < cnt; i++) {
        needs[i] = dist[o + i] - radius[v] <= rad[i] ? 1 : 0;
        need ||= needs[i] === 1;
      }
      if (!need) continue;
      if (!isUnit(b, v)) {
        top = pushChildrenGroup(b, ps, v, top, w);
        continue;
      }
      // leafDist holds distances to leaf centres: inside a larger unit there is no row-wise bound
      const leaf = left[v] < 0;
      // only values that could beat some query's k-th come back listed
      let hi = -1;
      for (let i = 0; i < cnt; i++) if (needs[i]) hi = Math.max(hi, cut[i]);
      for (let c = start[v]; c < end[v]; c += TILE) {
        const nc = Math.min(TILE, end[v] - c);
        const cand = kernel.tile(0, cnt, c, nc, hi, true);
        for (let t = 0; t < cand.count; t++) {
          const i = cand.i[t];
          if (!needs[i]) continue;
          const q = c + cand.j[t];
          const gap = leaf ? dist[o + i] - leafDist[q] : 0;
          if (q === ps[i] || gap > rad[i] || -gap > rad[i]) continue;
          const vq = cand.v[t];
          if (vq > cut[i] && vq !== Infinity) continue;
          const dd = exactDistance(b, ps[i], q);
          if (found[i] === k && !(dd < kth[i])) continue;
          if (found[i] < k) found[i]++;
          insertSorted(best, i * k, found[i], dd);
          if (found[i] === k) {
            kth[i] = best[i * k + k - 1];
            cut[i] = kernel.above(kth[i] * kth[i] * (1 + 1e-9));
            rad[i] = treeRadius(b, kth[i]);
          }
        }
      }
    }
    for (let i = 0; i < cnt; i++) out[order[g0 + i]] = found[i] === k ? kth[i] : Infinity;
  }
  return out;
}
