import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  QuantisedDistances,
  quantisationLimit,
  quantisationOf,
  worstError,
  type Quantisation,
} from '../../../src/core/mapper/quantised';
import { TILE } from '../../../src/core/mapper/sqdist';
import { exactSquared, hardRows } from './helpers';

/** m hard rows (helpers.ts) and, when asked, a NaN. */
function rows(m: number, d: number, seed: number, scale: number, offset: number, nan: boolean): Float32Array {
  const x = new Float32Array(m * d);
  hardRows(x, m, d, seed, scale, offset);
  if (nan && m > 5) x[5 * d + (seed % d)] = NaN;
  return x;
}

/** Each coordinate's least and greatest value over m rows of x, NaN where a row holds a NaN there. */
function ranges(x: Float32Array, m: number, d: number): { lo: Float32Array; hi: Float32Array } {
  const lo = new Float32Array(d).fill(Infinity);
  const hi = new Float32Array(d).fill(-Infinity);
  for (let i = 0; i < m * d; i++) {
    const k = i % d;
    lo[k] = Number.isNaN(x[i]) ? NaN : Math.min(lo[k], x[i]);
    hi[k] = Number.isNaN(x[i]) ? NaN : Math.max(hi[k], x[i]);
  }
  return { lo, hi };
}

/** The kernel over rows x taken in reverse order (its row p is row m − 1 − p of x), and its quantisation. */
function quantised(
  x: Float32Array,
  m: number,
  d: number,
  reuse?: QuantisedDistances,
): { kernel: QuantisedDistances; by: Quantisation } {
  const kernel = QuantisedDistances.create(m, d, reuse);
  assert.ok(kernel, 'WebAssembly SIMD runs here');
  const { lo, hi } = ranges(x, m, d);
  const by = quantisationOf(lo, hi);
  kernel.quantise(
    x,
    Int32Array.from({ length: m }, (_, p) => m - 1 - p),
    by,
  );
  return { kernel, by };
}

const shapes = fc.record({
  d: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.constantFrom(100, 512, 513, 2048)),
  // past 256 rows, the rows are quantised in several calls
  m: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.constantFrom(300, 600)),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  scale: fc.constantFrom(1e-3, 1, 1e4),
  offset: fc.constantFrom(0, 10, 1e5),
  nan: fc.boolean(),
  a: fc.nat(),
  b: fc.nat(),
  na: fc.integer({ min: 1, max: TILE }),
  nb: fc.integer({ min: 1, max: TILE }),
  frac: fc.double({ min: 0, max: 1, noNaN: true }),
});

test('a radius lists every pair within it, each value within its error bound of the exact squared distance', () => {
  let decided = 0;
  fc.assert(
    fc.property(shapes, ({ d, m, seed, scale, offset, nan, a, b, na, nb, frac }) => {
      const x = rows(m, d, seed, scale, offset, nan);
      const { kernel, by } = quantised(x, m, d);
      if (Number.isNaN(by.step)) {
        // a NaN coordinate: never quantised (restrictBlock keeps the float rows)
        assert.ok(nan && !(worstError(by, d, 1) <= Infinity));
        return;
      }
      const a0 = a % m;
      const b0 = b % m;
      const ra = Math.min(na, m - a0);
      const rb = Math.min(nb, m - b0);
      const exacts: number[] = [];
      for (let i = 0; i < ra; i++) {
        for (let j = 0; j < rb; j++) exacts.push(exactSquared(x, d, m - 1 - (a0 + i), m - 1 - (b0 + j)));
      }
      const finite = exacts.filter(Number.isFinite).sort((u, v) => u - v);
      const s2 = finite.length > 0 ? finite[Math.floor(frac * (finite.length - 1))] : 1;
      const got = kernel.tile(a0, ra, b0, rb, s2);
      const listed = new Set<number>();
      for (let t = 0; t < got.count; t++) {
        const i = got.i[t];
        const j = got.j[t];
        assert.ok(i >= 0 && i < ra && j >= 0 && j < rb);
        listed.add(i * rb + j);
        const s = exacts[i * rb + j];
        if (!Number.isFinite(s)) continue;
        // the float64 reference is itself off by ~d·2⁻⁵³ relative
        assert.ok(
          Math.abs(got.v[t] - s) <= got.e[t] + 1e-12 * s,
          `d ${d}: |${got.v[t]} − ${s}| > ${got.e[t]}`,
        );
        // restrictBlock's choice rests on worstError bounding the error bound of every pair within the radius
        if (s > s2) continue;
        const worst = worstError(by, d, Math.sqrt(s2));
        assert.ok(got.e[t] <= worst, `d ${d}: bound ${got.e[t]} above the worst ${worst}`);
        if (worst <= 0.02 * s2) decided++;
      }
      for (let k = 0; k < exacts.length; k++) {
        // NaN distances must be listed too (their pairs are left to the exact distance)
        if (!(exacts[k] > s2)) assert.ok(listed.has(k), `dropped pair ${k}: ${exacts[k]} ≤ ${s2}`);
      }
    }),
    { numRuns: 200 },
  );
  assert.ok(decided > 100, `${decided} pairs where the quantised kernel would be taken`);
});

test('coordinates at the quantisation limit do not overflow the 32-bit lanes', () => {
  for (const d of [8, 100, 512, 4096]) {
    const limit = quantisationLimit(d);
    const dp = (d + 7) & ~7;
    assert.ok((dp / 4) * limit * limit <= 2 ** 31 - 1 && 2 * limit * limit <= 2 ** 31 - 1);
    // rows all +L, all −L, and alternating: the largest lane sums of either sign
    const m = 4;
    const x = new Float32Array(m * d);
    for (let k = 0; k < d; k++) {
      x[k] = 1;
      x[d + k] = -1;
      x[2 * d + k] = k % 2 === 0 ? 1 : -1;
      x[3 * d + k] = 0;
    }
    const { kernel } = quantised(x, m, d);
    for (let p = 1; p < m; p++) {
      assert.ok(kernel.rows.slice(p * dp, p * dp + d).every((q) => Math.abs(q) === limit));
    }
    const got = kernel.tile(0, m, 0, m, Infinity);
    assert.equal(got.count, m * m);
    for (let t = 0; t < got.count; t++) {
      const s = exactSquared(x, d, m - 1 - got.i[t], m - 1 - got.j[t]);
      assert.ok(Math.abs(got.v[t] - s) <= got.e[t] + 1e-12 * s, `d ${d}: ${got.v[t]} vs ${s}`);
      // these rows are exact multiples of the step: only the float32 lane sums err
      assert.ok(Math.abs(got.v[t] - s) <= 1e-5 * (1 + s), `d ${d}: ${got.v[t]} vs ${s}`);
    }
  }
});

test('a kernel taking over another’s memory gives the same values', () => {
  const d = 40;
  const x = rows(70, d, 7, 1, 10, false);
  const big = quantised(x, 70, d).kernel;
  const small = quantised(x.subarray(40 * d), 30, d, big).kernel;
  assert.equal(small.memory, big.memory);
  const fresh = quantised(x.subarray(40 * d), 30, d).kernel;
  assert.notEqual(fresh.memory, big.memory);
  const u = small.tile(0, 30, 0, 30, 1e9);
  const v = Array.from(u.v.subarray(0, u.count));
  const w = fresh.tile(0, 30, 0, 30, 1e9);
  assert.deepEqual(v, Array.from(w.v.subarray(0, w.count)));
});
