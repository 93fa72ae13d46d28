import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { csvTensor, listCsv, parseCsv } from '../../../src/core/io/csv';
import { listJson, readJsonTensor } from '../../../src/core/io/json-tensor';
import { InputError } from '../../../src/core/errors';
import { shared } from './helpers';

test('spirals train.csv: header detected, 800×3 matrix, columns addressable by name', () => {
  const file = path.join(shared, 'spirals/train.csv');
  const t = parseCsv(readFileSync(file, 'utf8'), file);
  assert.equal(t.hasHeader, true);
  assert.deepEqual(t.columns, ['x0', 'x1', 'label']);
  const all = csvTensor(t, file);
  assert.deepEqual(all.shape, [800, 3]);
  assert.deepEqual([...all.data.slice(0, 3)], [-0.2836496, -0.3007388, 0]);
  const xy = csvTensor(t, file, 'x0,x1');
  assert.deepEqual(xy.shape, [800, 2]);
  assert.deepEqual([...csvTensor(t, file, 'label').data.slice(0, 2)], [0, 1]);
});

test('manifest.csv: the text column is left out of the matrix and reads as classes on request', () => {
  const file = path.join(shared, 'digits/manifest.csv');
  const t = parseCsv(readFileSync(file, 'utf8'), file);
  assert.deepEqual(
    listCsv(t, file).map((x) => [x.name, x.shape]),
    [
      ['manifest', [2000, 2]],
      ['index', [2000]],
      ['file', [2000]],
      ['label', [2000]],
    ],
  );
  const files = csvTensor(t, file, 'file');
  assert.equal(files.dtype, 'int32');
  assert.equal(files.classes!.length, 2000);
  assert.equal(files.classes![files.data[0] as number], 'samples/test_0000.png');
});

test('quoted fields, a BOM, CRLF, tabs, no header, and nan/inf spellings', () => {
  const csv = '\uFEFF"a,b",c\r\n"1.5",2\r\n3,"nan"\r\n-inf,1e3\r\n';
  const t = parseCsv(csv, 'q.csv');
  assert.deepEqual(t.columns, ['a,b', 'c']);
  const m = csvTensor(t, 'q.csv');
  assert.deepEqual([...m.data].map(String), ['1.5', '2', '3', 'NaN', '-Infinity', '1000']);
  const tsv = parseCsv('1\t2\n3\t4\n', 'x.tsv', '\t');
  assert.equal(tsv.hasHeader, false);
  assert.deepEqual([...csvTensor(tsv, 'x.tsv').data], [1, 2, 3, 4]);
});

test('a text label column maps to sorted class names', () => {
  const t = parseCsv('x,y,cls\n1,2,dog\n3,4,cat\n5,6,dog\n', 'l.csv');
  const labels = csvTensor(t, 'l.csv', 'cls');
  assert.deepEqual(labels.classes, ['cat', 'dog']);
  assert.deepEqual([...labels.data], [1, 0, 1]);
  assert.deepEqual(csvTensor(t, 'l.csv').shape, [3, 2]);
});

test('ragged rows and unknown columns are typed errors naming the row or column', () => {
  assert.throws(
    () => parseCsv('a,b\n1,2\n3\n', 'r.csv'),
    (e: unknown) =>
      e instanceof InputError && e.code === 'shape-mismatch' && /row 3 has 1 fields/.test(e.reason),
  );
  const t = parseCsv('a,b\n1,2\n', 'r.csv');
  assert.throws(
    () => csvTensor(t, 'r.csv', 'zz'),
    (e: unknown) => e instanceof InputError && /columns: a, b/.test(e.reason),
  );
});

test('JSON: nested arrays, {data, shape}, and objects of named arrays', () => {
  const nested = readJsonTensor('[[1,2,3],[4,5,6]]', 'n.json');
  assert.deepEqual(nested.shape, [2, 3]);
  assert.deepEqual([...nested.data], [1, 2, 3, 4, 5, 6]);
  const ds = readJsonTensor('{"data":[1,2,3,4,5,6],"shape":[3,2],"dtype":"int32"}', 'd.json');
  assert.deepEqual(ds.shape, [3, 2]);
  assert.equal(ds.dtype, 'int32');
  const file = path.join(shared, 'spirals/meta.json');
  const text = readFileSync(file, 'utf8');
  assert.deepEqual(
    listJson(text, file).map((t) => [t.name, t.shape]),
    [
      ['architecture', [4]],
      ['box', [4]],
    ],
  );
  assert.deepEqual([...readJsonTensor(text, file, 'architecture').data], [2, 8, 8, 2]);
});

test('JSON that holds no tensor, ragged arrays, or a wrong shape are typed errors', () => {
  const file = path.join(shared, 'digits/meta.json');
  assert.throws(
    () => readJsonTensor(readFileSync(file, 'utf8'), file),
    (e: unknown) => e instanceof InputError && e.code === 'unsupported-format',
  );
  assert.throws(
    () => readJsonTensor('[[1,2],[3]]', 'r.json'),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => readJsonTensor('{"data":[1,2,3],"shape":[2,2]}', 's.json'),
    (e: unknown) => e instanceof InputError && e.code === 'shape-mismatch',
  );
  assert.throws(
    () => readJsonTensor('{"a": [1,', 'b.json'),
    (e: unknown) => e instanceof InputError && e.code === 'bad-header',
  );
});
