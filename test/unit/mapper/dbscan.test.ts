import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dbscan, dbscanBlock } from '../../../src/core/mapper/dbscan';
import { buildBlock, restrictBlock, rowStart } from '../../../src/core/mapper/neighbors';
import { mulberry32, randomNormal } from '../../../src/core/random';
import type { Metric } from '../../../src/core/mapper/types';

/** The definition, pair by pair, in float64. */
function dist(x: Float32Array, d: number, i: number, j: number, metric: Metric): number {
  let s = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < d; k++) {
    const a = x[i * d + k];
    const b = x[j * d + k];
    s += (a - b) * (a - b);
    dot += a * b;
    na += a * a;
    nb += b * b;
  }
  if (metric === 'euclidean') return Math.sqrt(s);
  return na === 0 || nb === 0 ? 1 : 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/** scikit-learn's dbscan_inner, literally: depth-first expansion from each unlabelled core point in index order. */
function referenceDbscan(x: Float32Array, d: number, eps: number, minSamples: number, metric: Metric) {
  const n = x.length / d;
  const nbrs: number[][] = [];
  for (let i = 0; i < n; i++) {
    nbrs.push([]);
    // a point always counts itself (DESIGN.md §5), even where 1 − cos(x, x) rounds above 0
    for (let j = 0; j < n; j++) if (j === i || dist(x, d, i, j, metric) <= eps) nbrs[i].push(j);
  }
  const core = nbrs.map((l) => l.length >= minSamples);
  const labels = new Array<number>(n).fill(-1);
  let label = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) continue;
    const stack: number[] = [];
    let p = i;
    for (;;) {
      if (labels[p] === -1) {
        labels[p] = label;
        if (core[p]) for (const q of nbrs[p]) if (labels[q] === -1) stack.push(q);
      }
      if (stack.length === 0) break;
      p = stack.pop()!;
    }
    label++;
  }
  return { labels, core, clusters: label };
}

function blobs(
  rng: () => number,
  n: number,
  d: number,
  k: number,
  spread: number,
  grid: number,
): Float32Array {
  const centres = Array.from({ length: k * d }, () => 10 * rng() - 5);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * k);
    for (let j = 0; j < d; j++) {
      const v = centres[c * d + j] + spread * randomNormal(rng);
      // a coarse grid makes duplicates and distances exactly at eps likely
      x[i * d + j] = grid > 0 ? Math.round(v / grid) * grid : v;
    }
  }
  return x;
}

const caseArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  n: fc.integer({ min: 1, max: 160 }),
  d: fc.integer({ min: 1, max: 12 }),
  k: fc.integer({ min: 1, max: 5 }),
  spread: fc.double({ min: 0.05, max: 3, noNaN: true }),
  grid: fc.constantFrom(0, 0, 0.5, 1),
  eps: fc.double({ min: 0, max: 4, noNaN: true }),
  minSamples: fc.integer({ min: 1, max: 8 }),
});

for (const metric of ['euclidean', 'cosine'] as const) {
  test(`DBSCAN (${metric}) equals scikit-learn's algorithm run by brute force: cores, clusters, borders, noise`, () => {
    fc.assert(
      fc.property(caseArb, ({ seed, n, d, k, spread, grid, eps, minSamples }) => {
        const x = blobs(mulberry32(seed), n, d, k, spread, grid);
        const e = metric === 'cosine' ? eps / 8 : eps;
        const members = Int32Array.from({ length: n }, (_, i) => i);
        const got = dbscan(x, d, members, e, minSamples, metric);
        const want = referenceDbscan(x, d, e, minSamples, metric);
        assert.deepEqual(Array.from(got.core, Boolean), want.core);
        assert.equal(got.clusters, want.clusters);
        assert.deepEqual(Array.from(got.labels), want.labels);
      }),
      { numRuns: 200 },
    );
  });
}

test('DBSCAN on a subset of rows numbers members in the subset order', () => {
  const rng = mulberry32(7);
  const x = blobs(rng, 300, 3, 3, 0.4, 0);
  const members = Int32Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 1);
  const sub = new Float32Array(members.length * 3);
  members.forEach((r, i) => sub.set(x.subarray(r * 3, r * 3 + 3), i * 3));
  const got = dbscan(x, 3, members, 0.5, 4);
  const want = referenceDbscan(sub, 3, 0.5, 4, 'euclidean');
  assert.deepEqual(Array.from(got.labels), want.labels);
  assert.ok(want.clusters >= 2);
});

test('a border point reached by two clusters joins the one numbered first (lowest core index)', () => {
  // rows 0–3: cluster B around 2; rows 4–7: cluster A around 0; row 8: a border point at 1 between them
  const x = Float32Array.from([1.7, 1.8, 1.9, 2.0, 0.3, 0.2, 0.1, 0.0, 1.0]);
  const got = dbscan(
    x,
    1,
    Int32Array.from({ length: 9 }, (_, i) => i),
    0.75,
    4,
  );
  assert.deepEqual(Array.from(got.core), [1, 1, 1, 1, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(got.labels), [0, 0, 0, 0, 1, 1, 1, 1, 0]);
  assert.deepEqual(referenceDbscan(x, 1, 0.75, 4, 'euclidean').labels, Array.from(got.labels));
  // swapping which cluster comes first moves the border point with it
  const y = Float32Array.from([0.3, 0.2, 0.1, 0.0, 1.7, 1.8, 1.9, 2.0, 1.0]);
  assert.deepEqual(
    Array.from(
      dbscan(
        y,
        1,
        Int32Array.from({ length: 9 }, (_, i) => i),
        0.75,
        4,
      ).labels,
    ),
    [0, 0, 0, 0, 1, 1, 1, 1, 0],
  );
});

test("DBSCAN in 32+ dimensions (the kernel's pair list in either form, the searches it gives way to) equals the brute-force algorithm, ties at eps included", () => {
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        n: fc.integer({ min: 1, max: 120 }),
        d: fc.integer({ min: 32, max: 70 }),
        k: fc.integer({ min: 1, max: 4 }),
        spread: fc.double({ min: 0.05, max: 1, noNaN: true }),
        grid: fc.constantFrom(0, 0.5, 1),
        eps: fc.double({ min: 0, max: 10, noNaN: true }),
        minSamples: fc.integer({ min: 1, max: 8 }),
        // far from the origin the Gram form's error (which grows with the norms) is too wide, and the
        // kernel's tiles take the difference form
        offset: fc.constantFrom(0, 0, 3000),
      }),
      ({ seed, n, d, k, spread, grid, eps, minSamples, offset }) => {
        const x = blobs(mulberry32(seed), n, d, k, spread, grid).map((v) => v + offset);
        // on the grid, distances are square roots of multiples of grid²: hit some exactly
        const e = grid > 0 ? Math.sqrt(Math.round((eps / grid) ** 2)) * grid : eps;
        const members = Int32Array.from({ length: n }, (_, i) => i);
        const want = referenceDbscan(x, d, e, minSamples, 'euclidean');
        // the pair list, and the per-row searches it gives way to when over budget
        for (const budget of [undefined, 0, 5]) {
          const got = dbscanBlock(buildBlock(x, d, members, 'euclidean'), e, minSamples, budget);
          assert.deepEqual(Array.from(got.core, Boolean), want.core);
          assert.equal(got.clusters, want.clusters);
          assert.deepEqual(Array.from(got.labels), want.labels);
        }
      },
    ),
    { numRuns: 60 },
  );
});

/** Runs f with the WebAssembly kernel switched off: the plain float64 searches. */
function withoutKernel<T>(f: () => T): T {
  process.env.TOPOSCOPE_NO_WASM = '1';
  try {
    return f();
  } finally {
    delete process.env.TOPOSCOPE_NO_WASM;
  }
}

test('with and without the SIMD kernel, on sets large enough for the dual-tree walk: the same DBSCAN as brute force', () => {
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        n: fc.integer({ min: 150, max: 700 }),
        d: fc.constantFrom(1, 2, 3, 5, 10, 31, 32, 40),
        k: fc.integer({ min: 1, max: 6 }),
        spread: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
        grid: fc.constantFrom(0, 0, 0.5),
        quantile: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
        minSamples: fc.integer({ min: 2, max: 8 }),
      }),
      ({ seed, n, d, k, spread, grid, quantile, minSamples }) => {
        const x = blobs(mulberry32(seed), n, d, k, spread, grid);
        // eps at a quantile of the distances from row 0, so that clusters, borders and noise all occur
        const from0 = Array.from({ length: n }, (_, j) => dist(x, d, 0, j, 'euclidean')).sort(
          (a, b) => a - b,
        );
        const e = from0[Math.floor(quantile * (n - 1))];
        const members = Int32Array.from({ length: n }, (_, i) => i);
        const want = referenceDbscan(x, d, e, minSamples, 'euclidean');
        const fast = dbscan(x, d, members, e, minSamples);
        const plain = withoutKernel(() => dbscan(x, d, members, e, minSamples));
        for (const got of [fast, plain]) {
          assert.deepEqual(Array.from(got.core, Boolean), want.core);
          assert.equal(got.clusters, want.clusters);
          assert.deepEqual(Array.from(got.labels), want.labels);
        }
      },
    ),
    { numRuns: 40 },
  );
});

test('a preimage clustered on the whole set’s tree (restrictBlock, quantised where it may) equals DBSCAN on a tree of its own', () => {
  let quantised = 0;
  fc.assert(
    fc.property(
      fc.record({
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        n: fc.integer({ min: 20, max: 600 }),
        d: fc.constantFrom(2, 10, 40, 64),
        keep: fc.double({ min: 0.05, max: 1, noNaN: true }),
        eps: fc.double({ min: 0.1, max: 6, noNaN: true }),
        minSamples: fc.integer({ min: 1, max: 6 }),
      }),
      ({ seed, n, d, keep, eps, minSamples }) => {
        const rng = mulberry32(seed);
        const x = blobs(rng, n, d, 3, 0.8, 0);
        const members = Int32Array.from({ length: n }, (_, i) => i).filter(() => rng() < keep);
        const all = Int32Array.from({ length: n }, (_, i) => i);
        for (const run of [(f: () => unknown) => f(), withoutKernel]) {
          run(() => {
            const whole = buildBlock(x, d, all, 'euclidean');
            const want = dbscan(x, d, members, eps, minSamples);
            // without eps the block keeps float rows; with it, rows stored by rows are quantised
            for (const block of [restrictBlock(whole, members), restrictBlock(whole, members, null, eps)]) {
              if (block.quantised) quantised++;
              const got = dbscanBlock(block, eps, minSamples);
              assert.deepEqual(Array.from(got.labels), Array.from(want.labels));
              assert.deepEqual(Array.from(got.core), Array.from(want.core));
            }
          });
        }
      },
    ),
    { numRuns: 60 },
  );
  assert.ok(quantised > 5, `${quantised} quantised blocks`);
});

test('every node’s ball holds its rows, and each row its leaf distance (plain and kernel builds, restricted too); with a kernel the centres are float32 values (its queries) and its norms those of the rows', () => {
  for (const d of [3, 40, 100]) {
    const n = 900;
    const x = blobs(mulberry32(d), n, d, 3, d === 3 ? 0.5 : 2, 0);
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const some = all.filter((i) => i % 3 !== 0);
    for (const build of [
      () => buildBlock(x, d, all, 'euclidean'),
      () => withoutKernel(() => buildBlock(x, d, all, 'euclidean')),
    ]) {
      const whole = build();
      if (whole.kernel) {
        assert.ok(whole.centre.every((c) => c === Math.fround(c)));
        assert.deepEqual(Array.from(whole.centre32!), Array.from(whole.centre));
      }
      for (const b of [whole, restrictBlock(whole, some), restrictBlock(whole, some, null, 1)]) {
        // the Gram form's norms, copied along with the rows into a restricted block
        if (b.kernel && !b.kernel.byColumns) {
          for (let p = 0; p < b.m; p++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += b.rows[p * d + j] * b.rows[p * d + j];
            // float64 sums (in any order: ~d·2⁻⁵³), rounded to float32
            assert.ok(Math.abs(b.kernel.norms[p] - s) <= 2 ** -23 * s);
          }
        }
        for (let v = 0; v < b.start.length; v++) {
          for (let p = b.start[v]; p < b.end[v]; p++) {
            let s = 0;
            for (let j = 0; j < d; j++) s += (b.rows[rowStart(b, p) + j] - b.centre[v * d + j]) ** 2;
            assert.ok(Math.sqrt(s) <= b.radius[v] + b.slack, `d ${d}: row ${p} outside node ${v}`);
            if (b.left[v] < 0) assert.ok(Math.abs(Math.sqrt(s) - b.leafDist[p]) <= 1e-9 * (1 + Math.sqrt(s)));
          }
        }
      }
    }
  }
});

test('pairs the kernel cannot decide (distance exactly eps) still join clusters and reach border points', () => {
  // on a line in 40 dimensions: clusters of five rows one apart, A (0…4) and B (9…13) linked only by the
  // pair (4, 9), exactly eps apart; C (40…44) and D (54…58) apart; a row at 49, exactly eps from C's 44 and
  // D's 54, is a border point of C, the cluster numbered first
  const d = 40;
  const eps = 5;
  const positions = [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 40, 41, 42, 43, 44, 54, 55, 56, 57, 58, 49];
  const n = positions.length;
  const x = new Float32Array(n * d);
  positions.forEach((t, i) => (x[i * d] = t));
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const want = withoutKernel(() => dbscan(x, d, all, eps, 5));
  assert.deepEqual(Array.from(want.labels), [
    ...new Array(10).fill(0),
    ...new Array(5).fill(1),
    ...new Array(5).fill(2),
    1,
  ]);
  const whole = buildBlock(x, d, all, 'euclidean');
  assert.ok(whole.kernel, 'WebAssembly SIMD runs here');
  const restricted = restrictBlock(whole, all, null, eps);
  assert.ok(restricted.quantised);
  for (const block of [whole, restricted]) {
    const got = dbscanBlock(block, eps, 5);
    assert.deepEqual(Array.from(got.labels), Array.from(want.labels));
    assert.deepEqual(Array.from(got.core), Array.from(want.core));
  }
});
