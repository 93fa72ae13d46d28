/**
 * DBSCAN with scikit-learn's semantics (DESIGN.md §5): i is core when |{j : d(xᵢ,xⱼ) ≤ ε}| ≥ minSamples
 * counting i itself; clusters are the connected components of core points under d ≤ ε, numbered in the
 * order of their lowest-index core point; a border point joins the lowest-numbered cluster with a core
 * point within ε — the cluster scikit-learn's expansion reaches it from first; everything else is noise.
 */
import { InputError } from '../errors';
import {
  buildBlock,
  collectNeighbours,
  find,
  seedFromLeaves,
  NO_CORE,
  unite,
  uniteWithNeighbours,
  type PointBlock,
} from './neighbors';
import { exactDistance, pairsWithinTiled } from './tiled';
import type { Metric } from './types';

export interface DbscanResult {
  /** Cluster of each member (in the order of `members`), −1 for noise. */
  labels: Int32Array;
  /** 1 where the member is a core point. */
  core: Uint8Array;
  clusters: number;
}

export function validateDbscanParams(eps: number, minSamples: number): void {
  if (!(eps >= 0) || !Number.isFinite(eps)) {
    throw new InputError('', `eps must be a finite number ≥ 0, got ${eps}`, 'bad-parameter');
  }
  if (!Number.isInteger(minSamples) || minSamples < 1) {
    throw new InputError('', `minSamples must be a positive integer, got ${minSamples}`, 'bad-parameter');
  }
}

/** DBSCAN of the rows `members` (ascending indices) of the row-major N×d matrix `x`. */
export function dbscan(
  x: Float32Array,
  d: number,
  members: Int32Array,
  eps: number,
  minSamples: number,
  metric: Metric = 'euclidean',
): DbscanResult {
  validateDbscanParams(eps, minSamples);
  return dbscanBlock(buildBlock(x, d, members, metric), eps, minSamples);
}

/** Pairs within eps kept per row, at most, before the pair list gives way to the searches. */
const PAIR_BUDGET = 64;

const MIXED = -1;
/** Positions between refreshes of the subtree-root table (a power of two). */
const REFRESH = 512;

/**
 * For every tree node: the component root shared by all its core points, NO_CORE without core points,
 * MIXED otherwise. Later unions only merge components, so a shared root stays shared (compare with find).
 */
function subtreeRoots(b: PointBlock, isCore: Uint8Array, parent: Int32Array): Int32Array {
  const nodes = b.start.length;
  const out = new Int32Array(nodes);
  const merge = (a: number, c: number): number =>
    a === NO_CORE ? c : c === NO_CORE ? a : a === MIXED || c === MIXED ? MIXED : a === c ? a : MIXED;
  // children have larger ids than their parent (nodes are numbered in preorder)
  for (let v = nodes - 1; v >= 0; v--) {
    if (b.left[v] >= 0) {
      out[v] = merge(out[b.left[v]], out[b.right[v]]);
      continue;
    }
    let r = NO_CORE;
    for (let q = b.start[v]; q < b.end[v] && r !== MIXED; q++) if (isCore[q]) r = merge(r, find(parent, q));
    out[v] = r;
  }
  return out;
}

/**
 * The pairs the kernel could not decide (pairsWithinTiled's `doubtful`), each decided by the exact
 * distance only where it can change the result — a point's core status still open, two core points not
 * yet connected, a border point that might join a lower-numbered cluster — in that order, as DBSCAN
 * settles them. Most lie between core points already connected and are never computed.
 */
class Doubts {
  /** Per pair: 0 undecided, 1 outside, 2 within. */
  private readonly state: Uint8Array;

  constructor(
    private readonly b: PointBlock,
    private readonly pairs: Int32Array,
    private readonly eps: number,
  ) {
    this.state = new Uint8Array(pairs.length / 2);
  }

  /** Whether pair t lies within eps, deciding it now if undecided. */
  private within(t: number): boolean {
    if (this.state[t] === 0) {
      this.state[t] = exactDistance(this.b, this.pairs[2 * t], this.pairs[2 * t + 1]) <= this.eps ? 2 : 1;
    }
    return this.state[t] === 2;
  }

  /**
   * Decides the pairs of points whose core status they could change (fewer than k neighbours found so
   * far, at least k counting undecided pairs), adding those within to the neighbour lists.
   */
  settleCounts(fill: Int32Array, k: number, neighbours: (p: number, q: number) => void): void {
    const { pairs } = this;
    const open = new Int32Array(fill.length);
    for (let i = 0; i < pairs.length; i++) open[pairs[i]]++;
    const unsettled = (p: number): boolean => fill[p] < k && fill[p] + open[p] >= k;
    for (let t = 0; t < pairs.length / 2; t++) {
      const p = pairs[2 * t];
      const q = pairs[2 * t + 1];
      if (!unsettled(p) && !unsettled(q)) continue;
      open[p]--;
      open[q]--;
      if (this.within(t)) neighbours(p, q);
    }
  }

  /** Unites the core pairs within eps that are not yet connected. */
  settleUnions(isCore: Uint8Array, parent: Int32Array): void {
    const { pairs } = this;
    for (let t = 0; t < pairs.length / 2; t++) {
      const p = pairs[2 * t];
      const q = pairs[2 * t + 1];
      if (isCore[p] && isCore[q] && find(parent, p) !== find(parent, q) && this.within(t))
        unite(parent, p, q);
    }
  }

  /** Lowers a border point's label to that of a core point within eps with a lower one. */
  settleBorders(isCore: Uint8Array, labelAt: Int32Array, borderLabel: Int32Array): void {
    const { pairs } = this;
    for (let t = 0; t < pairs.length / 2; t++) {
      const p = pairs[2 * t];
      const q = pairs[2 * t + 1];
      if (isCore[p] === isCore[q]) continue;
      const border = isCore[p] ? q : p;
      const label = labelAt[isCore[p] ? p : q];
      if ((borderLabel[border] < 0 || label < borderLabel[border]) && this.within(t))
        borderLabel[border] = label;
    }
  }
}

/** `pairBudget`: pairs within eps kept, at most, before the pair list gives way to the searches. */
export function dbscanBlock(
  b: PointBlock,
  eps: number,
  minSamples: number,
  pairBudget = PAIR_BUDGET * b.m + 4096,
): DbscanResult {
  const m = b.m;

  // core points: count neighbours, stopping at minSamples; the neighbours found are kept, to seed the
  // components cheaply and to place border points
  const isCore = new Uint8Array(m);
  const k = minSamples - 1;
  const seeds = new Int32Array(m * k).fill(-1);
  const fill = new Int32Array(m);
  const searched = new Uint8Array(m);
  // with the SIMD kernel, every pair within eps, each computed once (null when there are too many to
  // keep); else, or then, the per-row searches
  const tiles = b.quantised ?? b.kernel;
  const found = tiles ? pairsWithinTiled(b, tiles, eps, pairBudget) : null;
  const pairs = found?.pairs;
  const doubts = found ? new Doubts(b, found.doubtful, eps) : null;
  const neighbours = (p: number, q: number): void => {
    if (fill[p] < k) seeds[p * k + fill[p]++] = q;
    if (fill[q] < k) seeds[q * k + fill[q]++] = p;
  };
  if (pairs && doubts) {
    for (let t = 0; t < pairs.length; t += 2) neighbours(pairs[t], pairs[t + 1]);
    doubts.settleCounts(fill, k, neighbours);
    for (let p = 0; p < m; p++) if (fill[p] >= k) isCore[p] = 1;
  } else {
    seedFromLeaves(b, eps, k, seeds, fill);
    for (let p = 0; p < m; p++) {
      collectNeighbours(b, p, eps, k, seeds, fill, searched);
      if (fill[p] >= k) isCore[p] = 1;
    }
  }

  // components of core points
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  if (pairs && doubts) {
    for (let t = 0; t < pairs.length; t += 2) {
      if (isCore[pairs[t]] && isCore[pairs[t + 1]]) unite(parent, pairs[t], pairs[t + 1]);
    }
    doubts.settleUnions(isCore, parent);
  } else {
    // first join the seeds, then look only into subtrees whose core points are not all in p's component
    // already (pairs already united need no distance)
    for (let p = 0; p < m; p++) {
      if (!isCore[p]) continue;
      for (let t = p * k; t < (p + 1) * k; t++) {
        if (seeds[t] >= 0 && isCore[seeds[t]]) unite(parent, p, seeds[t]);
      }
    }
    // the table is refreshed as unions merge components, so ever more subtrees are skipped whole
    let uniform = subtreeRoots(b, isCore, parent);
    for (let p = 0; p < m; p++) {
      if (!isCore[p]) continue;
      if ((p & (REFRESH - 1)) === 0 && p > 0) uniform = subtreeRoots(b, isCore, parent);
      uniteWithNeighbours(b, p, eps, isCore, parent, uniform);
    }
  }

  // number clusters by their lowest member index (scikit-learn's scan order)
  const firstMember = new Int32Array(m).fill(m);
  for (let p = 0; p < m; p++) {
    if (!isCore[p]) continue;
    const r = find(parent, p);
    if (b.local[p] < firstMember[r]) firstMember[r] = b.local[p];
  }
  const roots: number[] = [];
  for (let p = 0; p < m; p++) if (isCore[p] && find(parent, p) === p) roots.push(p);
  roots.sort((a, c) => firstMember[a] - firstMember[c]);
  const clusterOfRoot = new Int32Array(m).fill(-1);
  roots.forEach((r, c) => (clusterOfRoot[r] = c));

  const labelAt = new Int32Array(m).fill(-1);
  for (let p = 0; p < m; p++) if (isCore[p]) labelAt[p] = clusterOfRoot[find(parent, p)];

  // border points: the lowest-numbered cluster with a core point within eps. A point that is not core
  // has fewer than minSamples − 1 neighbours, and its count stopped only after finding all of them.
  const borderLabel = new Int32Array(m).fill(-1);
  for (let p = 0; p < m; p++) {
    if (isCore[p]) continue;
    let best = -1;
    for (let t = p * k; t < (p + 1) * k; t++) {
      const q = seeds[t];
      if (q >= 0 && isCore[q] && (best < 0 || labelAt[q] < best)) best = labelAt[q];
    }
    borderLabel[p] = best;
  }
  doubts?.settleBorders(isCore, labelAt, borderLabel);

  const labels = new Int32Array(m);
  const core = new Uint8Array(m);
  for (let p = 0; p < m; p++) {
    const i = b.local[p];
    labels[i] = isCore[p] ? labelAt[p] : borderLabel[p];
    core[i] = isCore[p];
  }
  return { labels, core, clusters: roots.length };
}
