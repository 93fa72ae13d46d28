/**
 * DBSCAN with scikit-learn's semantics (DESIGN.md §5): i is core when |{j : d(xᵢ,xⱼ) ≤ ε}| ≥ minSamples
 * counting i itself; clusters are the connected components of core points under d ≤ ε, numbered in the
 * order of their lowest-index core point; a border point joins the lowest-numbered cluster with a core
 * point within ε — the cluster scikit-learn's expansion reaches it from first; everything else is noise.
 */
import { InputError } from '../errors';
import { buildBlock, distanceWithin, pivotRadius, pivotsAllow, type PointBlock } from './neighbors';
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

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

export function dbscanBlock(b: PointBlock, eps: number, minSamples: number): DbscanResult {
  const m = b.m;
  const key = b.key;
  const pr = pivotRadius(b, eps);
  const within = (p: number, q: number): boolean =>
    pivotsAllow(b, p, q, pr) && distanceWithin(b, p, q, eps) <= eps;

  // core points: count neighbours outward along the key, stopping at minSamples
  const isCore = new Uint8Array(m);
  for (let p = 0; p < m; p++) {
    let count = 1;
    let lo = p - 1;
    let hi = p + 1;
    while (count < minSamples) {
      const gl = lo >= 0 ? key[p] - key[lo] : Infinity;
      const gh = hi < m ? key[hi] - key[p] : Infinity;
      if (Math.min(gl, gh) > pr) break;
      const q = gl <= gh ? lo-- : hi++;
      if (within(p, q)) count++;
    }
    if (count >= minSamples) isCore[p] = 1;
  }

  // components of core points; a pair already in one component needs no distance
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  for (let p = 0; p < m; p++) {
    if (!isCore[p]) continue;
    for (let q = p + 1; q < m && key[q] - key[p] <= pr; q++) {
      if (!isCore[q]) continue;
      const rp = find(parent, p);
      const rq = find(parent, q);
      if (rp !== rq && within(p, q)) parent[Math.max(rp, rq)] = Math.min(rp, rq);
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

  // border points: the lowest-numbered cluster with a core point within eps
  const borderLabel = new Int32Array(m).fill(-1);
  for (let p = 0; p < m; p++) {
    if (isCore[p]) continue;
    let best = Infinity;
    for (let q = p - 1; q >= 0 && key[p] - key[q] <= pr; q--) {
      if (isCore[q] && labelAt[q] < best && within(p, q)) best = labelAt[q];
    }
    for (let q = p + 1; q < m && key[q] - key[p] <= pr; q++) {
      if (isCore[q] && labelAt[q] < best && within(p, q)) best = labelAt[q];
    }
    if (best !== Infinity) borderLabel[p] = best;
  }

  const labels = new Int32Array(m);
  const core = new Uint8Array(m);
  for (let p = 0; p < m; p++) {
    const i = b.local[p];
    labels[i] = isCore[p] ? labelAt[p] : borderLabel[p];
    core[i] = isCore[p];
  }
  return { labels, core, clusters: roots.length };
}
