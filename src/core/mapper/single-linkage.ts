/**
 * Single-linkage clustering with the histogram gap cut of the original Mapper paper (Singh, Mémoli,
 * Carlsson 2007): the merge heights of the single-linkage tree (the minimum spanning tree's edge lengths)
 * are binned into a histogram over [0, max height]; the tree is cut at the lower edge of the first empty
 * bin above the lowest occupied one, and a preimage without such a gap stays one cluster. Every point belongs to a cluster (no noise).
 */
import { cosineDistanceRows, euclideanDistanceRows, find, unite } from './neighbors';
import type { Metric } from './types';

export interface LinkageResult {
  /** Cluster of each member (in the order of `members`), numbered by lowest member. */
  labels: Int32Array;
  clusters: number;
  /** The cut height: MST edges shorter than this join clusters. */
  cut: number;
}

export function singleLinkage(
  x: Float32Array,
  d: number,
  members: Int32Array,
  bins: number,
  metric: Metric = 'euclidean',
): LinkageResult {
  const m = members.length;
  const dist = metric === 'cosine' ? cosineDistanceRows : euclideanDistanceRows;
  // Prim's algorithm on the complete graph: O(m²) distances, no m² memory
  const inTree = new Uint8Array(m);
  const best = new Float64Array(m).fill(Infinity);
  const from = new Int32Array(m).fill(-1);
  const edges: { a: number; b: number; h: number }[] = [];
  if (m > 0) best[0] = 0;
  for (let step = 0; step < m; step++) {
    let u = -1;
    for (let i = 0; i < m; i++) if (!inTree[i] && (u < 0 || best[i] < best[u])) u = i;
    inTree[u] = 1;
    if (from[u] >= 0) edges.push({ a: from[u], b: u, h: best[u] });
    for (let v = 0; v < m; v++) {
      if (inTree[v]) continue;
      const h = dist(x, members[u] * d, x, members[v] * d, d);
      if (h < best[v]) {
        best[v] = h;
        from[v] = u;
      }
    }
  }
  const maxH = edges.reduce((a, e) => Math.max(a, e.h), 0);
  let cut = Infinity;
  if (edges.length > 0 && maxH > 0) {
    const counts = new Int32Array(bins);
    for (const e of edges) counts[Math.min(bins - 1, Math.floor((e.h / maxH) * bins))]++;
    // the first gap after the shortest merges: leading empty bins only mean no merge is that short
    const empty = counts.indexOf(
      0,
      counts.findIndex((c) => c > 0),
    );
    if (empty >= 0) cut = (empty / bins) * maxH;
  }
  const parent = Int32Array.from({ length: m }, (_, i) => i);
  for (const e of edges) if (e.h < cut) unite(parent, e.a, e.b);
  const labels = new Int32Array(m);
  const clusterOf = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const r = find(parent, i);
    if (!clusterOf.has(r)) clusterOf.set(r, clusterOf.size);
    labels[i] = clusterOf.get(r)!;
  }
  return { labels, clusters: clusterOf.size, cut };
}
