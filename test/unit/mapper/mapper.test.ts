import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/core/errors';
import { computeLens } from '../../../src/core/mapper/lens';
import { MapperSession, buildMapper } from '../../../src/core/mapper/mapper';
import { singleLinkage } from '../../../src/core/mapper/single-linkage';
import { mulberry32, randomNormal } from '../../../src/core/random';

function blobs(
  n: number,
  d: number,
  seed: number,
): { x: Float32Array; labels: Int32Array; predictions: Int32Array } {
  const rng = mulberry32(seed);
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const predictions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    labels[i] = c;
    predictions[i] = rng() < 0.8 ? c : (c + 1) % 4;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === c % d ? 3 * (c + 1) : 0) + randomNormal(rng) * 0.7;
  }
  return { x, labels, predictions };
}

test('a session re-run after parameter changes equals a fresh build (cache never changes a graph)', () => {
  const n = 1200;
  const d = 4;
  const { x, labels, predictions } = blobs(n, d, 5);
  const input = { x, n, d, labels, predictions };
  const session = new MapperSession(input);
  const steps = [
    {},
    { eps: 0.9 },
    { eps: 0.9, overlap: 0.4 },
    { eps: 0.9, overlap: 0.4, noise: 'node' as const },
    { intervals: 8, minSamples: 3 },
    { cover: 'balanced' as const, eps: 1.1 },
    { lens: 'pca1' as const },
  ];
  for (const params of steps) {
    const a = session.run(params);
    const b = buildMapper(input, params);
    assert.deepEqual(
      { ...a, summary: { ...a.summary, seconds: 0 } },
      { ...b, summary: { ...b.summary, seconds: 0 } },
    );
  }
});

test('points out of the graph are counted by reason; noise "node" puts each interval\'s noise in one node', () => {
  const n = 600;
  const d = 3;
  const { x, labels, predictions } = blobs(n, d, 9);
  const drop = buildMapper({ x, n, d, labels, predictions }, { eps: 0.6, intervals: 30, overlap: 0.2 });
  const s = drop.summary;
  assert.ok(s.droppedByReason.noise > 0 && s.droppedByReason.smallPreimage > 0);
  assert.equal(
    s.pointsDropped,
    s.droppedByReason.noise + s.droppedByReason.smallPreimage + s.droppedByReason.uncovered,
  );
  const inGraph = new Set(drop.nodes.flatMap((v) => v.members));
  assert.equal(s.pointsInGraph, inGraph.size);
  assert.equal(s.pointsInGraph + s.pointsDropped, n);

  const keep = buildMapper(
    { x, n, d, labels, predictions },
    { eps: 0.6, intervals: 30, overlap: 0.2, noise: 'node' },
  );
  assert.equal(keep.summary.droppedByReason.noise, 0);
  assert.equal(keep.summary.droppedByReason.smallPreimage, s.droppedByReason.smallPreimage);
  const noiseNodes = keep.nodes.filter((v) => v.noise);
  assert.ok(noiseNodes.length > 0);
  assert.equal(new Set(noiseNodes.map((v) => v.interval)).size, noiseNodes.length);
  // the clusters themselves are the same
  assert.deepEqual(
    keep.nodes.filter((v) => !v.noise).map((v) => v.members),
    drop.nodes.map((v) => v.members),
  );
});

test('lenses: l2norm, linf, mean, coordinate; pca1 finds the spread axis with a fixed sign', () => {
  const x = Float32Array.from([3, 4, -1, 0, 0, 2]);
  assert.deepEqual(Array.from(computeLens('l2norm', x, 3, 2)), [5, 1, 2]);
  assert.deepEqual(Array.from(computeLens('linf', x, 3, 2)), [4, 1, 2]);
  assert.deepEqual(Array.from(computeLens('mean', x, 3, 2)), [3.5, -0.5, 1]);
  assert.deepEqual(Array.from(computeLens('coordinate:1', x, 3, 2)), [4, 0, 2]);
  assert.throws(() => computeLens('coordinate:2', x, 3, 2), InputError);
  // points on the line t·(1, −2, 0) plus small noise: pca1 ≈ t·√5 up to the centring
  const rng = mulberry32(1);
  const n = 200;
  const y = new Float32Array(n * 3);
  const t = Array.from({ length: n }, () => 10 * rng() - 5);
  t.forEach((v, i) => y.set([v + 0.01 * randomNormal(rng), -2 * v, 0.01 * randomNormal(rng)], i * 3));
  const p = computeLens('pca1', y, n, 3);
  const mean = t.reduce((a, b) => a + b, 0) / n;
  // the largest entry of the component (−2/√5) is made positive, so the lens is −(t − t̄)·√5
  t.forEach((v, i) => assert.ok(Math.abs(p[i] + (v - mean) * Math.sqrt(5)) < 0.05));
  assert.throws(() => computeLens('file:lens.npy', x, 3, 2), InputError);
  assert.deepEqual(
    Array.from(computeLens('file:lens.npy', x, 3, 2, { values: Float64Array.from([1, 2, 3]) })),
    [1, 2, 3],
  );
});

test('density and eccentricity are exact below 1 000 rows', () => {
  const rng = mulberry32(4);
  const n = 300;
  const d = 2;
  const x = Float32Array.from({ length: n * d }, () => randomNormal(rng));
  const h = 0.5;
  const dens = computeLens('density', x, n, d, { bandwidth: h });
  const ecc = computeLens('eccentricity', x, n, d);
  for (const i of [0, 17, 299]) {
    let s = 0;
    let e = 0;
    for (let j = 0; j < n; j++) {
      const r2 = (x[i * 2] - x[j * 2]) ** 2 + (x[i * 2 + 1] - x[j * 2 + 1]) ** 2;
      s += Math.exp(-r2 / (2 * h * h));
      e += Math.sqrt(r2);
    }
    assert.ok(Math.abs(dens[i] - s / n) < 1e-12);
    assert.ok(Math.abs(ecc[i] - e / n) < 1e-12);
  }
});

test('single linkage cuts at the first empty bin of merge heights', () => {
  // two tight groups 10 apart: MST heights {1, 1, 1, 1, 10} → bins over [0, 10]; the cut separates them
  const x = Float32Array.from([0, 1, 2, 12, 13, 14]);
  const r = singleLinkage(x, 1, Int32Array.from([0, 1, 2, 3, 4, 5]), 10);
  assert.equal(r.clusters, 2);
  assert.deepEqual(Array.from(r.labels), [0, 0, 0, 1, 1, 1]);
  const g = buildMapper({ x, n: 6, d: 1 }, { clusterer: 'single-linkage', intervals: 1, minSamples: 2 });
  assert.deepEqual(
    g.nodes.map((v) => v.members),
    [
      [0, 1, 2],
      [3, 4, 5],
    ],
  );
});

test('bad parameters are InputErrors naming the option', () => {
  const x = Float32Array.from([0, 1, 2, 3]);
  assert.throws(() => buildMapper({ x, n: 4, d: 1 }, { overlap: 1 }), /overlap/);
  assert.throws(() => buildMapper({ x, n: 4, d: 1 }, { eps: -1 }), /eps/);
  assert.throws(() => buildMapper({ x, n: 4, d: 1 }, { minSamples: 0 }), /minSamples/);
  assert.throws(() => buildMapper({ x, n: 4, d: 1 }, { metric: 'manhattan' as never }), /metric/);
  assert.throws(() => buildMapper({ x, n: 4, d: 1, labels: Int32Array.from([0]) }, {}), InputError);
});
