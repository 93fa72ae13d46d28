import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pearson, ranks, spearman } from '../../../src/core/topology/correlation';

test('Pearson of a linear relation is ±1, of known data the textbook value', () => {
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [3, 5, 7, 9]) - 1) < 1e-15);
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-15);
  // x = 1..5, y = 2,4,5,4,5: r = 6 / √(10·6.0) = 0.7745966692
  assert.ok(Math.abs(pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5]) - 0.7745966692414834) < 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
});

test('Spearman uses tie-averaged ranks and is invariant under monotone maps', () => {
  assert.deepEqual(Array.from(ranks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  const x = [0.1, 0.5, 0.3, 0.9, 0.7];
  assert.ok(
    Math.abs(
      spearman(
        x,
        x.map((v) => Math.exp(5 * v)),
      ) - 1,
    ) < 1e-15,
  );
  // d = rank differences 1,−1,0 on n = 3 → ρ = 1 − 6·2/(3·8) = 0.5
  assert.ok(Math.abs(spearman([1, 2, 3], [2, 1, 3]) - 0.5) < 1e-15);
});
