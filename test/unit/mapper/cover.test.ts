import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCover, keplerIntervals, lensOrder, uniformIntervals } from '../../../src/core/mapper/cover';
import { InputError } from '../../../src/core/errors';

const lensArb = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 300 });
const nArb = fc.integer({ min: 1, max: 30 });
const pArb = fc.double({ min: 0, max: 0.95, noNaN: true });

test('uniform cover: L = R/(n − (n−1)p), step (1−p)L, tiles [min, max] and every value is covered', () => {
  fc.assert(
    fc.property(lensArb, nArb, pArb, (values, n, p) => {
      const lens = Float64Array.from(values);
      const cover = buildCover('uniform', lens, lensOrder(lens), n, p);
      const min = Math.min(...values);
      const max = Math.max(...values);
      const L = (max - min) / (n - (n - 1) * p);
      assert.equal(cover.intervals[0].lo, min);
      assert.equal(cover.intervals[n - 1].hi, max);
      for (let k = 0; k < n; k++) {
        const { lo, hi } = cover.intervals[k];
        if (k > 0 && k < n - 1)
          assert.ok(Math.abs(hi - lo - L) <= 1e-9 * (1 + Math.abs(max) + Math.abs(min)));
        if (k > 0) assert.ok(cover.intervals[k - 1].hi >= lo - 1e-9 * (1 + Math.abs(lo)), 'neighbours touch');
        // preimage = exactly the values in the closed interval
        const expected = values.flatMap((v, i) => (v >= lo && v <= hi ? [i] : []));
        assert.deepEqual(Array.from(cover.preimages[k]), expected);
      }
      const covered = new Set(cover.preimages.flatMap((pre) => Array.from(pre)));
      assert.equal(covered.size, values.length);
    }),
    { numRuns: 150 },
  );
});

test('uniform cover without overlap: a value just below a rounded interval start is still covered', () => {
  // found by the property above: with p = 0, m + 10s + L rounds to −5.7e−14 while m + 11s is 0
  const lens = Float64Array.from([999.9999999999989, -999.9999999999991, -5e-324]);
  const cover = buildCover('uniform', lens, lensOrder(lens), 22, 0);
  const covered = new Set(cover.preimages.flatMap((pre) => Array.from(pre)));
  assert.deepEqual([...covered].sort(), [0, 1, 2]);
});

test('uniform intervals: neighbours share p·L exactly as the formula says', () => {
  const iv = uniformIntervals(0, 10, 4, 0.25);
  const L = 10 / (4 - 3 * 0.25);
  assert.ok(Math.abs(iv[1].lo - 0.75 * L) < 1e-12);
  assert.ok(Math.abs(iv[0].hi - iv[1].lo - 0.25 * L) < 1e-12);
  assert.equal(iv[3].hi, 10);
});

test('keplermapper cover: centres m + (k+½)R/n, radius R/(2n(1−p)), overhanging the range', () => {
  const iv = keplerIntervals(2, 12, 5, 0.5);
  for (let k = 0; k < 5; k++) {
    const c = 2 + ((k + 0.5) * 10) / 5;
    assert.ok(Math.abs((iv[k].lo + iv[k].hi) / 2 - c) < 1e-12);
    assert.ok(Math.abs((iv[k].hi - iv[k].lo) / 2 - 10 / (2 * 5 * 0.5)) < 1e-12);
  }
  assert.ok(iv[0].lo < 2 && iv[4].hi > 12);
});

test('balanced cover: open intervals on dense ranks hold counts within ±1 of each other', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 10, maxLength: 400 }),
      fc.integer({ min: 1, max: 12 }),
      fc.double({ min: 0, max: 0.6, noNaN: true }),
      (values, n, p) => {
        const lens = Float64Array.from(values);
        const cover = buildCover('balanced', lens, lensOrder(lens), n, p);
        // membership by the definition: α_k < rank < β_k with L = U/(n − (n−1)p)
        const ranks = new Map([...values].sort((a, b) => a - b).map((v, r) => [v, r]));
        const L = values.length / (n - (n - 1) * p);
        const ends = Array.from({ length: n }, (_, k) => -0.5 + k * ((1 - p) * L)).flatMap((a) => [a, a + L]);
        // an open interval of length L holds ⌊L⌋ or ⌈L⌉ integers unless an end is itself an integer
        if (ends.every((e) => !Number.isInteger(e))) {
          const counts = cover.preimages.map((pre) => pre.length);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `counts ${counts}`);
        }
        for (let k = 0; k < n; k++) {
          const a = -0.5 + k * ((1 - p) * L);
          const expected = values.flatMap((v, i) => (ranks.get(v)! > a && ranks.get(v)! < a + L ? [i] : []));
          assert.deepEqual(Array.from(cover.preimages[k]), expected);
        }
        if (p >= 0.01)
          assert.equal(new Set(cover.preimages.flatMap((pre) => Array.from(pre))).size, values.length);
      },
    ),
    { numRuns: 150 },
  );
});

test('balanced cover: tied lens values share a rank and an interval', () => {
  const lens = Float64Array.from([5, 1, 5, 1, 3, 3, 9, 9]);
  const cover = buildCover('balanced', lens, lensOrder(lens), 4, 0);
  for (const pre of cover.preimages) {
    const vals = new Set(Array.from(pre, (i) => lens[i]));
    assert.ok(vals.size <= 1);
  }
});

test('cover parameters are checked', () => {
  const lens = Float64Array.from([1, 2, 3]);
  assert.throws(() => buildCover('uniform', lens, lensOrder(lens), 0, 0.3), InputError);
  assert.throws(() => buildCover('uniform', lens, lensOrder(lens), 3, 1), InputError);
  assert.throws(() => buildCover('uniform', lens, lensOrder(lens), 2.5, 0.3), InputError);
});
