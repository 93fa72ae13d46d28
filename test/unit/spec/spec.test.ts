import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadSpec, parseSpec, serializeSpec, writeSpec } from '../../../src/core/spec/spec';
import { InputError } from '../../../src/core/errors';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');

/** The example of DESIGN.md §4, placed in the digits fixture folder. */
const example = {
  name: 'digits MLP, adversarially trained',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  samples: 'manifest.csv',
  labels: 'test_labels.npy',
  sets: [
    {
      name: 'clean',
      epsilon: 0,
      activations: 'act_adv_linf_0.1_eps0.00.npy',
      predictions: 'pred_adv_linf_0.1_eps0.00.npy',
    },
    {
      name: 'ε=0.05',
      epsilon: 0.05,
      activations: 'act_adv_linf_0.1_eps0.05.npy',
      predictions: 'pred_adv_linf_0.1_eps0.05.npy',
    },
  ],
  mapper: {
    lens: 'l2norm',
    cover: 'uniform',
    intervals: 20,
    overlap: 0.3,
    clusterer: 'dbscan',
    eps: 'auto',
    minSamples: 5,
  },
};

const reason = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError && e.code === 'bad-spec', String(e));
    return e.reason;
  }
  assert.fail('expected a bad-spec error');
};

test('the DESIGN.md example loads with every path resolved against the spec folder', () => {
  const spec = parseSpec(JSON.stringify(example), path.join(digits, 'a.toposcope.json'));
  assert.equal(spec.samples, path.join(digits, 'manifest.csv'));
  assert.equal(spec.labels, path.join(digits, 'test_labels.npy'));
  assert.equal(spec.sets![1].activations, path.join(digits, 'act_adv_linf_0.1_eps0.05.npy'));
  assert.equal(spec.sets![1].epsilon, 0.05);
  assert.deepEqual(spec.mapper, example.mapper);
});

test('a model spec with an attack; tensor keys survive resolution', () => {
  const spec = parseSpec(
    JSON.stringify({
      model: 'mlp.onnx',
      inputs: 'data/x.npz:images',
      layer: '/net/net.2/Gemm_output_0',
      attack: { kind: 'pgd-linf', epsilons: [0, 0.05, 0.1], steps: 20, clip: [0, 1] },
      mapper: { lens: 'file:lens.npy' },
    }),
    '/w/specs/m.toposcope.json',
  );
  assert.equal(spec.model, '/w/specs/mlp.onnx');
  assert.equal(spec.inputs, '/w/specs/data/x.npz:images');
  assert.equal(spec.mapper!.lens, 'file:/w/specs/lens.npy');
  assert.deepEqual(spec.attack, { kind: 'pgd-linf', epsilons: [0, 0.05, 0.1], steps: 20, clip: [0, 1] });
});

test('precise messages name the offending field', () => {
  const f = '/w/s.toposcope.json';
  const bad = (doc: unknown) => reason(() => parseSpec(JSON.stringify(doc), f));
  assert.equal(
    bad({ sets: [{ name: 'a', activations: 'a.npy' }, { name: 'b' }] }),
    'sets[1].activations: missing',
  );
  assert.equal(bad({}), 'sets: missing (a spec needs "sets" of activations, or a "model")');
  assert.match(
    bad({ sets: [{ name: 'a', activations: 'a.npy', activation: 'x' }] }),
    /^sets\[0\]\.activation: unknown field/,
  );
  assert.match(
    bad({ sets: [{ name: 'a', activations: 'a.npy' }], mapper: { overlap: 1 } }),
    /^mapper\.overlap: must be in \[0, 1\), got 1/,
  );
  assert.match(
    bad({ sets: [{ name: 'a', activations: 'a.npy' }], mapper: { lens: 'pca2' } }),
    /^mapper\.lens: must be one of/,
  );
  assert.match(
    bad({ sets: [{ name: 'a', activations: 'a.npy' }], mapper: { eps: -1 } }),
    /^mapper\.eps: must be a number > 0 or "auto"/,
  );
  assert.match(
    bad({ model: 'm.onnx', inputs: 'x.npy', attack: { kind: 'pgd', epsilons: [0.1] } }),
    /^attack\.kind: must be one of/,
  );
  assert.equal(
    bad({ model: 'm.onnx', inputs: 'x.npy', attack: { kind: 'fgsm', epsilons: [0.1, -1] } }),
    'attack.epsilons[1]: must be a number ≥ 0',
  );
  assert.equal(bad({ model: 'm.onnx' }), 'inputs: missing (a model analysis needs its inputs)');
  assert.match(
    bad({
      sets: [
        { name: 'a', activations: 'a.npy' },
        { name: 'a', activations: 'b.npy' },
      ],
    }),
    /^sets\[1\]\.name: "a" is already/,
  );
  assert.equal(
    bad({ sets: [{ name: 'a', activations: 'a.npy', epsilon: '0.1' }] }),
    'sets[0].epsilon: must be a number ≥ 0, got "0.1"',
  );
  assert.match(
    reason(() => parseSpec('{"sets": [', f)),
    /^not valid JSON/,
  );
});

test('writeSpec writes paths relative to the spec; loading it back gives the same spec', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-spec-'));
  const file = path.join(dir, 'sub', 'x.toposcope.json');
  const loaded = parseSpec(JSON.stringify(example), path.join(digits, 'a.toposcope.json'));
  mkdirSync(path.dirname(file));
  await writeSpec(file, { ...loaded, view: { layout: 'force' } });
  const text = readFileSync(file, 'utf8');
  const raw = JSON.parse(text);
  assert.equal(
    raw.samples,
    path.relative(path.dirname(file), path.join(digits, 'manifest.csv')).split(path.sep).join('/'),
  );
  assert.ok(!path.isAbsolute(raw.sets[0].activations));
  assert.deepEqual(raw.view, { layout: 'force' });
  assert.deepEqual(await loadSpec(file), { ...loaded, view: { layout: 'force' } });
});

test('serializing the example in its own folder gives back the example', () => {
  const file = path.join(digits, 'a.toposcope.json');
  assert.deepEqual(JSON.parse(serializeSpec(file, parseSpec(JSON.stringify(example), file))), example);
});

test('a missing spec file is not-found', async () => {
  await assert.rejects(
    loadSpec('/nonexistent/x.toposcope.json'),
    (e: unknown) => e instanceof InputError && e.code === 'not-found',
  );
});
