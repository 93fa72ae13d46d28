/**
 * The all-pairs and k-nearest searches over a block with a kernel, their distance work done tile by tile
 * in a SIMD kernel (sqdist.ts's float32 rows, or a restricted block's 16-bit rows, quantised.ts); blocks
 * without one (cosine, or no WebAssembly SIMD) use the per-row float64 searches of neighbors.ts. A kernel
 * value decides a pair only when its error bound makes the decision certain; otherwise the pair gets the
 * exact coordinate-order float64 distance, the one every other search uses (the all-pairs search leaves
 * that to its caller, who needs only some). So the results are identical to the plain searches: the
 * kernel only skips work.
 */
import {
  centreDistance,
  euclideanDistanceRows,
  insertSorted,
  rowStart,
  treeDepth,
  treeRadius,
  type PointBlock,
} from './neighbors';
import type { QuantisedDistances } from './quantised';
import { TILE, type SquaredDistances } from './sqdist';

/** A kernel's exact fallback: the coordinate-order float64 distance between positions p and q. */
export function exactDistance(b: PointBlock, p: number, q: number): number {
  return euclideanDistanceRows(b.rows, rowStart(b, p), b.rows, rowStart(b, q), b.d);
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
 * Calls visit(v, u) for every pair of units (subtrees of at most UNIT rows, or leaves) whose balls lie
 * within `eps` of each other — a walk over pairs of subtrees (a dual-tree walk) that skips two subtrees
 * farther apart; v === u for the pairs inside one unit, else v's rows precede u's. Stops, returning
 * false, when visit does.
 */
function unitPairs(b: PointBlock, eps: number, visit: (v: number, u: number) => boolean): boolean {
  const { left, right, start, end, radius } = b;
  const r = treeRadius(b, eps);
  const stack: number[] = b.m > 0 ? [0, 0] : [];
  while (stack.length > 0) {
    const u = stack.pop()!;
    const v = stack.pop()!;
    if (v === u) {
      if (!isUnit(b, v)) stack.push(left[v], right[v], left[v], left[v], right[v], right[v]);
      else if (!visit(v, v)) return false;
      continue;
    }
    if (centreDistance(b.centre, v, u, b.d) - radius[v] - radius[u] > r) continue;
    const vUnit = isUnit(b, v);
    const uUnit = isUnit(b, u);
    if (vUnit && uUnit) {
      if (!visit(v, u)) return false;
    } else if (uUnit || (!vUnit && end[v] - start[v] >= end[u] - start[u])) {
      // split the larger side; v's rows precede u's, and so do its children's
      stack.push(left[v], u, right[v], u);
    } else {
      stack.push(v, left[u], v, right[u]);
    }
  }
  return true;
}

const OUTSIDE = 0;
const WITHIN = 1;
const DOUBTFUL = 2;

/** What a kernel value v with error e says of a pair against the squared radius s2. */
function bounded(v: number, e: number, s2: number): number {
  // the float64 recomputation and the square root round by far less than the 1e-9 margins
  return v - e > s2 * (1 + 1e-9) ? OUTSIDE : v + e < s2 * (1 - 1e-9) ? WITHIN : DOUBTFUL;
}

/** Pairs of positions (p, q) flat, growing as they come. */
class PairList {
  private data = new Int32Array(1024);
  length = 0;

  push(p: number, q: number): void {
    if (this.length + 2 > this.data.length) {
      const grown = new Int32Array(2 * this.data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = p;
    this.data[this.length++] = q;
  }

  pairs(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Every pair of positions within euclidean distance `eps`, each once (p < q): the rows of every pair of
 * units within reach compared whole, tile by tile. Returns the pairs flat — those the kernel's bound
 * puts within eps, and apart those it could not decide (`doubtful`: the caller decides those it needs by
 * exactDistance) — or null once there are more than `budget` in all.
 */
export function pairsWithinTiled(
  b: PointBlock,
  kernel: SquaredDistances | QuantisedDistances,
  eps: number,
  budget: number,
): { pairs: Int32Array; doubtful: Int32Array } | null {
  const { start, end } = b;
  const s2 = eps * eps;
  const sure = new PairList();
  const doubtful = new PairList();
  const complete = unitPairs(b, eps, (v, u) => {
    for (let a = start[v]; a < end[v]; a += TILE) {
      const na = Math.min(TILE, end[v] - a);
      for (let c = v === u ? a : start[u]; c < end[u]; c += TILE) {
        // the pairs left out are certainly outside
        const cand = kernel.tile(a, na, c, Math.min(TILE, end[u] - c), s2);
        for (let t = 0; t < cand.count; t++) {
          const p = a + cand.i[t];
          const q = c + cand.j[t];
          if (q <= p) continue;
          const verdict = bounded(cand.v[t], cand.e[t], s2);
          if (verdict === OUTSIDE) continue;
          if (sure.length + doubtful.length >= 2 * budget) return false;
          (verdict === WITHIN ? sure : doubtful).push(p, q);
        }
      }
    }
    return true;
  });
  return complete ? { pairs: sure.pairs(), doubtful: doubtful.pairs() } : null;
}

/** Queries that walk the tree together in `kthNeighbourDistancesTiled` (query slots 0 … GROUP − 1). */
const GROUP = 16;

/**
 * For each listed position, the exact distance to its k-th nearest other row (k ≥ 1), as
 * `kthNeighbourDistances`: GROUP queries close together in tree order walk the tree together, nearest
 * subtrees first. The kernel gives the distances from the queries to the centres, each as a lower bound
 * (value less its error: a bound on the real distance), which decides when a subtree may be skipped, and
 * the distances to the rows of a unit; a row enters a query's k best only through its exact distance, and
 * the kernel's bound skips the rows that cannot beat the current k-th. The centres of a kernel's tree are
 * float32 values (buildBlock), so the kernel's queries are exactly the centres.
 */
export function kthNeighbourDistancesTiled(
  b: PointBlock,
  kernel: SquaredDistances,
  positions: Int32Array,
  k: number,
): Float64Array {
  const out = new Float64Array(positions.length);
  if (b.m === 0) return out.fill(Infinity);
  const { radius, left, right, start, end } = b;
  const centre = b.centre32 ?? b.centre;
  const d = b.d;
  const order = Array.from(positions.keys()).sort((i, j) => positions[i] - positions[j]);
  // the walk's stack: nodes, and the group's distance bounds to each (two entries per level at most)
  const slots = 2 * treeDepth(left, right) + 2;
  const node = new Int32Array(slots);
  const dist = new Float64Array(GROUP * slots);
  // writes the group's distance bounds to nodes v and u (query slots GROUP, GROUP + 1) at entries `at`
  // and at + 1
  const centres = (v: number, u: number, at: number): void => {
    kernel.setQueryPoint(GROUP, centre, v * d);
    kernel.setQueryPoint(GROUP + 1, centre, u * d);
    const values = kernel.squaresToQueries(GROUP, 2, 0, GROUP, true);
    for (let t = 0; t < 2 * GROUP; t++) dist[GROUP * at + t] = kernel.distanceBelow(values[t]);
  };
  const ps = new Int32Array(GROUP);
  const best = new Float64Array(GROUP * k);
  const found = new Int32Array(GROUP);
  const kth = new Float64Array(GROUP);
  // rows whose real squared distance exceeds cut[i] certainly lie beyond query i's k-th (kth² with a
  // margin for the float64 rounding of the exact distance)
  const cut = new Float64Array(GROUP);
  const rad = new Float64Array(GROUP);
  const needs = new Uint8Array(GROUP);
  for (let g0 = 0; g0 < order.length; g0 += GROUP) {
    const cnt = Math.min(GROUP, order.length - g0);
    for (let i = 0; i < GROUP; i++) {
      ps[i] = positions[order[g0 + (i < cnt ? i : 0)]];
      kernel.setQuery(i, ps[i]);
    }
    found.fill(0);
    kth.fill(Infinity);
    cut.fill(Infinity);
    rad.fill(Infinity);
    centres(0, 0, 0);
    node[0] = 0;
    let top = 1;
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
        // the child nearer to the group (summed bounds) goes on top, to be searched first
        centres(left[v], right[v], top);
        let sl = 0;
        let sr = 0;
        for (let i = 0; i < GROUP; i++) {
          sl += dist[o + i];
          sr += dist[o + GROUP + i];
        }
        node[top] = left[v];
        node[top + 1] = right[v];
        if (sl <= sr) {
          node[top] = right[v];
          node[top + 1] = left[v];
          for (let i = 0; i < GROUP; i++) {
            const t = dist[o + i];
            dist[o + i] = dist[o + GROUP + i];
            dist[o + GROUP + i] = t;
          }
        }
        top += 2;
        continue;
      }
      // only rows that could beat some query's k-th come back listed
      let most = 0;
      for (let i = 0; i < cnt; i++) if (needs[i]) most = Math.max(most, cut[i]);
      for (let c = start[v]; c < end[v]; c += TILE) {
        const nc = Math.min(TILE, end[v] - c);
        const cand = kernel.tile(0, cnt, c, nc, most, true);
        for (let t = 0; t < cand.count; t++) {
          const i = cand.i[t];
          const q = c + cand.j[t];
          if (!needs[i] || q === ps[i] || cand.v[t] - cand.e[t] > cut[i]) continue;
          const dd = exactDistance(b, ps[i], q);
          if (found[i] === k && !(dd < kth[i])) continue;
          if (found[i] < k) found[i]++;
          insertSorted(best, i * k, found[i], dd);
          if (found[i] === k) {
            kth[i] = best[i * k + k - 1];
            cut[i] = kth[i] * kth[i] * (1 + 1e-9);
            rad[i] = treeRadius(b, kth[i]);
          }
        }
      }
    }
    for (let i = 0; i < cnt; i++) out[order[g0 + i]] = found[i] === k ? kth[i] : Infinity;
  }
  return out;
}
