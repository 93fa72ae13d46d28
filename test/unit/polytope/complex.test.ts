import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  forwardReluMlp,
  hiddenCount,
  loadReluMlp,
  randomReluMlp,
  type ReluMlp,
} from '../../../src/core/model/relu-mlp';
import { buildComplex, fVectorOf } from '../../../src/core/polytope/complex';
import { facetDual, hamming1Dual } from '../../../src/core/polytope/dual';
import { sliceDomain, sliceNetwork } from '../../../src/core/polytope/domain';
import { InputError } from '../../../src/core/errors';
import type { CellComplex } from '../../../src/core/polytope/types';

const spirals = path.resolve(__dirname, '../../../../shared/fixtures/spirals');
const meta = JSON.parse(readFileSync(path.join(spirals, 'meta.json'), 'utf8')) as {
  box: [number, number, number, number];
};

/** Every invariant of DESIGN.md §7 and notes/polytope.md, checked by brute force. */
function assertInvariants(mlp: ReluMlp, c: CellComplex): void {
  const [f0, f1, f2] = fVectorOf(c);
  assert.equal(f0 - f1 + f2, 1, 'Euler characteristic');
  assert.equal(c.repairs, 0);
  const [x0, x1, y0, y1] = c.domain.box;
  const boxArea = (x1 - x0) * (y1 - y0);
  let area = 0;
  for (const a of c.faceArea) {
    assert.ok(a > 0, 'faces have positive area (counter-clockwise)');
    area += a;
  }
  assert.ok(Math.abs(area - boxArea) <= 1e-9 * boxArea, `areas sum to the box: ${area} vs ${boxArea}`);
  const seen = new Set<string>();
  const h = c.hidden;
  const pre = new Float64Array(f2 * h);
  const out = forwardReluMlp(mlp, c.faceCentroid, f2, pre);
  for (let f = 0; f < f2; f++) {
    const key = Array.from(c.facePatterns.subarray(f * c.words, (f + 1) * c.words)).join(',');
    assert.ok(!seen.has(key), 'face patterns are unique');
    seen.add(key);
    for (let j = 0; j < h; j++) {
      const bit = (c.facePatterns[f * c.words + (j >>> 5)] >>> (j & 31)) & 1;
      assert.equal(
        bit,
        pre[f * h + j] > 0 ? 1 : 0,
        `face ${f} neuron ${j}: pattern = forward pass at the centroid`,
      );
    }
    for (let o = 0; o < c.outputs; o++) {
      const [a, b, k] = c.faceAffine.subarray((f * c.outputs + o) * 3, (f * c.outputs + o) * 3 + 3);
      const v = a * c.faceCentroid[2 * f] + b * c.faceCentroid[2 * f + 1] + k;
      assert.ok(
        Math.abs(v - out[f * c.outputs + o]) <= 1e-7 * (1 + Math.abs(v)),
        'affine map = network at centroid',
      );
    }
  }
  /** Bit mask of the box sides the vertex lies on (left, right, bottom, top). */
  const sides = (v: number): number => {
    const x = c.vertexXY[2 * v];
    const y = c.vertexXY[2 * v + 1];
    const tol = 1e-9 * Math.max(x1 - x0, y1 - y0);
    return (
      (Math.abs(x - x0) < tol ? 1 : 0) |
      (Math.abs(x - x1) < tol ? 2 : 0) |
      (Math.abs(y - y0) < tol ? 4 : 0) |
      (Math.abs(y - y1) < tol ? 8 : 0)
    );
  };
  for (let e = 0; e < f1; e++) {
    const [a, b] = [c.edgeVertices[2 * e], c.edgeVertices[2 * e + 1]];
    const [fa, fb] = [c.edgeFaces[2 * e], c.edgeFaces[2 * e + 1]];
    assert.ok(fa >= 0 && fa !== fb, 'every edge bounds a face');
    const alongSide = (sides(a) & sides(b)) !== 0;
    assert.equal(fb < 0, alongSide, 'boundary edges (along a box side) bound one face, interior edges two');
    if (fb >= 0) {
      // An interior edge lies on the zero set of the neurons its two faces disagree on.
      let differ = 0;
      for (let w = 0; w < c.words; w++)
        differ += popcount(c.facePatterns[fa * c.words + w] ^ c.facePatterns[fb * c.words + w]);
      assert.ok(differ >= 1, 'faces across an interior edge differ in at least one neuron');
    }
  }
}

function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}

test('property: random MLPs of several depths and widths give valid complexes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 3 }),
      (seed, hidden, outputs) => {
        const mlp = randomReluMlp([2, ...hidden, outputs], seed);
        const c = buildComplex(mlp, { box: [-1.5, 1, -0.5, 2] });
        assertInvariants(mlp, c);
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

test('deeper and wider random networks keep the invariants', () => {
  for (const [widths, seed] of [
    [[2, 30, 30, 30, 1], 1],
    [[2, 50, 20, 1], 2],
    [[2, 8, 8, 8, 8, 8, 2], 3],
  ] as [number[], number][]) {
    const mlp = randomReluMlp(widths, seed);
    assertInvariants(mlp, buildComplex(mlp, { box: [-1, 1, -1, 1] }));
  }
});

test('vertex sign vectors: 0 exactly where the vertex is on that neuron’s zero set, else the forward sign', () => {
  const mlp = randomReluMlp([2, 10, 10, 1], 7);
  const c = buildComplex(mlp, { box: [-1, 1, -1, 1] });
  const f0 = c.vertexXY.length / 2;
  const pre = new Float64Array(f0 * c.hidden);
  forwardReluMlp(mlp, c.vertexXY, f0, pre);
  for (let v = 0; v < f0; v++) {
    for (let j = 0; j < c.hidden; j++) {
      const s = c.vertexSigns[v * c.hidden + j];
      const z = pre[v * c.hidden + j];
      if (s === 0) assert.ok(Math.abs(z) < 1e-9, `vertex ${v} neuron ${j}: zero sign but z = ${z}`);
      else assert.equal(Math.sign(z), s);
    }
  }
});

test('spirals model: f-vector, regions and dual edge counts of expected_polytope.json', async () => {
  const expected = JSON.parse(readFileSync(path.join(spirals, 'expected_polytope.json'), 'utf8'));
  const mlp = await loadReluMlp(path.join(spirals, 'model.onnx'));
  const c = buildComplex(mlp, { box: expected.box });
  assert.deepEqual(fVectorOf(c), expected.f_vector);
  assert.equal(c.faceArea.length, expected.regions);
  assert.equal(facetDual(c).source.length, expected.dual_edges_facet);
  assert.equal(hamming1Dual(c).source.length, expected.dual_edges_hamming1);
  assertInvariants(mlp, c);
});

test('spirals checkpoints: every line of expected_checkpoints.jsonl', async () => {
  const lines = readFileSync(path.join(spirals, 'expected_checkpoints.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 8);
  for (const line of lines) {
    const e = JSON.parse(line);
    const mlp = await loadReluMlp(path.join(spirals, 'checkpoints', `${e.checkpoint}.onnx`));
    const c = buildComplex(mlp, { box: meta.box });
    assert.deepEqual(fVectorOf(c), e.f_vector, e.checkpoint);
    assert.equal(facetDual(c).source.length, e.dual_edges_facet, e.checkpoint);
    assert.equal(hamming1Dual(c).source.length, e.dual_edges_hamming1, e.checkpoint);
  }
});

test('the .pt state dict and the ONNX export give the same network', async () => {
  const a = await loadReluMlp(path.join(spirals, 'model_state_dict.pt'));
  const b = await loadReluMlp(path.join(spirals, 'model.onnx'));
  assert.deepEqual(a.widths, [2, 8, 8, 2]);
  assert.deepEqual(a.weights, b.weights);
  assert.deepEqual(a.biases, b.biases);
  assert.equal(hiddenCount(a), 16);
});

test('a slice through three samples: folded network equals the full one on the plane', () => {
  const mlp = randomReluMlp([5, 12, 12, 3], 11);
  const inputs = Float64Array.from({ length: 4 * 5 }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
  const domain = sliceDomain(inputs, 5, [0, 2, 3]);
  const [u, v] = domain.slice!.axes;
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);
  assert.ok(
    Math.abs(dot(u, v)) < 1e-12 && Math.abs(dot(u, u) - 1) < 1e-12 && Math.abs(dot(v, v) - 1) < 1e-12,
  );
  const folded = sliceNetwork(mlp, domain);
  const uv = Float64Array.of(0.3, -0.7);
  const x = domain.slice!.origin.map((o, j) => o + uv[0] * u[j] + uv[1] * v[j]);
  const a = forwardReluMlp(folded, uv, 1);
  const b = forwardReluMlp(mlp, x, 1);
  for (let o = 0; o < 3; o++) assert.ok(Math.abs(a[o] - b[o]) < 1e-12);
  const c = buildComplex(folded, domain);
  assertInvariants(folded, c);
});

test('collinear slice anchors are refused with an InputError', () => {
  const inputs = Float64Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2);
  assert.throws(
    () => sliceDomain(inputs, 3, [0, 1, 2]),
    (e: unknown) => e instanceof InputError && /collinear/.test(e.reason),
  );
});

test('a network that does not take 2-D input is refused', () => {
  assert.throws(() => buildComplex(randomReluMlp([3, 4, 1], 0), { box: [0, 1, 0, 1] }), InputError);
});

test('Hamming-1 and facet dual graphs equal brute-force pair scans (patterns over several words)', () => {
  const c = buildComplex(randomReluMlp([2, 30, 30, 1], 9), { box: [-1, 1, -1, 1] });
  const F = c.faceArea.length;
  const ham = new Set<string>();
  for (let a = 0; a < F; a++) {
    for (let b = a + 1; b < F; b++) {
      let d = 0;
      for (let w = 0; w < c.words; w++)
        d += popcount(c.facePatterns[a * c.words + w] ^ c.facePatterns[b * c.words + w]);
      if (d === 1) ham.add(`${a},${b}`);
    }
  }
  const h1 = hamming1Dual(c);
  assert.deepEqual(new Set(Array.from(h1.source, (s, k) => `${s},${h1.target[k]}`)), ham);
  const facet = new Set<string>();
  for (let e = 0; e < c.edgeFaces.length; e += 2) {
    const [a, b] = [c.edgeFaces[e], c.edgeFaces[e + 1]];
    if (b >= 0) facet.add(`${Math.min(a, b)},${Math.max(a, b)}`);
  }
  const fd = facetDual(c);
  assert.deepEqual(new Set(Array.from(fd.source, (s, k) => `${s},${fd.target[k]}`)), facet);
  assert.ok(ham.size > 0 && facet.size > 0);
});

test('degenerate networks: duplicated neurons, an all-zero neuron, lines through the box corners', () => {
  const mlp = randomReluMlp([2, 6, 5, 1], 21);
  const w0 = mlp.weights[0];
  const b0 = mlp.biases[0];
  w0.set(w0.subarray(0, 2), 2); // neuron 1 duplicates neuron 0: its zero set lies along existing edges
  b0[1] = b0[0];
  w0.set([0, 0], 4); // neuron 2 is identically zero
  b0[2] = 0;
  w0.set([1, -1], 6); // neuron 3: the diagonal x = y through two corners of the box
  b0[3] = 0;
  const c = buildComplex(mlp, { box: [-1, 1, -1, 1] });
  const [f0, f1, f2] = fVectorOf(c);
  assert.equal(f0 - f1 + f2, 1);
  let area = 0;
  for (const a of c.faceArea) area += a;
  assert.ok(Math.abs(area - 4) < 1e-12);
  // Faces stay unique: the duplicate's bit always equals the original's, the zero neuron's bit is 0.
  for (let f = 0; f < f2; f++) {
    const word = c.facePatterns[f * c.words];
    assert.equal((word >>> 1) & 1, word & 1);
    assert.equal((word >>> 2) & 1, 0);
  }
  assertInvariants(mlp, c);
});
