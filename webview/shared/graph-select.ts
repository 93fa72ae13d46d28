/**
 * Selections on a mapper graph: a node's connected component and a shortest path between two nodes
 * (fewest edges, BFS; ties broken by lower node id so the path is reproducible). DOM-free.
 */

export type Adjacency = Map<number, number[]>;

export function adjacency(
  nodeIds: readonly number[],
  edges: readonly { source: number; target: number }[],
): Adjacency {
  const adj: Adjacency = new Map(nodeIds.map((id) => [id, []]));
  for (const e of edges) {
    adj.get(e.source)?.push(e.target);
    adj.get(e.target)?.push(e.source);
  }
  for (const list of adj.values()) list.sort((a, b) => a - b);
  return adj;
}

/** Every node reachable from `start`, including it. */
export function component(adj: Adjacency, start: number): Set<number> {
  const seen = new Set<number>([start]);
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    for (const v of adj.get(queue[q]) ?? []) {
      if (!seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return seen;
}

/** The node ids of a shortest path from `from` to `to` (both included), or null when disconnected. */
export function shortestPath(adj: Adjacency, from: number, to: number): number[] | null {
  const parent = new Map<number, number>([[from, from]]);
  const queue = [from];
  for (let q = 0; q < queue.length && !parent.has(to); q++) {
    for (const v of adj.get(queue[q]) ?? []) {
      if (!parent.has(v)) {
        parent.set(v, queue[q]);
        queue.push(v);
      }
    }
  }
  if (!parent.has(to)) return null;
  const path = [to];
  while (path[path.length - 1] !== from) path.push(parent.get(path[path.length - 1])!);
  return path.reverse();
}
