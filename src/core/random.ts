/**
 * A tiny seeded PRNG (mulberry32) so every "random" choice in TopoScope — samples, filtrations, attack
 * starts — is reproducible from its seed on every machine.
 */

/** Uniform floats in [0, 1) from a 32-bit seed (mulberry32: 2³² period, passes SmallCrush). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in {0 … n−1}. */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** A standard normal deviate (Box–Muller). */
export function randomNormal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates). */
export function permutation(rng: () => number, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/**
 * k distinct indices from 0 … n−1, in the order drawn (partial Fisher–Yates over a sparse swap map, so the
 * cost is O(k) even for huge n); all n indices in order when k ≥ n.
 */
export function sampleIndices(rng: () => number, n: number, k: number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const swapped = new Map<number, number>();
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(rng, n - i);
    const vj = swapped.get(j) ?? j;
    out[i] = vj;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return out;
}
