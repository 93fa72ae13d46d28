/**
 * ε = "auto" (DESIGN.md §5): the q-quantile, over a fixed random sample of at most 2 000 rows (seed 0), of
 * each sampled row's distance to its k-th nearest other row of the whole set, k = minSamples − 1. The
 * sorted distances are the k-distance curve the panel plots for choosing ε by eye.
 */
import { InputError } from '../errors';
import { mulberry32, sampleIndices } from '../random';
import { buildBlock, kthNeighbourDistances, type PointBlock } from './neighbors';
import { kthEach } from './parallel';
import type { KDistanceCurve, Metric } from './types';

export const EPS_SAMPLE = 2000;
export const EPS_SEED = 0;

/** numpy's default ("linear") quantile of ascending values: interpolate at position q·(n−1). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const frac = pos - i;
  return i + 1 < n ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
}

export function kDistanceCurve(
  x: Float32Array,
  n: number,
  d: number,
  minSamples: number,
  quantile: number,
  metric: Metric = 'euclidean',
  /** The block of all n rows, when the caller keeps one (asked for only once the parameters pass). */
  whole?: () => PointBlock,
): KDistanceCurve {
  if (!(quantile > 0 && quantile <= 1)) {
    throw new InputError('', `eps quantile must be in (0, 1], got ${quantile}`, 'bad-parameter');
  }
  const k = Math.max(1, minSamples - 1);
  if (n <= k) {
    throw new InputError('', `eps auto needs more than ${k} rows, got ${n}`, 'bad-parameter');
  }
  const sample = sampleIndices(mulberry32(EPS_SEED), n, EPS_SAMPLE);
  const block =
    whole?.() ??
    buildBlock(
      x,
      d,
      Int32Array.from({ length: n }, (_, i) => i),
      metric,
    );
  const positionOf = new Int32Array(n);
  for (let p = 0; p < n; p++) positionOf[block.local[p]] = p;
  const positions = sample.map((i) => positionOf[i]);
  const distances = block.kernel ? kthEach(block, positions, k) : kthNeighbourDistances(block, positions, k);
  const values = Array.from(distances).sort((a, b) => a - b);
  return { k, sampleSize: sample.length, quantile, eps: quantileSorted(values, quantile), values };
}
