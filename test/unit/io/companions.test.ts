import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { discoverCompanions } from '../../../src/core/io/discover';
import { imageRenderer, loadSamples } from '../../../src/core/io/manifest';
import { decodePng } from '../../../src/core/io/png';
import { parseNpy } from '../../../src/core/io/npy';
import { checkRowCounts, classNames, finiteRows, nonFiniteRows } from '../../../src/core/io/validate';
import { InputError } from '../../../src/core/errors';
import { shared } from './helpers';

const digits = path.join(shared, 'digits');

test('discovery beside act_clean_eps0.05.npy: its own predictions first, test_labels, the manifest', async () => {
  const c = await discoverCompanions(path.join(digits, 'act_clean_eps0.05.npy'));
  assert.equal(c.predictions[0].path, path.join(digits, 'pred_clean_eps0.05.npy'));
  assert.equal(c.predictions.length, 10);
  // Among the others, runs sharing a token (clean…, …eps0.05) rank before pred_adv_linf_0.1_eps0.10.
  const rankOf = (name: string) => c.predictions.findIndex((x) => path.basename(x.path) === name);
  assert.ok(rankOf('pred_clean_eps0.30.npy') < rankOf('pred_adv_linf_0.1_eps0.10.npy'));
  assert.ok(rankOf('pred_adv_linf_0.1_eps0.05.npy') < rankOf('pred_adv_linf_0.1_eps0.10.npy'));
  assert.deepEqual(
    c.labels.map((x) => path.basename(x.path)),
    ['test_labels.npy'],
  );
  assert.deepEqual(
    c.manifest.map((x) => path.basename(x.path)),
    ['manifest.csv', 'samples', 'test_images.npy'],
  );
});

test('discovery of generic names: labels.npy, y_run.npy, preds.npy', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-disc-'));
  for (const f of [
    'features_run1.npy',
    'labels.npy',
    'y_run1.npy',
    'preds.npy',
    'pred_run1.npz',
    'notes.txt',
    'other.npy',
  ]) {
    writeFileSync(path.join(dir, f), '');
  }
  const c = await discoverCompanions(path.join(dir, 'features_run1.npy'));
  assert.deepEqual(
    c.labels.map((x) => path.basename(x.path)),
    ['y_run1.npy', 'labels.npy'],
  );
  assert.deepEqual(
    c.predictions.map((x) => path.basename(x.path)),
    ['pred_run1.npz', 'preds.npy'],
  );
  assert.deepEqual(c.manifest, []);
});

test('loadSamples on the digits manifest: absolute paths by index, labels equal test_labels.npy', async () => {
  const s = await loadSamples(path.join(digits, 'manifest.csv'));
  assert.equal(s.kind, 'manifest');
  assert.equal(s.count, 2000);
  assert.equal(s.files![0], path.join(digits, 'samples/test_0000.png'));
  const labels = parseNpy(readFileSync(path.join(digits, 'test_labels.npy')));
  assert.deepEqual([...s.labels!], [...labels.data].map(Number));
});

test('a manifest with shuffled indices and text labels maps rows by index', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-man-'));
  writeFileSync(path.join(dir, 'm.csv'), 'index,file,label\n1,img/b.png,dog\n0,img/a.png,cat\n');
  const s = await loadSamples(path.join(dir, 'm.csv'));
  assert.deepEqual(s.files, [path.join(dir, 'img/a.png'), path.join(dir, 'img/b.png')]);
  assert.deepEqual(s.classes, ['cat', 'dog']);
  assert.deepEqual([...s.labels!], [0, 1]);
  writeFileSync(path.join(dir, 'bad.csv'), 'index,file\n0,a.png\n0,b.png\n');
  await assert.rejects(
    loadSamples(path.join(dir, 'bad.csv')),
    (e: unknown) => e instanceof InputError && /row 3/.test(e.reason),
  );
});

test('a folder of images sorts by name, numbers in order', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-fold-'));
  mkdirSync(path.join(dir, 's'));
  for (const f of ['img10.png', 'img2.png', 'img1.png', 'readme.txt'])
    writeFileSync(path.join(dir, 's', f), '');
  const s = await loadSamples(path.join(dir, 's'));
  assert.deepEqual(
    s.files!.map((f) => path.basename(f)),
    ['img1.png', 'img2.png', 'img10.png'],
  );
});

test('test_images.npy (N×784) renders row 3 to the same pixels as samples/test_0003.png', async () => {
  const s = await loadSamples(path.join(digits, 'test_images.npy'));
  assert.equal(s.kind, 'images');
  assert.equal(s.count, 2000);
  const mine = decodePng(s.render!(3), 'r.png');
  const theirs = decodePng(readFileSync(path.join(digits, 'samples/test_0003.png')), 'p.png');
  assert.deepEqual([mine.width, mine.height, mine.channels], [28, 28, 1]);
  let maxDiff = 0;
  for (let i = 0; i < 784; i++) maxDiff = Math.max(maxDiff, Math.abs(mine.pixels[i] - theirs.pixels[i]));
  assert.ok(maxDiff <= 1, `max pixel difference ${maxDiff}`);
  assert.throws(
    () => s.render!(2000),
    (e: unknown) => e instanceof InputError,
  );
});

test('row counts: agreeing sources pass, the error names each differing file and count', () => {
  checkRowCounts([
    { role: 'activations', file: 'a.npy', rows: 10 },
    { role: 'labels', file: 'y.npy', rows: 10 },
  ]);
  assert.throws(
    () =>
      checkRowCounts([
        { role: 'activations', file: 'a.npy', rows: 10 },
        { role: 'labels', file: 'y.npy', rows: 10 },
        { role: 'predictions', file: 'p.npy', rows: 9 },
      ]),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'row-count-mismatch' &&
      e.file === 'p.npy' &&
      e.reason === 'row counts differ: activations a.npy has 10, predictions p.npy has 9',
  );
});

test('NaN/Inf rows: refused with their count, or excluded with the kept indices returned', () => {
  const t = {
    dtype: 'float32' as const,
    shape: [4, 2],
    data: Float32Array.of(1, 2, NaN, 3, 4, 5, 6, Infinity),
  };
  assert.deepEqual([...nonFiniteRows(t)], [1, 3]);
  assert.throws(
    () => finiteRows(t, 'a.npy', false),
    (e: unknown) => e instanceof InputError && e.code === 'non-finite' && /2 of 4 rows/.test(e.reason),
  );
  const r = finiteRows(t, 'a.npy', true);
  assert.deepEqual([...r.kept], [0, 2]);
  assert.deepEqual([...r.dropped], [1, 3]);
  assert.deepEqual(r.tensor.shape, [2, 2]);
  assert.deepEqual([...r.tensor.data], [1, 2, 4, 5]);
});

test('labels map to class names; out-of-range labels are named', () => {
  const y = { dtype: 'int64' as const, shape: [3], data: BigInt64Array.of(0n, 2n, 1n) };
  assert.deepEqual(classNames(y, 'y.npy'), ['0', '1', '2']);
  assert.deepEqual(classNames(y, 'y.npy', ['a', 'b', 'c']), ['a', 'b', 'c']);
  assert.throws(
    () => classNames(y, 'y.npy', ['a', 'b']),
    (e: unknown) => e instanceof InputError && /label 2 in row 1/.test(e.reason),
  );
});

test('image arrays in N×H×W×C and N×C×H×W layouts render the same RGB pixels; other shapes are refused', () => {
  const [h, w] = [2, 5];
  const size = h * w * 3;
  const hwc = new Uint8Array(2 * size).map((_, i) => (i * 37) % 256);
  const chw = new Uint8Array(hwc.length);
  for (let n = 0; n < 2; n++) {
    for (let p = 0; p < h * w; p++)
      for (let ch = 0; ch < 3; ch++) chw[n * size + ch * h * w + p] = hwc[n * size + p * 3 + ch];
  }
  const a = imageRenderer({ dtype: 'uint8', shape: [2, h, w, 3], data: hwc }, 'a.npy');
  const b = imageRenderer({ dtype: 'uint8', shape: [2, 3, h, w], data: chw }, 'b.npy');
  for (const i of [0, 1]) {
    const pa = decodePng(a.render(i), 'a.png');
    assert.deepEqual([pa.width, pa.height, pa.channels], [w, h, 3]);
    assert.deepEqual(pa.pixels, hwc.subarray(i * size, (i + 1) * size));
    assert.deepEqual(decodePng(b.render(i), 'b.png').pixels, pa.pixels);
  }
  assert.throws(
    () => imageRenderer({ dtype: 'float32', shape: [4, 7], data: new Float32Array(28) }, 'c.npy'),
    (e: unknown) => e instanceof InputError && e.code === 'shape-mismatch',
  );
});
