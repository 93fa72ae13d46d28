/**
 * Covers of the lens range by n overlapping intervals (DESIGN.md §5), and the preimage of each interval
 * as ascending row indices. Rows are sorted by lens value once, so each closed interval is a contiguous
 * range of that order found by binary search.
 */
import { InputError } from '../errors';
import type { CoverKind } from './types';

export interface Interval {
  lo: number;
  hi: number;
}

export interface Cover {
  kind: CoverKind;
  intervals: Interval[];
  /** Preimage of interval k: row indices, ascending. */
  preimages: Int32Array[];
}

export function validateCoverParams(intervals: number, overlap: number): void {
  if (!Number.isInteger(intervals) || intervals < 1) {
    throw new InputError('', `intervals must be a positive integer, got ${intervals}`, 'bad-parameter');
  }
  if (!(overlap >= 0 && overlap < 1)) {
    throw new InputError('', `overlap must be in [0, 1), got ${overlap}`, 'bad-parameter');
  }
}

/** Row indices ordered by lens value (ties by index): computed once per lens and reused by every cover. */
export function lensOrder(lens: Float64Array): Int32Array {
  const order = Int32Array.from({ length: lens.length }, (_, i) => i);
  order.sort((a, b) => lens[a] - lens[b] || a - b);
  return order;
}

/**
 * Uniform cover: L = R/(n − (n−1)p), s = (1−p)L, I_k = [m + ks, m + ks + L], closed. The first interval
 * starts at m and the last ends at M exactly, and no end falls short of the next start: with p = 0 the
 * rounded m + ks + L can land below m + (k+1)s, and a value between them would be in no interval.
 */
export function uniformIntervals(min: number, max: number, n: number, p: number): Interval[] {
  const len = (max - min) / (n - (n - 1) * p);
  const step = (1 - p) * len;
  const start = (k: number) => (k === 0 ? min : min + k * step);
  return Array.from({ length: n }, (_, k) => ({
    lo: start(k),
    hi: k === n - 1 ? max : Math.max(min + k * step + len, start(k + 1)),
  }));
}

/** KeplerMapper's cover: centres m + (k+½)R/n, radius R/(2n(1−p)), closed (the ends overhang [m, M]). */
export function keplerIntervals(min: number, max: number, n: number, p: number): Interval[] {
  const r = max - min;
  const radius = r / (2 * n * (1 - p));
  return Array.from({ length: n }, (_, k) => {
    const c = min + ((k + 0.5) * r) / n;
    return { lo: c - radius, hi: c + radius };
  });
}

/** First position in `order` whose lens value is ≥ v (or > v when `strict`). */
function lowerBound(lens: Float64Array, order: Int32Array, v: number, strict: boolean): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = lens[order[mid]];
    if (strict ? x <= v : x < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sortedSlice(order: Int32Array, from: number, to: number): Int32Array {
  return order.slice(from, Math.max(from, to)).sort();
}

/**
 * Balanced cover (giotto-tda): dense ranks r ∈ {0…U−1}, the uniform formula on [−½, U−½] of length U,
 * open membership α_k < r < β_k. With p = 0 a rank that falls exactly on a shared end is in no interval.
 */
function balancedCover(lens: Float64Array, order: Int32Array, n: number, p: number): Cover {
  const rankAt = new Float64Array(order.length);
  let u = 0;
  for (let q = 0; q < order.length; q++) {
    if (q > 0 && lens[order[q]] !== lens[order[q - 1]]) u++;
    rankAt[q] = u;
  }
  const ranks = order.length ? u + 1 : 0;
  const len = ranks / (n - (n - 1) * p);
  const step = (1 - p) * len;
  const intervals: Interval[] = [];
  const preimages: Int32Array[] = [];
  for (let k = 0; k < n; k++) {
    const a = -0.5 + k * step;
    const b = a + len;
    // ranks are ascending along `order`: the open interval is a contiguous range of positions
    let from = 0;
    while (from < rankAt.length && rankAt[from] <= a) from++;
    let to = from;
    while (to < rankAt.length && rankAt[to] < b) to++;
    intervals.push({ lo: from < to ? lens[order[from]] : a, hi: from < to ? lens[order[to - 1]] : b });
    preimages.push(sortedSlice(order, from, to));
  }
  return { kind: 'balanced', intervals, preimages };
}

export function buildCover(
  kind: CoverKind,
  lens: Float64Array,
  order: Int32Array,
  n: number,
  p: number,
): Cover {
  validateCoverParams(n, p);
  if (kind === 'balanced') return balancedCover(lens, order, n, p);
  if (kind !== 'uniform' && kind !== 'keplermapper') {
    throw new InputError('', `unknown cover "${String(kind)}"`, 'bad-parameter');
  }
  const min = order.length ? lens[order[0]] : 0;
  const max = order.length ? lens[order[order.length - 1]] : 0;
  const intervals = kind === 'uniform' ? uniformIntervals(min, max, n, p) : keplerIntervals(min, max, n, p);
  const preimages = intervals.map(({ lo, hi }) =>
    sortedSlice(order, lowerBound(lens, order, lo, false), lowerBound(lens, order, hi, true)),
  );
  return { kind, intervals, preimages };
}
