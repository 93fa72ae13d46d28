import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseNpy } from '../../../src/core/io/npy';
import { InputError } from '../../../src/core/errors';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');

test('reads the digits test images as 2000×784 float32 in [0, 1]', () => {
  const t = parseNpy(readFileSync(path.join(digits, 'test_images.npy')));
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.shape, [2000, 784]);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of t.data as Float32Array) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
});

test('reads int64 labels; the first three test digits are 3, 8, 8', () => {
  const t = parseNpy(readFileSync(path.join(digits, 'test_labels.npy')));
  assert.equal(t.dtype, 'int64');
  assert.deepEqual([...t.data.slice(0, 3)], [3n, 8n, 8n]);
});

test('a truncated file is a typed error naming the file', () => {
  const bytes = readFileSync(path.join(digits, 'test_labels.npy')).subarray(0, 200);
  assert.throws(
    () => parseNpy(bytes, 'labels.npy'),
    (e: unknown) => e instanceof InputError && e.file === 'labels.npy' && e.code === 'truncated',
  );
});
