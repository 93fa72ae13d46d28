import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomReluMlp } from '../../../src/core/model/relu-mlp';
import { buildComplex, fVectorOf } from '../../../src/core/polytope/complex';
import { bettiCurves } from '../../../src/core/topology/betti';
import { mulberry32, permutation } from '../../../src/core/random';
import type { CellComplex } from '../../../src/core/polytope/types';

/**
 * The oracle: Z₂ persistence by the standard column reduction of the boundary matrix, ranks read off at
 * every step. β_k(t) = #k-cells added − rank ∂_k(t) − rank ∂_{k+1}(t).
 */
function bettiByReduction(
  edges: Uint32Array,
  faceEdges: number[][],
  order: { dim: number; id: number }[],
): { beta0: number[]; beta1: number[] } {
  const index = new Map<string, number>();
  order.forEach((c, i) => index.set(`${c.dim}:${c.id}`, i));
  const columns: Set<number>[] = order.map((c) => {
    if (c.dim === 0) return new Set();
    if (c.dim === 1)
      return new Set([index.get(`0:${edges[2 * c.id]}`)!, index.get(`0:${edges[2 * c.id + 1]}`)!]);
    return new Set(faceEdges[c.id].map((e) => index.get(`1:${e}`)!));
  });
  const pivotOwner = new Map<number, number>();
  const counts = [0, 0, 0];
  const ranks = [0, 0, 0]; // rank of ∂_1, ∂_2
  const beta0: number[] = [];
  const beta1: number[] = [];
  columns.forEach((col, j) => {
    for (const r of col) assert.ok(r < j, 'a cell enters after its faces');
    while (col.size > 0) {
      const low = Math.max(...col);
      const other = pivotOwner.get(low);
      if (other === undefined) {
        pivotOwner.set(low, j);
        ranks[order[j].dim]++;
        break;
      }
      for (const r of columns[other]) {
        if (col.has(r)) col.delete(r);
        else col.add(r);
      }
    }
    counts[order[j].dim]++;
    beta0.push(counts[0] - ranks[1]);
    beta1.push(counts[1] - ranks[1] - ranks[2]);
  });
  return { beta0, beta1 };
}

function faceEdgeLists(c: CellComplex): number[][] {
  const byPair = new Map<string, number>();
  for (let e = 0; e < c.edgeVertices.length / 2; e++)
    byPair.set(`${c.edgeVertices[2 * e]},${c.edgeVertices[2 * e + 1]}`, e);
  return Array.from({ length: c.faceArea.length }, (_, f) => {
    const s0 = c.faceOffsets[f];
    const s1 = c.faceOffsets[f + 1];
    const out: number[] = [];
    for (let i = s0; i < s1; i++) {
      const a = c.faceVertices[i];
      const b = c.faceVertices[i + 1 < s1 ? i + 1 : s0];
      out.push(byPair.get(`${Math.min(a, b)},${Math.max(a, b)}`)!);
    }
    return out;
  });
}

test('one trial equals Z₂ column reduction at every step (vertices, edges, faces each shuffled)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), (netSeed, seed) => {
      const c = buildComplex(randomReluMlp([2, 6, 5, 1], netSeed), { box: [-1, 1, -1, 1] });
      const [f0, f1, f2] = fVectorOf(c);
      const curves = bettiCurves(f0, c.edgeVertices, f2, { trials: 1, seed });
      // The same edge order as the implementation draws; vertex and face orders drawn independently.
      const edgeOrder = permutation(mulberry32(seed), f1);
      const other = mulberry32(seed ^ 0x9e3779b9);
      const order = [
        ...Array.from(permutation(other, f0), (id) => ({ dim: 0, id })),
        ...Array.from(edgeOrder, (id) => ({ dim: 1, id })),
        ...Array.from(permutation(other, f2), (id) => ({ dim: 2, id })),
      ];
      const ref = bettiByReduction(c.edgeVertices, faceEdgeLists(c), order);
      assert.deepEqual(Array.from(curves.beta0), ref.beta0);
      assert.deepEqual(Array.from(curves.beta1), ref.beta1);
    }),
    { numRuns: 25, seed: 7 },
  );
});

test('averaged curves: max β₀ = f₀, max β₁ = f₂, closed forms at the block boundaries', () => {
  for (const seed of [0, 1, 2, 3]) {
    const c = buildComplex(randomReluMlp([2, 12, 12, 12, 1], seed), { box: [-2, 2, -2, 2] });
    const [f0, f1, f2] = fVectorOf(c);
    const b = bettiCurves(f0, c.edgeVertices, f2, { trials: 25, seed });
    assert.deepEqual(b.fVector, [f0, f1, f2]);
    assert.equal(b.max.beta0, f0);
    assert.equal(b.max.beta1, f2);
    assert.equal(b.beta0[f0 - 1], f0);
    assert.equal(b.beta1[f0 - 1], 0);
    assert.equal(b.beta1[f0 + f1 - 1], f2, 'all edges in: one independent cycle per face');
    assert.equal(b.beta0[f0 + f1 + f2 - 1], 1);
    assert.equal(b.beta1[f0 + f1 + f2 - 1], 0);
    assert.equal(b.beta1PeakFraction, (f0 + f1) / (f0 + f1 + f2));
    assert.equal(b.fraction[b.fraction.length - 1], 1);
    for (let s = 1; s < b.beta0.length; s++) assert.ok(b.beta0[s] <= b.beta0[s - 1] + 1);
  }
});

test('the same seed gives the same curves; another seed changes the edge phase only', () => {
  const c = buildComplex(randomReluMlp([2, 10, 10, 1], 5), { box: [-1, 1, -1, 1] });
  const [f0, f1, f2] = fVectorOf(c);
  const a = bettiCurves(f0, c.edgeVertices, f2, { trials: 5, seed: 1 });
  const b = bettiCurves(f0, c.edgeVertices, f2, { trials: 5, seed: 1 });
  const d = bettiCurves(f0, c.edgeVertices, f2, { trials: 5, seed: 2 });
  assert.deepEqual(a.beta0, b.beta0);
  assert.notDeepEqual(Array.from(a.beta0.subarray(f0, f0 + f1)), Array.from(d.beta0.subarray(f0, f0 + f1)));
});
