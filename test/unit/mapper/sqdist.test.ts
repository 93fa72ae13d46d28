import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SquaredDistances, TILE } from '../../../src/core/mapper/sqdist';
import { mulberry32 } from '../../../src/core/random';
import { exactSquared, hardRows } from './helpers';
// @ts-expect-error the build script is plain JavaScript
import { compiledModules } from '../../../scripts/build-wasm.mjs';

test('the committed kernel module is what sqdist.wat compiles to', async () => {
  const modules = (await compiledModules()) as { target: string; text: string }[];
  assert.ok(modules.length > 0);
  for (const { target, text } of modules) assert.equal(readFileSync(target, 'utf8'), text, target);
});

function filled(m: number, d: number, seed: number, scale: number, offset: number): SquaredDistances {
  const kernel = SquaredDistances.create(m, d);
  assert.ok(kernel, 'WebAssembly SIMD runs here');
  hardRows(kernel.rows, m, d, seed, scale, offset);
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

/** The exact squared distances of the pairs of rows [a, a + na) × [b, b + nb), row-major. */
function exactTile(kernel: SquaredDistances, a: number, na: number, b: number, nb: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < na; i++)
    for (let j = 0; j < nb; j++) out.push(exactSquared(kernel.rows, kernel.d, a + i, b + j));
  return out;
}

test('every kernel value lies within its error bound of the exact squared distance, for every pair once; both forms occur', () => {
  const forms = { gram: 0, difference: 0 };
  fc.assert(
    fc.property(shapes, ({ d, m, seed, scale, offset, a, b, na, nb }) => {
      const kernel = filled(m, d, seed, scale, offset);
      const a0 = a % m;
      const b0 = b % m;
      const ra = Math.min(na, m - a0);
      const rb = Math.min(nb, m - b0);
      const exacts = exactTile(kernel, a0, ra, b0, rb);
      // a radius that holds every pair, so the tile lists them all, with the form it would choose there
      const got = kernel.tile(a0, ra, b0, rb, Math.max(...exacts) * 1.01 + 1e-30);
      assert.equal(got.count, ra * rb);
      forms[got.gram ? 'gram' : 'difference']++;
      const seen = new Set<number>();
      for (let t = 0; t < got.count; t++) {
        const i = got.i[t];
        const j = got.j[t];
        assert.ok(i >= 0 && i < ra && j >= 0 && j < rb);
        seen.add(i * rb + j);
        const s = exacts[i * rb + j];
        // the float64 reference is itself off by ~d·2⁻⁵³ relative
        assert.ok(
          Math.abs(got.v[t] - s) <= got.e[t] + 1e-12 * s,
          `d ${d} ${got.gram ? 'gram' : 'difference'}: |${got.v[t]} − ${s}| > ${got.e[t]}`,
        );
      }
      assert.equal(seen.size, ra * rb);
    }),
    { numRuns: 300 },
  );
  assert.ok(forms.gram > 20 && forms.difference > 20, JSON.stringify(forms));
});

test('a radius lists every pair within it, each value within its error bound', () => {
  fc.assert(
    fc.property(shapes, fc.double({ min: 0, max: 1, noNaN: true }), (s, frac) => {
      const { d, m, seed, scale, offset } = s;
      const kernel = filled(m, d, seed, scale, offset);
      const na = Math.min(s.na, m);
      const nb = Math.min(s.nb, m);
      const exacts = exactTile(kernel, 0, na, 0, nb);
      const sorted = [...exacts].sort((x, y) => x - y);
      const s2 = sorted[Math.floor(frac * (sorted.length - 1))];
      const listed = kernel.tile(0, na, 0, nb, s2);
      const keys = new Set(Array.from({ length: listed.count }, (_, t) => listed.i[t] * nb + listed.j[t]));
      for (let i = 0; i < na; i++) {
        for (let j = 0; j < nb; j++) {
          if (exacts[i * nb + j] <= s2) assert.ok(keys.has(i * nb + j), 'dropped a pair within the radius');
        }
      }
      for (let t = 0; t < listed.count; t++) {
        assert.ok(Math.abs(listed.v[t] - exacts[listed.i[t] * nb + listed.j[t]]) <= listed.e[t] * (1 + 1e-9));
      }
    }),
    { numRuns: 200 },
  );
});

test('distances to query points are bounded above by distanceAbove of their values', () => {
  fc.assert(
    fc.property(shapes, ({ d, m, seed, scale, offset }) => {
      if (d < 32) return;
      const kernel = filled(m, d, seed, scale, offset);
      const rng = mulberry32(seed + 1);
      const point = Float64Array.from({ length: d }, () => Math.fround(offset * (2 * rng() - 1)));
      kernel.setQueryPoint(3, point, 0);
      for (let b = 0; b < m; b += TILE) {
        const n = Math.min(TILE, m - b);
        const values = kernel.squaresToQueries(3, 1, b, n);
        for (let i = 0; i < n; i++) {
          let s2 = 0;
          for (let k = 0; k < d; k++) s2 += (kernel.rows[(b + i) * d + k] - point[k]) ** 2;
          assert.ok(Math.sqrt(s2) <= kernel.distanceAbove(values[i]));
        }
      }
    }),
    { numRuns: 100 },
  );
});

test('permute puts rows and norms in the given order, in place', () => {
  fc.assert(
    fc.property(
      shapes,
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      ({ d, m, seed, scale, offset }, shuffle) => {
        if (d < 32) return;
        const kernel = filled(m, d, seed, scale, offset);
        const before = Float32Array.from(kernel.rows);
        const norms = Float32Array.from(kernel.norms.subarray(0, m));
        const rng = mulberry32(shuffle);
        const order = Int32Array.from({ length: m }, (_, i) => i);
        for (let i = m - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          [order[i], order[j]] = [order[j], order[i]];
        }
        kernel.permute(order);
        for (let q = 0; q < m; q++) {
          assert.deepEqual(
            kernel.rows.subarray(q * d, q * d + d),
            before.subarray(order[q] * d, order[q] * d + d),
          );
          assert.equal(kernel.norms[q], norms[order[q]]);
        }
      },
    ),
    { numRuns: 100 },
  );
});

test('dotsWithQuery: the float32 dot products of the listed rows with query slot 0', () => {
  const d = 70;
  const kernel = filled(50, d, 7, 1, 3);
  kernel.setQuery(0, 11);
  const ids = Int32Array.from([4, 11, 49, 0, 4]);
  const out = new Float64Array(ids.length);
  kernel.dotsWithQuery(ids, 0, ids.length, out);
  ids.forEach((p, t) => {
    let dot = 0;
    let scale = 0;
    for (let k = 0; k < d; k++) {
      dot += kernel.rows[p * d + k] * kernel.rows[11 * d + k];
      scale += Math.abs(kernel.rows[p * d + k] * kernel.rows[11 * d + k]);
    }
    assert.ok(Math.abs(out[t] - dot) <= 1e-5 * scale, `row ${p}: ${out[t]} against ${dot}`);
  });
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

test('ranges: each coordinate’s least and greatest value over the listed rows, NaN where one holds a NaN', () => {
  for (const d of [32, 70, 513]) {
    const m = 1500;
    const kernel = filled(m, d, d, 1, 3);
    kernel.rows[7 * d + 5] = NaN;
    // more ids than one call of the kernel takes, unordered and repeated; row 7 only in the second run
    for (const ids of [
      Int32Array.from({ length: 1300 }, (_, i) => (i * 37 + 11) % m).filter((p) => p !== 7),
      Int32Array.from([7, 3, 3, 1499]),
    ]) {
      const { lo, hi } = kernel.ranges(ids);
      for (let k = 0; k < d; k++) {
        const values = Array.from(ids, (p) => kernel.rows[p * d + k]);
        const nan = values.some(Number.isNaN);
        assert.ok(nan ? Number.isNaN(lo[k]) : lo[k] === Math.min(...values), `d ${d}, coordinate ${k}`);
        assert.ok(nan ? Number.isNaN(hi[k]) : hi[k] === Math.max(...values), `d ${d}, coordinate ${k}`);
      }
    }
  }
});
