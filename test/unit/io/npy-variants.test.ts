import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import fc from 'fast-check';
import { encodeNpy, parseNpy } from '../../../src/core/io/npy';
import { InputError } from '../../../src/core/errors';
import { assertClose, bytesOf, expected, local } from './helpers';

const base = (expected.base as number[][]).flat();
const f4 = (expected.f4 as number[][]).flat();
const read = (name: string) => parseNpy(bytesOf(path.join(local, name)), name);

test('float64 C order, float32 Fortran order and big-endian float32 give the same matrix', () => {
  const c = read('f8_c.npy');
  assert.equal(c.dtype, 'float64');
  assert.deepEqual(c.shape, [3, 4]);
  assertClose(c.data, base);
  for (const name of ['f4_fortran.npy', 'f4_be.npy', 'v2.npy', 'v3.npy']) {
    const t = read(name);
    assert.equal(t.dtype, 'float32', name);
    assert.deepEqual(t.shape, [3, 4], name);
    assertClose(t.data, f4);
  }
});

test('float16 widens exactly to the values numpy holds', () => {
  const t = read('f2.npy');
  assert.equal(t.dtype, 'float16');
  assert.ok(t.data instanceof Float32Array);
  assertClose(t.data, (expected.f2 as number[][]).flat());
});

test('integers of every width and byte order, bool, 0-d and empty arrays', () => {
  assert.deepEqual([...read('i2_be.npy').data], [-3, 2, 1000, -32768]);
  assert.deepEqual([...read('u2.npy').data], [0, 1, 65535]);
  assert.deepEqual([...read('i1.npy').data], [-128, 0, 127]);
  assert.deepEqual([...read('u8.npy').data], [0n, 2n ** 53n]);
  const b = read('bool.npy');
  assert.equal(b.dtype, 'bool');
  assert.deepEqual([...b.data], [1, 0, 1]);
  const s = read('scalar.npy');
  assert.deepEqual(s.shape, []);
  assert.deepEqual([...s.data], [2.5]);
  const e = read('empty.npy');
  assert.deepEqual(e.shape, [0, 3]);
  assert.equal(e.data.length, 0);
});

test('a 3-D Fortran-order int32 array is reordered to row-major', () => {
  const t = read('fortran3d_i4.npy');
  assert.deepEqual(t.shape, [2, 3, 4]);
  assert.deepEqual(
    [...t.data],
    Array.from({ length: 24 }, (_, i) => i),
  );
});

test('encodeNpy round-trips any float32/int32/uint8 matrix (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom('float32', 'int32', 'uint8', 'float64') as fc.Arbitrary<
        'float32' | 'int32' | 'uint8' | 'float64'
      >,
      fc.integer({ min: 0, max: 1e6 }),
      (rows, cols, dtype, seed) => {
        const n = rows * cols;
        const make = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, float64: Float64Array }[
          dtype
        ];
        const data = new make(n).map((_, i) => ((seed + i * 7919) % 251) - (dtype === 'uint8' ? 0 : 100));
        const back = parseNpy(encodeNpy({ dtype, shape: [rows, cols], data }));
        assert.equal(back.dtype, dtype);
        assert.deepEqual(back.shape, [rows, cols]);
        assert.deepEqual([...back.data], [...data]);
      },
    ),
    { numRuns: 200, seed: 1 },
  );
});

test('reads the real digits fixtures unchanged after a re-encode', () => {
  const t = parseNpy(
    bytesOf(path.resolve(local, '../../../../../shared/fixtures/digits/act_clean_eps0.00.npy')),
  );
  const again = parseNpy(encodeNpy(t));
  assert.deepEqual(again.shape, [2000, 10]);
  assert.deepEqual(again.data, t.data);
});

test('structured dtypes and unknown versions are typed errors', () => {
  const good = bytesOf(path.join(local, 'f8_c.npy'));
  const v9 = Uint8Array.from(good);
  v9[6] = 9;
  assert.throws(
    () => parseNpy(v9, 'x.npy'),
    (e: unknown) => e instanceof InputError && e.code === 'bad-header',
  );
  const text = new TextDecoder('latin1').decode(good).replace("'<f8'", "'<U1'");
  const str = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
  assert.throws(
    () => parseNpy(str, 'x.npy'),
    (e: unknown) => e instanceof InputError && e.code === 'unsupported-dtype',
  );
});
