import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomReluMlp, loadReluMlp } from '../../../src/core/model/relu-mlp';
import { buildComplex } from '../../../src/core/polytope/complex';
import { facetDual, hamming1Dual, toCsr } from '../../../src/core/polytope/dual';
import { fiedlerOfDual, partitionMetrics } from '../../../src/core/polytope/fiedler';
import { readTrainingCsv } from '../../../src/core/polytope/domain';
import { locatePoints } from '../../../src/core/polytope/locate';
import { fiedlerDense, fiedlerMultilevel } from '../../../src/core/linalg/fiedler-solver';
import { smallestEigenpairs } from '../../../src/core/linalg/dense-eigen';
import type { DualGraph } from '../../../src/core/polytope/types';

const spirals = path.resolve(__dirname, '../../../../shared/fixtures/spirals');

function graph(n: number, pairs: [number, number][]): DualGraph {
  return {
    kind: 'facet',
    nodes: n,
    source: Uint32Array.from(pairs, (p) => p[0]),
    target: Uint32Array.from(pairs, (p) => p[1]),
  };
}

test('dense eigenpairs of a random symmetric matrix have tiny residuals and ascending values', () => {
  const n = 60;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = Math.sin(i * 7 + j * 3);
  const copy = a.slice();
  const { values, vectors } = smallestEigenpairs(a, n, 4);
  for (let k = 0; k < 4; k++) {
    if (k > 0) assert.ok(values[k] >= values[k - 1]);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += copy[i * n + j] * vectors[k][j];
      assert.ok(Math.abs(s - values[k] * vectors[k][i]) < 1e-10);
    }
  }
});

test('path graph: λ₂ = 2 − 2cos(π/n) and the Fiedler vector is cos(π(i + ½)/n)', () => {
  const n = 40;
  const g = graph(
    n,
    Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]),
  );
  const f = fiedlerOfDual(g, null);
  assert.ok(Math.abs(f.lambda2 - (2 - 2 * Math.cos(Math.PI / n))) < 1e-12);
  assert.ok(Math.abs(f.lambda3 - (2 - 2 * Math.cos((2 * Math.PI) / n))) < 1e-12);
  const ref = Float64Array.from({ length: n }, (_, i) => Math.cos((Math.PI * (i + 0.5)) / n));
  const norm = Math.sqrt(ref.reduce((s, x) => s + x * x, 0));
  let dot = 0;
  for (let i = 0; i < n; i++) dot += (ref[i] / norm) * f.vector[i];
  assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-10);
  // Sign split: the first half against the second.
  for (let i = 0; i < n; i++)
    assert.equal(f.side[i], f.side[0] === 1 ? (i < n / 2 ? 1 : 0) : i < n / 2 ? 0 : 1);
});

test('two cliques joined by one edge split exactly into the cliques', () => {
  const pairs: [number, number][] = [];
  for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) pairs.push([i, j], [i + 8, j + 8]);
  pairs.push([7, 8]);
  for (const weights of [null, Int32Array.from({ length: 16 }, (_, i) => i % 3)]) {
    const f = fiedlerOfDual(graph(16, pairs), weights);
    assert.equal(f.components, 1);
    for (let i = 0; i < 8; i++) {
      assert.equal(f.side[i], f.side[0]);
      assert.equal(f.side[i + 8], 1 - f.side[0]);
    }
    assert.ok(f.gapRatio > 10, 'a clear partition has a large gap λ₃/λ₂');
  }
});

test('a disconnected graph is solved per component', () => {
  const f = fiedlerOfDual(
    graph(7, [
      [0, 1],
      [1, 2],
      [3, 4],
      [4, 5],
      [5, 6],
    ]),
    null,
  );
  assert.equal(f.components, 2);
  assert.deepEqual(Array.from(f.componentOf), [0, 0, 0, 1, 1, 1, 1]);
  // Largest component: path of 4 nodes.
  assert.ok(Math.abs(f.lambda2 - (2 - 2 * Math.cos(Math.PI / 4))) < 1e-12);
  // Each component's vector is W-orthogonal to its constants.
  assert.ok(Math.abs(f.vector[0] + f.vector[1] + f.vector[2]) < 1e-12);
  assert.ok(Math.abs(f.vector[3] + f.vector[4] + f.vector[5] + f.vector[6]) < 1e-12);
});

test('the multilevel solver agrees with the dense one on dual graphs up to 1 000 faces', () => {
  for (const [widths, seed] of [
    [[2, 12, 12, 1], 3],
    [[2, 20, 20, 1], 1],
    [[2, 25, 25, 25, 1], 4],
  ] as [number[], number][]) {
    const c = buildComplex(randomReluMlp(widths, seed), { box: [-1, 1, -1, 1] });
    const g = toCsr(facetDual(c));
    assert.ok(g.n <= 1000);
    const mass = Float64Array.from({ length: g.n }, (_, i) => 1 + ((i * 7) % 5));
    const d = fiedlerDense(g, mass);
    const m = fiedlerMultilevel(g, mass, { tolerance: 1e-9 });
    assert.ok(
      Math.abs(d.lambda2 - m.lambda2) <= 1e-6 * d.lambda2,
      `λ₂ ${d.lambda2} vs ${m.lambda2} (n = ${g.n})`,
    );
    assert.ok(Math.abs(d.lambda3 - m.lambda3) <= 1e-6 * d.lambda3, `λ₃ ${d.lambda3} vs ${m.lambda3}`);
    let dot = 0;
    for (let i = 0; i < g.n; i++) dot += d.vector[i] * m.vector[i] * mass[i];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-6, `W-cosine ${dot}`);
    assert.ok(m.residual < 1e-8);
  }
});

test('spirals: Fiedler metrics and λ₂ of expected_polytope.json for both Laplacians on both dual graphs', async () => {
  const expected = JSON.parse(readFileSync(path.join(spirals, 'expected_polytope.json'), 'utf8'));
  const mlp = await loadReluMlp(path.join(spirals, 'model.onnx'));
  const c = buildComplex(mlp, { box: expected.box });
  const train = await readTrainingCsv(path.join(spirals, 'train.csv'));
  const face = locatePoints(c, mlp, train.xy, train.n);
  const F = c.faceArea.length;
  const count = new Int32Array(F);
  const labelSum = new Float64Array(F);
  face.forEach((f, i) => {
    assert.ok(f >= 0);
    count[f]++;
    labelSum[f] += train.labels[i];
  });
  assert.equal(count.filter((x) => x > 0).length, expected.regions_with_training_points);
  for (const dual of [facetDual(c), hamming1Dual(c)]) {
    for (const weighted of [false, true]) {
      const ref = expected[`fiedler_${weighted ? 'weighted' : 'unweighted'}_${dual.kind}`];
      const f = fiedlerOfDual(dual, weighted ? count : null);
      const m = partitionMetrics(f.side, count, labelSum);
      const what = `${dual.kind} ${weighted ? 'weighted' : 'unweighted'}`;
      assert.ok(Math.abs(m.misclassifiedPct - ref.misclassified_pct) < 1e-6, what);
      assert.ok(Math.abs(m.l2Error - ref.l2_error) < 1e-6, what);
      assert.ok(Math.abs(f.lambda2 - ref.eigenvalues[1]) < 1e-6, what);
    }
  }
});

test('partition metrics take the better of the split and its complement', () => {
  const side = Uint8Array.of(1, 1, 0, 0, 1);
  const count = Int32Array.of(2, 1, 1, 3, 0);
  const labelSum = Float64Array.of(0, 0, 1, 2, 0); // means 0, 0, 1, 2/3; the last face holds no points
  const m = partitionMetrics(side, count, labelSum);
  assert.equal(m.facesWithPoints, 4);
  assert.equal(m.flipped, true);
  assert.equal(m.misclassifiedPct, 0);
  assert.ok(Math.abs(m.l2Error - 1 / 3) < 1e-15);
});

test('a 60 × 25 grid (1 500 faces, multilevel path) has λ₂ = 2 − 2cos(π/60) and splits left from right', () => {
  const k = 60;
  const m = 25;
  const pairs: [number, number][] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      if (j + 1 < k) pairs.push([i * k + j, i * k + j + 1]);
      if (i + 1 < m) pairs.push([i * k + j, (i + 1) * k + j]);
    }
  }
  const f = fiedlerOfDual(graph(k * m, pairs), null);
  assert.equal(f.solver, 'multilevel');
  assert.ok(Math.abs(f.lambda2 - (2 - 2 * Math.cos(Math.PI / k))) < 1e-9 * f.lambda2);
  assert.ok(Math.abs(f.gapRatio - (2 - 2 * Math.cos((2 * Math.PI) / k)) / f.lambda2) < 1e-6);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) assert.equal(f.side[i * k + j], j < k / 2 ? f.side[0] : 1 - f.side[0]);
  }
});
