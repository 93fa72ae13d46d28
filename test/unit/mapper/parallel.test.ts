import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbscanBlock } from '../../../src/core/mapper/dbscan';
import { buildBlock, restrictBlock, type PointBlock } from '../../../src/core/mapper/neighbors';
import { dbscanEach, helperThreads, kthEach, pauseHelpers } from '../../../src/core/mapper/parallel';
import { kthNeighbourDistancesTiled } from '../../../src/core/mapper/tiled';
import { mulberry32, randomNormal } from '../../../src/core/random';

/** The tree of n rows of a seeded four-blob mixture in d dimensions. */
function mixtureBlock(n: number, d: number, seed: number): PointBlock {
  const rng = mulberry32(seed);
  const centres = Array.from({ length: 4 * d }, () => 6 * rng() - 3);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * 4);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + randomNormal(rng);
  }
  return buildBlock(
    x,
    d,
    Int32Array.from({ length: n }, (_, i) => i),
    'euclidean',
  );
}

/** Overlapping runs of rows, like a cover's preimages. */
function preimages(n: number, count: number): Int32Array[] {
  const len = Math.ceil((2 * n) / count);
  return Array.from({ length: count }, (_, k) => {
    const from = Math.min(n - 1, Math.floor((k * n) / count));
    return Int32Array.from({ length: Math.min(len, n - from) }, (_, i) => from + i);
  });
}

test('preimages clustered on helper threads equal DBSCAN on the calling thread', () => {
  process.env.TOPOSCOPE_HELPERS = '1';
  for (const d of [5, 40]) {
    const n = 2500;
    const whole = mixtureBlock(n, d, d);
    const parts = preimages(n, 9);
    const eps = d === 5 ? 1.2 : 7.5;
    const done: number[] = [];
    const got = dbscanEach(whole, parts, eps, 5, (i) => done.push(i), 0);
    assert.equal(helperThreads(), 1);
    // the calling thread kept some, the helper took the rest
    assert.ok(done.length > 0 && done.length < parts.length, `own tasks ${done.length}`);
    parts.forEach((rows, i) => {
      const want = dbscanBlock(restrictBlock(whole, rows), eps, 5);
      assert.deepEqual(Array.from(got[i].labels), Array.from(want.labels));
      assert.deepEqual(Array.from(got[i].core), Array.from(want.core));
      assert.equal(got[i].clusters, want.clusters);
      assert.ok(want.clusters > 0);
    });
  }
});

test('a run cancelled on the calling thread throws at once, and the next run is not confused by its answers', () => {
  const n = 2000;
  const d = 8;
  const whole = mixtureBlock(n, d, 3);
  const parts = preimages(n, 6);
  const cancelled = (): void => {
    throw new Error('cancelled');
  };
  assert.throws(() => dbscanEach(whole, parts, 1.5, 4, cancelled, 0), /cancelled/);
  const again = dbscanEach(whole, parts, 1.5, 4, () => undefined, 0);
  parts.forEach((rows, i) =>
    assert.deepEqual(
      Array.from(again[i].labels),
      Array.from(dbscanBlock(restrictBlock(whole, rows), 1.5, 4).labels),
    ),
  );
});

test('k-distances computed in chunks on helper threads equal the calling thread’s', () => {
  for (const d of [6, 48]) {
    const n = 3000;
    const whole = mixtureBlock(n, d, 11 + d);
    const positions = Int32Array.from({ length: 700 }, (_, i) => (i * 37) % n);
    const got = kthEach(whole, positions, 4, 0);
    const want = kthNeighbourDistancesTiled(whole, whole.kernel!, positions, 4);
    assert.deepEqual(Array.from(got), Array.from(want));
    assert.ok(helperThreads() >= 1);
  }
});

test('a helper silent past the stall time is retired and its tasks run on the calling thread', () => {
  const n = 2000;
  const d = 8;
  const whole = mixtureBlock(n, d, 9);
  const parts = preimages(n, 6);
  dbscanEach(whole, parts, 1.5, 4, () => undefined, 0);
  assert.ok(helperThreads() >= 1);
  pauseHelpers(10_000);
  const t0 = performance.now();
  const got = dbscanEach(whole, parts, 1.5, 4, () => undefined, 0, 300);
  assert.ok(performance.now() - t0 < 5_000, 'did not wait for the paused helper');
  assert.equal(helperThreads(), 0);
  parts.forEach((rows, i) =>
    assert.deepEqual(
      Array.from(got[i].labels),
      Array.from(dbscanBlock(restrictBlock(whole, rows), 1.5, 4).labels),
    ),
  );
});
