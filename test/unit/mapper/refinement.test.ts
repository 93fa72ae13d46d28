import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refinementCsv, refinementSet, refinementTarget } from '../../../src/core/mapper/refinement';
import { rankWeakRegions } from '../../../src/core/mapper/weak-regions';
import type { MapperNode } from '../../../src/core/mapper/types';

function node(id: number, members: number[], accuracy: number): MapperNode {
  return {
    id,
    interval: id,
    size: members.length,
    members,
    noise: false,
    lensMean: 0,
    purity: 1,
    accuracy,
    labelCounts: null,
    predictionCounts: null,
    confusions: [],
  };
}

test('weak regions: accuracy ascending, ties larger node first, weak below the threshold', () => {
  const nodes = [
    node(0, [1, 2], 0.5),
    node(1, [3, 4, 5, 6], 0.5),
    node(2, [7], 0.95),
    node(3, [8, 9, 10], 0.2),
  ];
  const r = rankWeakRegions(nodes, 0.9);
  assert.deepEqual(
    r.map((w) => w.node),
    [3, 1, 0, 2],
  );
  assert.deepEqual(
    r.map((w) => w.weak),
    [true, true, true, false],
  );
  assert.deepEqual(
    rankWeakRegions(nodes, 0.5).map((w) => w.weak),
    [true, false, false, false],
  );
});

test('refinement set: misclassified members in walk order, each once, truncated to ⌈fraction·N⌉', () => {
  // row i is misclassified when labels ≠ predictions
  const labels = Int32Array.from([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  const predictions = Int32Array.from([0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0]);
  const nodes = [
    node(0, [0, 1, 2, 3], 0.5), // misclassified: 1, 2
    node(1, [2, 4, 5, 6], 0.25), // misclassified: 2, 4, 5
    node(2, [7, 8, 9, 10, 11], 0.8), // misclassified: 7, 8, 9, 11
  ];
  const ranking = rankWeakRegions(nodes);
  assert.deepEqual(
    ranking.map((w) => w.node),
    [1, 0, 2],
  );
  // target ⌈0.3 × 20⌉ = 6: node 1 gives 2, 4, 5; node 0 adds 1 (2 is already in); node 2 adds 7, 8 — truncated
  const s = refinementSet(ranking, nodes, labels, predictions, 0.3, 20);
  assert.equal(s.size, 6);
  assert.deepEqual(s.indices, [2, 4, 5, 1, 7, 8]);
  assert.deepEqual(
    s.rows.map((r) => r.node),
    [1, 1, 1, 0, 2, 2],
  );
  // a target larger than every misclassified sample: all 9 distinct misclassified rows
  const all = refinementSet(ranking, nodes, labels, predictions, 1, 100);
  assert.deepEqual(all.indices, [2, 4, 5, 1, 7, 8, 9, 11]);
  const files = labels.map((_, i) => i).reduce<string[]>((a, i) => [...a, `img,${i}.png`], []);
  const csv = refinementCsv(refinementSet(ranking, nodes, labels, predictions, 0.1, 20, files));
  assert.equal(csv, 'index,file,label,prediction,node\n2,"img,2.png",1,0,1\n4,"img,4.png",1,0,1\n');
});

test('⌈fraction·N⌉ is exact for decimal fractions', () => {
  assert.equal(refinementTarget(0.2, 1000), 200);
  assert.equal(refinementTarget(0.1, 30), 3);
  assert.equal(refinementTarget(0.2, 1001), 201);
  assert.equal(refinementTarget(0.07, 100), 7);
});
