import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kDistanceCurve, quantileSorted } from '../../../src/core/mapper/eps-auto';
import { mulberry32, randomNormal, sampleIndices } from '../../../src/core/random';

function cloud(n: number, d: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from(
    { length: n * d },
    (_, i) => randomNormal(rng) + (i % d === 0 && i % 3 === 0 ? 4 : 0),
  );
}

/** Distance from row i to its k-th nearest other row, by sorting all distances. */
function kthBrute(x: Float32Array, n: number, d: number, i: number, k: number, cosine: boolean): number {
  const ds: number[] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let t = 0; t < d; t++) {
      s += (x[i * d + t] - x[j * d + t]) ** 2;
      dot += x[i * d + t] * x[j * d + t];
      na += x[i * d + t] ** 2;
      nb += x[j * d + t] ** 2;
    }
    ds.push(cosine ? 1 - dot / (Math.sqrt(na) * Math.sqrt(nb)) : Math.sqrt(s));
  }
  return ds.sort((a, b) => a - b)[k - 1];
}

test('numpy-style linear quantile', () => {
  assert.equal(quantileSorted([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantileSorted([0, 10], 0.9) - 9) < 1e-12);
  assert.equal(quantileSorted([7], 0.9), 7);
});

test('eps auto on a small set: every row, k = minSamples − 1, the q-quantile of the exact curve', () => {
  const n = 400;
  const d = 5;
  const x = cloud(n, d, 3);
  const c = kDistanceCurve(x, n, d, 5, 0.9);
  assert.equal(c.k, 4);
  assert.equal(c.sampleSize, n);
  const want = Array.from({ length: n }, (_, i) => kthBrute(x, n, d, i, 4, false)).sort((a, b) => a - b);
  assert.deepEqual(c.values, want);
  assert.equal(c.eps, quantileSorted(want, 0.9));
});

test('eps auto above 2 000 rows: the seeded sample of 2 000, distances to the whole set (cosine too)', () => {
  const n = 2100;
  const d = 3;
  const x = cloud(n, d, 11);
  const sample = sampleIndices(mulberry32(0), n, 2000);
  assert.equal(new Set(sample).size, 2000);
  for (const metric of ['euclidean', 'cosine'] as const) {
    const c = kDistanceCurve(x, n, d, 3, 0.5, metric);
    assert.equal(c.sampleSize, 2000);
    assert.equal(c.values.length, 2000);
    // every 7th sampled row against brute force (each value must occur in the curve)
    const curve = new Set(c.values);
    for (let s = 0; s < 2000; s += 7)
      assert.ok(curve.has(kthBrute(x, n, d, sample[s], 2, metric === 'cosine')));
  }
  // the same call gives the same ε (the sample is seeded)
  assert.equal(kDistanceCurve(x, n, d, 3, 0.5).eps, kDistanceCurve(x, n, d, 3, 0.5).eps);
});

test('duplicates are other points at distance 0', () => {
  const x = Float32Array.from([0, 0, 0, 5, 9]);
  const c = kDistanceCurve(x, 5, 1, 3, 1);
  assert.deepEqual(c.values, [0, 0, 0, 5, 9]);
});

test('eps auto in 32+ dimensions (grouped walks): every row against brute force, duplicates included', () => {
  const n = 301;
  const d = 40;
  const x = cloud(n, d, 5);
  // rows 0–9 repeat row 10: distances of 0 to other rows
  for (let i = 0; i < 10; i++) x.copyWithin(i * d, 10 * d, 11 * d);
  for (const k of [1, 4, 12]) {
    const c = kDistanceCurve(x, n, d, k + 1, 0.9);
    const want = Array.from({ length: n }, (_, i) => kthBrute(x, n, d, i, k, false)).sort((a, b) => a - b);
    assert.deepEqual(Array.from(c.values), want);
  }
});

test('with and without the SIMD kernel, in low and high dimension: every k-distance equals brute force', () => {
  for (const [n, d] of [
    [1500, 3],
    [1200, 10],
    [700, 40],
  ]) {
    const x = cloud(n, d, n + d);
    // exact duplicates and rows on a coarse grid: ties among the k nearest
    for (let i = 0; i < 8; i++) x.copyWithin(i * d, 20 * d, 21 * d);
    for (let i = 40; i < 80; i++) for (let t = 0; t < d; t++) x[i * d + t] = Math.round(x[i * d + t]);
    const want = Array.from({ length: n }, (_, i) => kthBrute(x, n, d, i, 4, false)).sort((a, b) => a - b);
    assert.deepEqual(Array.from(kDistanceCurve(x, n, d, 5, 0.9).values), want, `d ${d}, kernel`);
    process.env.TOPOSCOPE_NO_WASM = '1';
    try {
      assert.deepEqual(Array.from(kDistanceCurve(x, n, d, 5, 0.9).values), want, `d ${d}, plain`);
    } finally {
      delete process.env.TOPOSCOPE_NO_WASM;
    }
  }
});

test('bad ε-rule parameters are refused before the caller’s tree is asked for', () => {
  const x = new Float32Array(20 * 3);
  let asked = 0;
  const whole = (): never => {
    asked++;
    throw new Error('the tree was asked for');
  };
  assert.throws(() => kDistanceCurve(x, 20, 3, 5, 1.5, 'euclidean', whole), /quantile must be in/);
  assert.throws(() => kDistanceCurve(x, 3, 3, 5, 0.9, 'euclidean', whole), /needs more than 4 rows/);
  assert.equal(asked, 0);
});
