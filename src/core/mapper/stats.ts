/** Per-node statistics and the graph-wide averages of DESIGN.md §5. */
import { InputError } from '../errors';
import type { MapperNode } from './types';

/** The statistics fields of a node (documented on MapperNode), which mapper.ts spreads into each node. */
export type NodeStats = Pick<
  MapperNode,
  'size' | 'lensMean' | 'purity' | 'accuracy' | 'labelCounts' | 'predictionCounts' | 'confusions'
>;

/** Class bookkeeping shared by every node of one set: K and the length of the count vectors. */
export interface ClassInfo {
  /** K, the number of distinct labels in the whole set. */
  k: number;
  /** Count vectors are indexed by class value: 0 … width−1. */
  width: number;
}

export function classInfo(labels?: Int32Array, predictions?: Int32Array): ClassInfo {
  let max = -1;
  const seen = new Set<number>();
  for (const [name, v] of [
    ['labels', labels],
    ['predictions', predictions],
  ] as const) {
    if (!v) continue;
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0)
        throw new InputError('', `${name} must be class indices ≥ 0, got ${v[i]}`, 'bad-parameter');
      if (v[i] > max) max = v[i];
      if (v === labels) seen.add(v[i]);
    }
  }
  return { k: seen.size, width: max + 1 };
}

/** p = 1 − H(q)/log K for a count vector q (natural logs; K ≤ 1 has no mixing, p = 1). */
export function purity(counts: ArrayLike<number>, k: number): number {
  let total = 0;
  for (let c = 0; c < counts.length; c++) total += counts[c];
  if (k <= 1 || total === 0) return 1;
  let h = 0;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) {
      const q = counts[c] / total;
      h -= q * Math.log(q);
    }
  }
  return 1 - h / Math.log(k);
}

const TOP_CONFUSIONS = 3;

export function nodeStats(
  members: ArrayLike<number>,
  lens: Float64Array,
  info: ClassInfo,
  labels?: Int32Array,
  predictions?: Int32Array,
): NodeStats {
  const size = members.length;
  let lensSum = 0;
  for (let i = 0; i < size; i++) lensSum += lens[members[i]];
  const labelCounts = labels ? new Array<number>(info.width).fill(0) : null;
  const predictionCounts = predictions ? new Array<number>(info.width).fill(0) : null;
  const confusion = new Map<number, number>();
  let correct = 0;
  for (let i = 0; i < size; i++) {
    const r = members[i];
    if (labelCounts) labelCounts[labels![r]]++;
    if (predictionCounts) predictionCounts[predictions![r]]++;
    if (labels && predictions) {
      if (labels[r] === predictions[r]) correct++;
      else {
        const key = labels[r] * info.width + predictions[r];
        confusion.set(key, (confusion.get(key) ?? 0) + 1);
      }
    }
  }
  const confusions = [...confusion.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, TOP_CONFUSIONS)
    .map(([key, count]) => ({ label: Math.floor(key / info.width), prediction: key % info.width, count }));
  return {
    size,
    lensMean: size ? lensSum / size : NaN,
    purity: labelCounts ? purity(labelCounts, info.k) : null,
    // acc_v = mean(ŷᵢ = yᵢ)
    accuracy: labels && predictions && size ? correct / size : null,
    labelCounts,
    predictionCounts,
    confusions,
  };
}

/** Σ n_v s_v / Σ n_v over nodes whose statistic is defined; null when none is. */
export function sizeWeightedMean(
  nodes: { size: number }[],
  value: (i: number) => number | null,
): number | null {
  let num = 0;
  let den = 0;
  nodes.forEach((node, i) => {
    const v = value(i);
    if (v === null) return;
    num += node.size * v;
    den += node.size;
  });
  return den > 0 ? num / den : null;
}
