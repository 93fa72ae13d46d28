import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { listTensors, readAllTensors, readTensorFile, splitTensorSpec } from '../../../src/core/io/read';
import { summarizeTensor } from '../../../src/core/io/summary';
import { InputError } from '../../../src/core/errors';
import { local, shared } from './helpers';

const isInput = (code: string) => (e: unknown) => e instanceof InputError && e.code === code;

test('file:key addressing splits after the extension (Windows drive letters and colons in keys survive)', () => {
  assert.deepEqual(splitTensorSpec('a/b.npy'), { path: 'a/b.npy' });
  assert.deepEqual(splitTensorSpec('C:\\data\\w.npz:layer:1'), { path: 'C:\\data\\w.npz', key: 'layer:1' });
  assert.deepEqual(splitTensorSpec('m.pt:net.0.weight'), { path: 'm.pt', key: 'net.0.weight' });
  assert.deepEqual(splitTensorSpec('x.safetensors:a.b'), { path: 'x.safetensors', key: 'a.b' });
  assert.deepEqual(splitTensorSpec('w.npz:layer.npy'), { path: 'w.npz', key: 'layer.npy' });
  assert.deepEqual(splitTensorSpec('C:\\a.b\\x.npy'), { path: 'C:\\a.b\\x.npy' });
});

test('readTensorFile dispatches on the extension for every format', async () => {
  const cases: [string, number[]][] = [
    [path.join(shared, 'digits/test_labels.npy'), [2000]],
    [path.join(local, 'stored.npz') + ':labels', [3]],
    [path.join(local, 'mixed.safetensors') + ':w', [3, 4]],
    [path.join(shared, 'spirals/train.csv') + ':x0,x1', [800, 2]],
    [path.join(shared, 'spirals/meta.json') + ':box', [4]],
    [path.join(shared, 'digits/mlp_clean_state_dict.pt') + ':2.weight', [64, 128]],
    [path.join(shared, 'digits/samples/test_0007.png'), [28, 28, 1]],
  ];
  for (const [spec, shape] of cases) assert.deepEqual((await readTensorFile(spec)).shape, shape, spec);
});

test('a TSV file reads with tabs', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-io-'));
  const f = path.join(dir, 'x.tsv');
  writeFileSync(f, 'a\tb\n1\t2\n3\t4\n');
  assert.deepEqual([...(await readTensorFile(f)).data], [1, 2, 3, 4]);
});

test('maxBytes refuses large files with too-large; missing files are not-found; other types unsupported', async () => {
  const big = path.join(shared, 'digits/test_images.npy');
  await assert.rejects(readTensorFile(big, { maxBytes: 1_000_000 }), isInput('too-large'));
  assert.deepEqual((await readTensorFile(big, { maxBytes: 10_000_000 })).shape, [2000, 784]);
  await assert.rejects(readTensorFile(path.join(shared, 'nope.npy')), isInput('not-found'));
  await assert.rejects(readTensorFile(path.join(shared, 'README.md')), isInput('unsupported-format'));
  await assert.rejects(
    readTensorFile(path.join(shared, 'spirals/expected_checkpoints.jsonl')),
    isInput('unsupported-format'),
  );
  await assert.rejects(readTensorFile(path.join(shared, 'digits') + '/x.npy:key'), isInput('not-found'));
  await assert.rejects(
    readTensorFile(path.join(shared, 'digits/test_labels.npy:key')),
    isInput('bad-parameter'),
  );
});

test('listTensors names single-tensor files after the file and lists state dicts by key', async () => {
  assert.deepEqual(await listTensors(path.join(shared, 'digits/act_clean_eps0.05.npy')), [
    { name: 'act_clean_eps0.05', shape: [2000, 10], dtype: 'float32' },
  ]);
  const sd = await listTensors(path.join(shared, 'spirals/model_state_dict.pt'));
  assert.deepEqual(
    sd.map((t) => t.name),
    ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'],
  );
  const all = await readAllTensors(path.join(local, 'mixed.safetensors'));
  assert.equal(all.size, 7);
});

test('summarizeTensor: min/max/mean/std over finite values, NaN and Inf counted', () => {
  const s = summarizeTensor({
    dtype: 'float64',
    shape: [6],
    data: Float64Array.of(1, 2, 3, 4, NaN, -Infinity),
  });
  assert.deepEqual(s, {
    count: 6,
    min: 1,
    max: 4,
    mean: 2.5,
    std: Math.sqrt(1.25),
    nanCount: 1,
    infCount: 1,
  });
  const none = summarizeTensor({ dtype: 'float32', shape: [1], data: Float32Array.of(NaN) });
  assert.equal(none.mean, null);
  const big = summarizeTensor({
    dtype: 'int64',
    shape: [3],
    data: BigInt64Array.of(1000000001n, 1000000002n, 1000000003n),
  });
  assert.ok(Math.abs(big.std! - Math.sqrt(2 / 3)) < 1e-9);
});

test('summarizeTensor reports its progress on large tensors and stops when the callback throws', () => {
  const t = { dtype: 'float32' as const, shape: [3 << 20], data: new Float32Array(3 << 20).fill(2) };
  const seen: number[] = [];
  const s = summarizeTensor(t, (f) => seen.push(f));
  assert.equal(s.mean, 2);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((f, i) => f > 0 && f < 1 && (i === 0 || f > seen[i - 1])));
  assert.throws(() =>
    summarizeTensor(t, () => {
      throw new Error('cancelled');
    }),
  );
});

test('extensions that are Object.prototype members are unsupported', async () => {
  await assert.rejects(readTensorFile('/tmp/x.constructor'), isInput('unsupported-format'));
  await assert.rejects(listTensors('/tmp/x.toString'), isInput('unsupported-format'));
});
