import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { zipSync } from 'fflate';
import { listNpz, readNpz } from '../../../src/core/io/npz';
import { encodeNpy } from '../../../src/core/io/npy';
import { encodeSafetensors, listSafetensors, readSafetensors } from '../../../src/core/io/safetensors';
import { InputError } from '../../../src/core/errors';
import { assertClose, bytesOf, expected, local } from './helpers';

const base = (expected.base as number[][]).flat();
const f4 = (expected.f4 as number[][]).flat();

test('np.savez (stored) and np.savez_compressed (deflated) archives, keys without .npy', () => {
  const stored = path.join(local, 'stored.npz');
  assert.deepEqual(
    listNpz(bytesOf(stored), stored).map((t) => [t.name, t.dtype, t.shape]),
    [
      ['a', 'float64', [3, 4]],
      ['labels', 'int64', [3]],
    ],
  );
  assertClose(readNpz(bytesOf(stored), stored, 'a').data, base);
  assert.deepEqual([...readNpz(bytesOf(stored), stored, 'labels').data], [1n, 2n, 3n]);
  const deflated = path.join(local, 'deflated.npz');
  assertClose(readNpz(bytesOf(deflated), deflated, 'a').data, f4);
  assert.deepEqual([...readNpz(bytesOf(deflated), deflated, 'b').data], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('an archive of one array reads without a key; several need one', () => {
  const one = zipSync({ 'x.npy': encodeNpy({ dtype: 'int32', shape: [2], data: Int32Array.of(4, 5) }) });
  assert.deepEqual([...readNpz(one, 'one.npz').data], [4, 5]);
  const stored = path.join(local, 'stored.npz');
  assert.throws(
    () => readNpz(bytesOf(stored), stored),
    (e: unknown) => e instanceof InputError && /a, labels/.test(e.reason),
  );
});

test('safetensors with __metadata__, F16/BF16/F32/F64/I64/U8/BOOL and an unaligned float32 tensor', () => {
  const f = path.join(local, 'mixed.safetensors');
  const bytes = bytesOf(f);
  assert.deepEqual(
    listSafetensors(bytes, f).map((t) => `${t.name}:${t.dtype}:${t.shape.join('x')}`),
    [
      'half:float16:3',
      'w:float32:3x4',
      'bf:bfloat16:3',
      'ids:int64:2',
      'mask:bool:2',
      'u:uint8:2',
      'd:float64:',
    ],
  );
  assertClose(readSafetensors(bytes, f, 'half').data, expected.half as number[]);
  assertClose(readSafetensors(bytes, f, 'w').data, f4);
  assertClose(readSafetensors(bytes, f, 'bf').data, expected.bf as number[]);
  assert.deepEqual([...readSafetensors(bytes, f, 'ids').data], [-1n, 7n]);
  assert.deepEqual([...readSafetensors(bytes, f, 'mask').data], [1, 0]);
  assert.deepEqual([...readSafetensors(bytes, f, 'u').data], [3, 250]);
  assert.deepEqual([...readSafetensors(bytes, f, 'd').data], [0.25]);
});

test('encodeSafetensors round-trips, including non-ASCII names', () => {
  const tensors = new Map([
    ['größe', { dtype: 'float32' as const, shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
    ['n', { dtype: 'int64' as const, shape: [1], data: BigInt64Array.of(-9n) }],
  ]);
  const bytes = encodeSafetensors(tensors, { source: 'test' });
  assert.deepEqual([...readSafetensors(bytes, 'x', 'größe').data], [1, 2, 3, 4]);
  assert.deepEqual([...readSafetensors(bytes, 'x', 'n').data], [-9n]);
});

test('offsets that disagree with the shape, or run past the end, are typed errors', () => {
  const good = encodeSafetensors(
    new Map([['a', { dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) }]]),
  );
  assert.throws(
    () => readSafetensors(good.subarray(0, good.length - 1), 'x'),
    (e: unknown) => e instanceof InputError && e.code === 'truncated',
  );
  const text = new TextDecoder().decode(good).replace('"shape":[2]', '"shape":[3]');
  assert.throws(
    () => readSafetensors(new TextEncoder().encode(text), 'x'),
    (e: unknown) => e instanceof InputError && e.code === 'bad-header',
  );
});

test('encodeSafetensors keeps the data 8-byte aligned whatever the header holds', () => {
  for (const name of ['a', 'größe', 'ß'.repeat(5)]) {
    const bytes = encodeSafetensors(
      new Map([[name, { dtype: 'float64' as const, shape: [1], data: Float64Array.of(1) }]]),
    );
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLen) % 8, 0, name);
  }
});

test('dtype names that are Object.prototype members are unsupported dtypes, not lookups', () => {
  for (const name of ['constructor', 'toString', '__proto__']) {
    const header = new TextEncoder().encode(
      JSON.stringify({ a: { dtype: name, shape: [1], data_offsets: [0, 4] } }),
    );
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    assert.throws(
      () => readSafetensors(bytes, 'p.safetensors', 'a'),
      (e: unknown) => e instanceof InputError && e.code === 'unsupported-dtype',
    );
  }
});
