import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SquaredDistances, TILE } from '../../../src/core/mapper/sqdist';
import { mulberry32, randomNormal } from '../../../src/core/random';
// @ts-expect-error the build script is plain JavaScript
import { compiledModules } from '../../../scripts/build-wasm.mjs';

test('the committed kernel module is what sqdist.wat compiles to', async () => {
  const modules = (await compiledModules()) as { target: string; text: string }[];
  assert.ok(modules.length > 0);
  for (const { target, text } of modules) assert.equal(readFileSync(target, 'utf8'), text, target);
});

/** Σₖ (aₖ − bₖ)² of float32 rows in float64: each term is exact, the sum off by ~d·2⁻⁵³ relative. */
function exact(rows: Float32Array, d: number, p: number, q: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = rows[p * d + k] - rows[q * d + k];
    s += t * t;
  }
  return s;
}

function filled(m: number, d: number, seed: number, scale: number, offset: number): SquaredDistances {
  const kernel = SquaredDistances.create(m, d);
  assert.ok(kernel, 'WebAssembly SIMD runs here');
  const rng = mulberry32(seed);
  const centre = Array.from({ length: d }, () => offset * (2 * rng() - 1));
  for (let i = 0; i < m * d; i++) kernel.rows[i] = centre[i % d] + scale * randomNormal(rng);
  // exact duplicates and rows one float apart
  if (m > 3) {
    kernel.rows.copyWithin(0, d, 2 * d);
    kernel.rows[2 * d] = Math.fround(kernel.rows[3 * d] * (1 + 2 ** -23));
  }
  kernel.seal();
  return kernel;
}

const shapes = fc.record({
  d: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(64, 100, 513)),
  m: fc.integer({ min: 1, max: 90 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  scale: fc.constantFrom(1e-3, 1, 1e4),
  offset: fc.constantFrom(0, 10, 1e5),
  a: fc.nat(),
  b: fc.nat(),
  na: fc.integer({ min: 1, max: TILE }),
  nb: fc.integer({ min: 1, max: TILE }),
});

test('every kernel value lies within δ·S + floor of the exact squared distance S, for every pair once', () => {
  fc.assert(
    fc.property(shapes, ({ d, m, seed, scale, offset, a, b, na, nb }) => {
      const kernel = filled(m, d, seed, scale, offset);
      const a0 = a % m;
      const b0 = b % m;
      const ra = Math.min(na, m - a0);
      const rb = Math.min(nb, m - b0);
      const got = kernel.tile(a0, ra, b0, rb, Infinity);
      assert.equal(got.count, ra * rb);
      const seen = new Set<number>();
      for (let t = 0; t < got.count; t++) {
        const i = got.i[t];
        const j = got.j[t];
        assert.ok(i >= 0 && i < ra && j >= 0 && j < rb);
        seen.add(i * rb + j);
        const s = exact(kernel.rows, d, a0 + i, b0 + j);
        const err = Math.abs(got.v[t] - s);
        assert.ok(
          err <= kernel.delta * s * (1 + 1e-9) + kernel.floor,
          `d ${d}: |${got.v[t]} − ${s}| = ${err}`,
        );
      }
      assert.equal(seen.size, ra * rb);
    }),
    { numRuns: 300 },
  );
});

test('a threshold returns exactly the pairs whose value is not above it, and never drops a pair within it', () => {
  fc.assert(
    fc.property(shapes, fc.double({ min: 0, max: 1, noNaN: true }), (s, frac) => {
      const { d, m, seed, scale, offset } = s;
      const kernel = filled(m, d, seed, scale, offset);
      const na = Math.min(s.na, m);
      const nb = Math.min(s.nb, m);
      const all = kernel.tile(0, na, 0, nb, Infinity);
      const values = Array.from(all.v.subarray(0, all.count)).sort((x, y) => x - y);
      const hi = values[Math.floor(frac * (values.length - 1))];
      const listed = kernel.tile(0, na, 0, nb, hi);
      const keys = new Set(Array.from({ length: listed.count }, (_, t) => listed.i[t] * nb + listed.j[t]));
      for (let i = 0; i < na; i++) {
        for (let j = 0; j < nb; j++) {
          const real = exact(kernel.rows, d, i, j);
          if (real <= hi / (1 + kernel.delta) - kernel.floor)
            assert.ok(keys.has(i * nb + j), 'dropped a pair within hi');
        }
      }
      for (let t = 0; t < listed.count; t++) assert.ok(listed.v[t] <= hi * (1 + 2 ** -22));
    }),
    { numRuns: 200 },
  );
});

test('query slots give the same values as the rows they copy', () => {
  for (const d of [3, 10, 40]) {
    const kernel = filled(70, d, d, 1, 5);
    for (let s = 0; s < 5; s++) kernel.setQuery(s, 10 + 7 * s);
    const viaQueries = kernel.tile(0, 5, 20, 30, Infinity, true);
    for (let t = 0; t < viaQueries.count; t++) {
      const p = 10 + 7 * viaQueries.i[t];
      const q = 20 + viaQueries.j[t];
      const direct = kernel.tile(p, 1, q, 1, Infinity);
      assert.equal(direct.count, 1);
      assert.equal(viaQueries.v[t], direct.v[0]);
    }
  }
});

test('TOPOSCOPE_NO_WASM=1 turns the kernel off (the float64 searches run instead)', () => {
  process.env.TOPOSCOPE_NO_WASM = '1';
  try {
    assert.equal(SquaredDistances.create(10, 4), null);
  } finally {
    delete process.env.TOPOSCOPE_NO_WASM;
  }
  assert.ok(SquaredDistances.create(10, 4));
});
