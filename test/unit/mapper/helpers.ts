import { mulberry32, randomNormal } from '../../../src/core/random';

/** Σₖ (aₖ − bₖ)² of float32 rows in float64: each term is exact, the sum off by ~d·2⁻⁵³ relative. */
export function exactSquared(rows: Float32Array, d: number, p: number, q: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = rows[p * d + k] - rows[q * d + k];
    s += t * t;
  }
  return s;
}

/**
 * Fills x (m rows of d) with Gaussian rows of spread `scale` around a random centre within ±offset, then
 * makes row 0 a copy of row 1 and row 2 one float away from row 3: the cases a distance kernel errs on.
 */
export function hardRows(
  x: Float32Array,
  m: number,
  d: number,
  seed: number,
  scale: number,
  offset: number,
): void {
  const rng = mulberry32(seed);
  const centre = Array.from({ length: d }, () => offset * (2 * rng() - 1));
  for (let i = 0; i < m * d; i++) x[i] = centre[i % d] + scale * randomNormal(rng);
  if (m > 3) {
    x.copyWithin(0, d, 2 * d);
    x[2 * d] = Math.fround(x[3 * d] * (1 + 2 ** -23));
  }
}
