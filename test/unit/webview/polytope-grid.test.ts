import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { pointInPolygon, SpatialGrid, type PolygonSet } from '../../../webview/polytope/spatial-grid';
import { countPointsPerFace, patternString } from '../../../src/core/report/polytope-section';

/** An n×m grid of axis-aligned unit squares over [0, n]×[0, m]: face (i, j) = i + n·j. */
function squares(n: number, m: number): PolygonSet {
  const offsets = new Uint32Array(n * m + 1);
  const coords: number[] = [];
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      coords.push(i, j, i + 1, j, i + 1, j + 1, i, j + 1);
      offsets[i + n * j + 1] = offsets[i + n * j] + 4;
    }
  }
  return { offsets, coords: Float64Array.from(coords) };
}

/** A convex fan: the square [−1, 1]² cut into k triangles around the origin. */
function fan(k: number): PolygonSet {
  const ring: [number, number][] = [];
  for (let t = 0; t < k; t++) {
    const a = (2 * Math.PI * t) / k;
    const r = 1 / Math.max(Math.abs(Math.cos(a)), Math.abs(Math.sin(a)));
    ring.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  const coords: number[] = [];
  const offsets = [0];
  for (let t = 0; t < k; t++) {
    const [a, b] = [ring[t], ring[(t + 1) % k]];
    coords.push(0, 0, a[0], a[1], b[0], b[1]);
    offsets.push(offsets[offsets.length - 1] + 3);
  }
  return { offsets: Uint32Array.from(offsets), coords: Float64Array.from(coords) };
}

function bruteFind(set: PolygonSet, x: number, y: number): number[] {
  const hits: number[] = [];
  for (let f = 0; f + 1 < set.offsets.length; f++) if (pointInPolygon(set, f, x, y)) hits.push(f);
  return hits;
}

test('point in polygon on unit squares finds the square by floor', () => {
  const set = squares(5, 3);
  const grid = new SpatialGrid(set);
  assert.equal(grid.find(2.5, 1.5), 2 + 5 * 1);
  assert.equal(grid.find(0.01, 0.01), 0);
  assert.equal(grid.find(4.99, 2.99), 14);
  assert.equal(grid.find(-0.5, 1), -1);
  assert.equal(grid.find(2, 3.5), -1);
});

test('the grid agrees with testing every polygon (random points, fans of triangles)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 40 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(
        fc.tuple(
          fc.double({ min: -1.2, max: 1.2, noNaN: true }),
          fc.double({ min: -1.2, max: 1.2, noNaN: true }),
        ),
        {
          minLength: 1,
          maxLength: 50,
        },
      ),
      (k, side, pts) => {
        const set = fan(k);
        const grid = new SpatialGrid(set, side);
        for (const [x, y] of pts) {
          const hits = bruteFind(set, x, y);
          const f = grid.find(x, y);
          if (hits.length === 0) assert.equal(f, -1);
          else assert.ok(hits.includes(f), `(${x}, ${y}) → ${f}, expected one of ${hits}`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('points are counted once per face, outside points not at all', () => {
  const set = squares(4, 4);
  const xy = Float64Array.from([0.5, 0.5, 0.6, 0.2, 3.5, 3.5, 9, 9, 1.5, 0.5]);
  const counts = countPointsPerFace(set.offsets, set.coords, xy);
  assert.deepEqual(Array.from(counts.slice(0, 2)), [2, 1]);
  assert.equal(counts[15], 1);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    4,
  );
});

test('patterns unpack bit j of word j >>> 5 in neuron order', () => {
  // 40 neurons, 2 words per face; face 1 has neurons 0, 3, 33 and 39 active
  const words = new Uint32Array(4);
  words[2] = (1 << 0) | (1 << 3);
  words[3] = (1 << 1) | (1 << 7);
  const s = patternString(words, 2, 40, 1);
  assert.equal(s.length, 40);
  assert.deepEqual(
    [...s].flatMap((c, j) => (c === '1' ? [j] : [])),
    [0, 3, 33, 39],
  );
  assert.equal(patternString(words, 2, 40, 0), '0'.repeat(40));
});
