import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildEdges } from '../../../src/core/mapper/graph';
import { classInfo, nodeStats, purity, sizeWeightedMean } from '../../../src/core/mapper/stats';
import { InputError } from '../../../src/core/errors';

test('purity 1 − H(q)/log K, by hand', () => {
  assert.equal(purity([4, 0], 2), 1);
  assert.equal(purity([2, 2], 2), 0);
  // H(¾, ¼) = 0.5623351446188083 nats; log 2 = 0.6931471805599453
  assert.ok(Math.abs(purity([3, 1], 2) - (1 - 0.5623351446188083 / 0.6931471805599453)) < 1e-15);
  // K counts the classes of the whole set, not of the node: a 50/50 node among 4 classes is half pure
  assert.ok(Math.abs(purity([5, 5, 0, 0], 4) - 0.5) < 1e-15);
  assert.equal(purity([7], 1), 1);
});

test('node statistics: size, lens mean, counts, accuracy and top confusions by hand', () => {
  const labels = Int32Array.from([0, 0, 1, 1, 2, 2, 2, 0]);
  const predictions = Int32Array.from([0, 1, 1, 0, 1, 1, 2, 0]);
  const lens = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const info = classInfo(labels, predictions);
  assert.deepEqual(info, { k: 3, width: 3 });
  const s = nodeStats([1, 3, 4, 5, 6], lens, info, labels, predictions);
  assert.equal(s.size, 5);
  assert.equal(s.lensMean, (2 + 4 + 5 + 6 + 7) / 5);
  assert.deepEqual(s.labelCounts, [1, 1, 3]);
  assert.deepEqual(s.predictionCounts, [1, 3, 1]);
  assert.equal(s.accuracy, 1 / 5);
  assert.deepEqual(s.confusions, [
    { label: 2, prediction: 1, count: 2 },
    { label: 0, prediction: 1, count: 1 },
    { label: 1, prediction: 0, count: 1 },
  ]);
  const h = -(0.2 * Math.log(0.2) * 2 + 0.6 * Math.log(0.6));
  assert.ok(Math.abs(s.purity! - (1 - h / Math.log(3))) < 1e-15);
  const bare = nodeStats([0, 1], lens, classInfo());
  assert.equal(bare.purity, null);
  assert.equal(bare.accuracy, null);
  assert.deepEqual(bare.confusions, []);
});

test('weighted average purity Σ n_v p_v / Σ n_v', () => {
  const nodes = [{ size: 10 }, { size: 30 }, { size: 5 }];
  const p = [1, 0.5, null];
  assert.equal(
    sizeWeightedMean(nodes, (i) => p[i]),
    (10 * 1 + 30 * 0.5) / 40,
  );
  assert.equal(
    sizeWeightedMean([], () => 1),
    null,
  );
});

test('negative labels are refused', () => {
  assert.throws(() => classInfo(Int32Array.from([0, -1])), InputError);
});

test('edges from point → node lists equal all-pairs intersections', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 59 }), { maxLength: 30 }), { maxLength: 25 }),
      (n, raw) => {
        const nodes = raw.map((m) => m.filter((i) => i < n).sort((a, b) => a - b));
        const want: string[] = [];
        for (let u = 0; u < nodes.length; u++) {
          for (let v = u + 1; v < nodes.length; v++) {
            const shared = nodes[u].filter((i) => nodes[v].includes(i)).length;
            if (shared > 0) want.push(`${u}-${v}:${shared}`);
          }
        }
        const got = buildEdges(nodes, n).map((e) => `${e.source}-${e.target}:${e.weight}`);
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 200 },
  );
});
