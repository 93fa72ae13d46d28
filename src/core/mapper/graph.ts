/**
 * Edges of the nerve (DESIGN.md §5): nodes u, v are joined when their clusters share a point, with weight
 * |C_u ∩ C_v|. Built from each point's list of nodes — O(Σ (nodes per point)²) — never by testing all pairs.
 */
import type { MapperEdge } from './types';

export function buildEdges(nodeMembers: ArrayLike<number>[], n: number): MapperEdge[] {
  // CSR of point → nodes; nodes are visited in id order, so each point's list is ascending
  const count = new Int32Array(n + 1);
  for (const members of nodeMembers) for (let i = 0; i < members.length; i++) count[members[i] + 1]++;
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const fill = count.slice(0, n);
  const nodesOf = new Int32Array(count[n]);
  nodeMembers.forEach((members, v) => {
    for (let i = 0; i < members.length; i++) nodesOf[fill[members[i]]++] = v;
  });
  const nodes = nodeMembers.length;
  const weight = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (let a = count[i]; a < count[i + 1]; a++) {
      for (let b = a + 1; b < count[i + 1]; b++) {
        const key = nodesOf[a] * nodes + nodesOf[b];
        weight.set(key, (weight.get(key) ?? 0) + 1);
      }
    }
  }
  return [...weight.entries()]
    .sort((p, q) => p[0] - q[0])
    .map(([key, w]) => ({ source: Math.floor(key / nodes), target: key % nodes, weight: w }));
}
