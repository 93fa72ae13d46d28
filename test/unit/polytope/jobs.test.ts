import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runJob } from '../../../src/core/jobs/run';
import { CancelledError, InputError } from '../../../src/core/errors';

const spirals = path.resolve(__dirname, '../../../../shared/fixtures/spirals');
const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const expected = JSON.parse(readFileSync(path.join(spirals, 'expected_polytope.json'), 'utf8'));

test('polytope job: what a panel draws is consistent with the complex', async () => {
  const progress: number[] = [];
  const r = await runJob(
    'polytope',
    { model: path.join(spirals, 'model.onnx'), box: expected.box, train: path.join(spirals, 'train.csv') },
    { onProgress: (f) => progress.push(f) },
  );
  const F = r.regions;
  assert.equal(r.faces.offsets.length, F + 1);
  assert.equal(r.faces.coords.length, 2 * r.faces.offsets[F]);
  assert.equal(r.faces.predicted.length, F);
  assert.equal(r.faces.fiedlerSide.unweighted.length, F);
  assert.equal(r.faces.fiedlerSide.weighted!.length, F);
  assert.equal(r.training!.face.length, 800);
  assert.equal(
    r.faces.trainingCount.reduce((a, b) => a + b, 0),
    800,
    'every training point lies in the box',
  );
  assert.equal(r.dualGraph.source.length, expected.dual_edges_facet);
  assert.equal(r.complex.vertexSigns.length, 0, 'sign vectors only on request');
  assert.ok(progress.length > 0 && progress.at(-1) === 1);
  const withSigns = await runJob('polytope', {
    model: path.join(spirals, 'model.onnx'),
    box: expected.box,
    withComplex: true,
  });
  assert.equal(withSigns.complex.vertexSigns.length, expected.f_vector[0] * 16);
});

test('default box is the training points bounding box with a 5 % margin', async () => {
  const r = await runJob('betti', {
    model: path.join(spirals, 'model.onnx'),
    train: path.join(spirals, 'train.csv'),
    trials: 2,
  });
  const [f0, , f2] = r.fVector;
  assert.equal(r.max.beta0, f0);
  assert.equal(r.max.beta1, f2);
  const p = await runJob('polytope', {
    model: path.join(spirals, 'model.onnx'),
    train: path.join(spirals, 'train.csv'),
  });
  const [x0, x1] = p.box;
  assert.ok(
    Math.abs(x0 - (-1.055125 - 0.05 * (1.006548 + 1.055125))) < 0.05,
    'x range of train.csv plus 5 %',
  );
  assert.ok(x1 > 1 && x1 < 1.2);
});

test('a cancelled job stops with CancelledError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    runJob(
      'polytope',
      { model: path.join(spirals, 'model.onnx'), box: expected.box },
      { signal: controller.signal },
    ),
    CancelledError,
  );
});

test('a slice of the digits MLP needs three distinct non-collinear rows and reports the anchors', async () => {
  const r = await runJob('polytope', {
    model: path.join(digits, 'mlp_clean.onnx'),
    slice: { inputs: path.join(digits, 'test_images.npy'), anchors: [0, 1, 2] },
  });
  assert.equal(r.inputDim, 784);
  assert.equal(r.weighting, 'none');
  assert.equal(r.anchorsUv!.length, 6);
  assert.equal(r.anchorsUv![0], 0);
  assert.equal(r.anchorsUv![1], 0);
  assert.ok(Math.abs(r.anchorsUv![3]) < 1e-9, 'the second anchor lies on the first axis');
  assert.equal(r.euler, 1);
  await assert.rejects(
    runJob('polytope', {
      model: path.join(digits, 'mlp_clean.onnx'),
      slice: { inputs: path.join(digits, 'test_images.npy'), anchors: [0, 0, 2] },
    }),
    InputError,
  );
});
