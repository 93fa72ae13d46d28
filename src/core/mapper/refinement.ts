/**
 * The refinement set (the paper's §4, DESIGN.md §5): walk the weak-region ranking, adding each node's
 * misclassified members (as a set, each sample once) until |S| ≥ fraction·N_train, then keep exactly
 * ⌈fraction·N_train⌉ samples in walk order.
 */
import { InputError } from '../errors';
import type { MapperNode, RefinementSet, WeakRegion } from './types';

export const REFINE_FRACTION = 0.2;

/**
 * ⌈fraction·N⌉, with the product rounded to 12 significant digits first: 0.07·100 is 7.000000000000001 in
 * binary floating point, and 7 % of 100 samples is 7, not 8.
 */
export function refinementTarget(fraction: number, trainSize: number): number {
  return Math.ceil(Number((fraction * trainSize).toPrecision(12)));
}

export function refinementSet(
  ranking: readonly WeakRegion[],
  nodes: readonly MapperNode[],
  labels: Int32Array,
  predictions: Int32Array,
  fraction: number,
  trainSize: number,
  files?: readonly string[],
): RefinementSet {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InputError('', `refine fraction must be in (0, 1], got ${fraction}`, 'bad-parameter');
  }
  if (!Number.isInteger(trainSize) || trainSize < 1) {
    throw new InputError('', `train size must be a positive integer, got ${trainSize}`, 'bad-parameter');
  }
  const target = refinementTarget(fraction, trainSize);
  const taken = new Set<number>();
  const rows: RefinementSet['rows'] = [];
  for (const region of ranking) {
    if (rows.length >= target) break;
    for (const i of nodes[region.node].members) {
      if (labels[i] === predictions[i] || taken.has(i)) continue;
      taken.add(i);
      rows.push({
        index: i,
        file: files?.[i] ?? '',
        label: labels[i],
        prediction: predictions[i],
        node: region.node,
      });
    }
  }
  const kept = rows.slice(0, target);
  return { fraction, trainSize, size: kept.length, indices: kept.map((r) => r.index), rows: kept };
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The set as CSV `index,file,label,prediction,node`, one row per sample in walk order. */
export function refinementCsv(set: RefinementSet): string {
  const lines = ['index,file,label,prediction,node'];
  for (const r of set.rows) lines.push([r.index, csvField(r.file), r.label, r.prediction, r.node].join(','));
  return lines.join('\n') + '\n';
}
