import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { decodeOnnx, encodeOnnx } from '../../../src/core/io/onnx';
import { runJob } from '../../../src/core/jobs/run';
import { decodePng } from '../../../src/core/io/png';
import { CancelledError, InputError } from '../../../src/core/errors';
import { local, shared } from './helpers';

const digits = path.join(shared, 'digits');

test('info job: tensors with statistics, progress reported, cancel honoured', async () => {
  const seen: number[] = [];
  const r = await runJob(
    'info',
    { file: path.join(local, 'mixed.safetensors') },
    { onProgress: (f) => seen.push(f) },
  );
  assert.equal(r.format, 'safetensors');
  assert.equal(r.tensors.length, 7);
  assert.deepEqual(r.metadata, { format: 'pt' });
  const ids = r.tensors.find((t) => t.name === 'ids')!;
  assert.deepEqual(ids.stats, { count: 2, min: -1, max: 7, mean: 3, std: 4, nanCount: 0, infCount: 0 });
  assert.ok(seen.length > 0);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(
    runJob('info', { file: path.join(digits, 'test_images.npy') }, { signal: ac.signal }),
    CancelledError,
  );
});

test('info job: maxBytes and unsupported files are typed errors', async () => {
  await assert.rejects(
    runJob('info', { file: path.join(digits, 'test_images.npy'), maxBytes: 1000 }),
    (e: unknown) => e instanceof InputError && e.code === 'too-large',
  );
  await assert.rejects(
    runJob('info', { file: path.join(shared, 'README.md') }),
    (e: unknown) => e instanceof InputError && e.code === 'unsupported-format',
  );
});

test('companions, samples and renderSamples jobs', async () => {
  const c = await runJob('companions', { activations: path.join(digits, 'act_clean_eps0.00.npy') });
  assert.equal(path.basename(c.predictions[0].path), 'pred_clean_eps0.00.npy');
  const m = await runJob('samples', { source: path.join(digits, 'manifest.csv') });
  assert.equal(m.count, 2000);
  assert.equal(m.renderable, false);
  const s = await runJob('samples', { source: path.join(digits, 'test_images.npy') });
  assert.equal(s.renderable, true);
  const { images } = await runJob('renderSamples', {
    source: path.join(digits, 'test_images.npy'),
    indices: [0, 5],
  });
  assert.equal(images.length, 2);
  assert.deepEqual([decodePng(images[1], 'x.png').width, decodePng(images[1], 'x.png').height], [28, 28]);
  await assert.rejects(
    runJob('renderSamples', { source: path.join(digits, 'manifest.csv'), indices: [0] }),
    (e: unknown) => e instanceof InputError,
  );
});

test('info on an ONNX model whose initializer lives in an external file: listed, without statistics', async () => {
  const model = decodeOnnx(readFileSync(path.join(shared, 'spirals/model.onnx')), 'model.onnx');
  const first = model.graph!.initializer[0];
  first.dataLocation = 1;
  first.rawData = new Uint8Array(0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-ext-'));
  const file = path.join(dir, 'external.onnx');
  writeFileSync(file, encodeOnnx(model));
  const r = await runJob('info', { file });
  assert.equal(r.tensors[0].stats, undefined);
  assert.deepEqual(r.tensors[0].shape, [8, 2]);
  assert.ok(r.tensors[1].stats);
  assert.deepEqual(r.reluMlp, null);
});

test('info on file:key describes that one tensor; an unknown key lists the others', async () => {
  const r = await runJob('info', { file: `${path.join(shared, 'digits/mlp_clean_state_dict.pt')}:2.weight` });
  assert.deepEqual(
    r.tensors.map((t) => [t.name, t.shape]),
    [['2.weight', [64, 128]]],
  );
  assert.equal(r.file, path.join(shared, 'digits/mlp_clean_state_dict.pt'));
  await assert.rejects(
    runJob('info', { file: `${path.join(local, 'stored.npz')}:nope` }),
    (e: unknown) => e instanceof InputError && e.code === 'not-found' && /a, labels/.test(e.reason),
  );
});
