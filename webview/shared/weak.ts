/**
 * Weak regions and the refinement set as the views compute them live from a drawn graph (DESIGN.md §5):
 * nodes ranked by accuracy ascending (ties: larger node first); the refinement set walks the ranking adding
 * each node's misclassified members once, and keeps exactly ⌈fraction·trainSize⌉ in walk order. DOM-free.
 */
import type { ViewNode } from './protocol';

/** Nodes with an accuracy, in weak-region order. */
export function rankWeakRegions(nodes: readonly ViewNode[]): ViewNode[] {
  return nodes
    .filter((n) => n.accuracy !== null)
    .sort((a, b) => a.accuracy! - b.accuracy! || b.size - a.size || a.id - b.id);
}

export interface RefinementPick {
  index: number;
  node: number;
}

export function refinementSet(
  ranking: readonly ViewNode[],
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  fraction: number,
  trainSize: number,
): RefinementPick[] {
  const want = Math.ceil(fraction * trainSize); // ⌈fraction · N_train⌉
  const seen = new Set<number>();
  const out: RefinementPick[] = [];
  for (const n of ranking) {
    if (out.length >= want) break;
    for (const i of n.members) {
      if (labels[i] !== predictions[i] && !seen.has(i)) {
        seen.add(i);
        out.push({ index: i, node: n.id });
      }
    }
  }
  return out.slice(0, want);
}
