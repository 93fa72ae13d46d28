/**
 * Weak regions (DESIGN.md §5): nodes ranked by prediction accuracy, ascending, ties larger node first (then
 * lower id); a node is weak when its accuracy is below the threshold.
 */
import { InputError } from '../errors';
import type { MapperNode, WeakRegion } from './types';

export const WEAK_THRESHOLD = 0.9;

export function rankWeakRegions(nodes: readonly MapperNode[], threshold = WEAK_THRESHOLD): WeakRegion[] {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new InputError('', `threshold must be in [0, 1], got ${threshold}`, 'bad-parameter');
  }
  const scored = nodes.filter((v) => v.accuracy !== null);
  if (nodes.length > 0 && scored.length === 0) {
    throw new InputError('', 'weak regions need labels and predictions', 'bad-parameter');
  }
  return scored
    .map((v) => ({
      node: v.id,
      interval: v.interval,
      size: v.size,
      accuracy: v.accuracy!,
      purity: v.purity,
      weak: v.accuracy! < threshold,
      confusions: v.confusions,
    }))
    .sort((a, b) => a.accuracy - b.accuracy || b.size - a.size || a.node - b.node);
}
