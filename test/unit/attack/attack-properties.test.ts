import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Attacker, oneHot } from '../../../src/core/attack/attacker';
import { resolveAttack } from '../../../src/core/attack/params';
import { CancelledError, InputError } from '../../../src/core/errors';
import { parseNpy } from '../../../src/core/io/npy';
import { decodeOnnx, encodeOnnx } from '../../../src/core/io/onnx';
import { toLabels } from '../../../src/core/io/tensor';
import { localContext } from '../../../src/core/jobs/context';
import { assembleModel, buildGradientGraph } from '../../../src/core/model/backward';
import { labelsFor, modelInputs } from '../../../src/core/model/inputs';
import { createSession, floatTensor } from '../../../src/core/model/ort';
import { probeModel } from '../../../src/core/model/probe';
import { runModel } from '../../../src/core/model/run-model';
import { residualCnn, tinyMlp } from '../../fixtures/onnx-models';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const file = path.join(digits, 'mlp_clean.onnx');
const model = decodeOnnx(readFileSync(file), file);
const N = 64;
const images = (parseNpy(readFileSync(path.join(digits, 'test_images.npy'))).data as Float32Array).slice(
  0,
  N * 784,
);
const labels = toLabels(parseNpy(readFileSync(path.join(digits, 'test_labels.npy')))).slice(0, N);

async function attack(params: Parameters<typeof resolveAttack>[0], x = images) {
  const probe = await probeModel(model, file, x, [784]);
  const attacker = await Attacker.create(model, file, probe, [784], resolveAttack(params));
  const adv = await attacker.perturb(x, labels);
  await attacker.release();
  return adv;
}

function rowNorms(adv: Float32Array, x: Float32Array, p: 2 | typeof Infinity): number[] {
  return Array.from({ length: N }, (_, i) => {
    let acc = 0;
    for (let j = i * 784; j < (i + 1) * 784; j++) {
      const d = Math.abs(adv[j] - x[j]);
      acc = p === 2 ? acc + d * d : Math.max(acc, d);
    }
    return p === 2 ? Math.sqrt(acc) : acc;
  });
}

test('FGSM is clip(x + ε·sign(∇ₓℓ)) with the gradient from the backward graph', async () => {
  const eps = 0.07;
  const adv = await attack({ kind: 'fgsm', eps });
  const probe = await probeModel(model, file, images, [784]);
  const g = buildGradientGraph(model, file, probe);
  const session = await createSession(encodeOnnx(assembleModel(model, g, [g.grad])), file);
  const out = await session.run({
    [g.input]: await floatTensor(images, [N, 784]),
    [g.targets]: await floatTensor(oneHot(labels, 10), [N, 10]),
  });
  await session.release();
  const grad = out[g.grad].data as Float32Array;
  for (let i = 0; i < adv.length; i++) {
    const expected = Math.min(1, Math.max(0, images[i] + eps * Math.sign(grad[i])));
    assert.ok(Math.abs(adv[i] - expected) <= 1e-6, `pixel ${i}: ${adv[i]} vs ${expected}`);
  }
});

test('PGD ℓ∞ with a random start stays in the ε-ball and the clip range, and is reproducible by seed', async () => {
  const eps = 0.1;
  const a = await attack({ kind: 'pgd-linf', eps, steps: 5, randomStart: true, seed: 3, clip: [0.1, 0.9] });
  const b = await attack({ kind: 'pgd-linf', eps, steps: 5, randomStart: true, seed: 3, clip: [0.1, 0.9] });
  const c = await attack({ kind: 'pgd-linf', eps, steps: 5, randomStart: true, seed: 4, clip: [0.1, 0.9] });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.ok(a.every((v) => v >= 0.1 && v <= 0.9));
  // Projection is onto the ball around x₀, then the clip may move a pixel that started outside [0.1, 0.9].
  const clipped = images.map((v) => Math.min(0.9, Math.max(0.1, v)));
  for (const r of rowNorms(a, clipped, Infinity)) assert.ok(r <= eps + 1e-6, `‖δ‖∞ = ${r}`);
});

test('PGD ℓ2 with a random start keeps every row within ‖δ‖₂ ≤ ε and lowers the accuracy', async () => {
  const eps = 1.5;
  const adv = await attack({ kind: 'pgd-l2', eps, steps: 10, randomStart: true, seed: 1 });
  for (const r of rowNorms(adv, images, 2)) assert.ok(r <= eps * (1 + 1e-5), `‖δ‖₂ = ${r}`);
  assert.ok(adv.every((v) => v >= 0 && v <= 1));
  const clean = await runModel(
    { model, modelFile: file, inputs: { x: images, n: N, rowShape: [784] }, labels },
    localContext(),
  );
  const attacked = await runModel(
    { model, modelFile: file, inputs: { x: adv, n: N, rowShape: [784] }, labels },
    localContext(),
  );
  assert.ok(attacked.accuracy! < clean.accuracy!, `${attacked.accuracy} vs ${clean.accuracy}`);
});

test('default step size is 2.5ε/T; FGSM is one step of size ε without random start', () => {
  const pgd = resolveAttack({ kind: 'pgd-linf', eps: 0.2, steps: 20 });
  assert.equal(pgd.stepSize, (2.5 * 0.2) / 20);
  assert.equal(pgd.randomStart, true);
  const fgsm = resolveAttack({ kind: 'fgsm', eps: 0.3, steps: 50, randomStart: true });
  assert.deepEqual([fgsm.steps, fgsm.stepSize, fgsm.randomStart], [1, 0.3, false]);
  for (const bad of [
    { kind: 'pgd-linf' as const, eps: -1 },
    { kind: 'pgd-linf' as const, eps: 0.1, steps: 2.5 },
    { kind: 'pgd-l2' as const, eps: 0.1, clip: [1, 0] as [number, number] },
  ]) {
    assert.throws(() => resolveAttack(bad), InputError);
  }
});

test('a cancelled run stops between attack steps with CancelledError', async () => {
  const controller = new AbortController();
  const ctx = localContext({ signal: controller.signal, onProgress: () => controller.abort() });
  await assert.rejects(
    runModel(
      {
        model,
        modelFile: file,
        inputs: { x: images, n: N, rowShape: [784] },
        labels,
        attack: { kind: 'pgd-linf', eps: 0.1, steps: 50 },
        chunk: 16,
      },
      ctx,
    ),
    CancelledError,
  );
});

test('chunked activations equal one-shot activations', async () => {
  const run = (chunk: number) =>
    runModel(
      {
        model,
        modelFile: file,
        inputs: { x: images, n: N, rowShape: [784] },
        labels,
        layer: '/1/Relu_output_0',
        chunk,
      },
      localContext(),
    );
  const [whole, chunked] = await Promise.all([run(1024), run(7)]);
  assert.deepEqual(chunked.activationShape, [N, 128]);
  assert.deepEqual(chunked.predictions, whole.predictions);
  const worst = chunked.activations!.reduce((m, v, i) => Math.max(m, Math.abs(v - whole.activations![i])), 0);
  assert.ok(worst <= 1e-6, `max |Δ| = ${worst}`);
});

test('input rows are reshaped to the model input; mismatched rows and label counts are InputErrors', () => {
  const cnn = residualCnn();
  const flat = { dtype: 'float32' as const, shape: [5, 64], data: new Float32Array(5 * 64) };
  assert.deepEqual(modelInputs(cnn, flat, 'x.npy', 'cnn.onnx').rowShape, [1, 8, 8]);
  const wrong = { dtype: 'float32' as const, shape: [5, 63], data: new Float32Array(5 * 63) };
  assert.throws(
    () => modelInputs(cnn, wrong, 'x.npy', 'cnn.onnx'),
    (e: unknown) => e instanceof InputError && e.code === 'shape-mismatch',
  );
  const y = { dtype: 'int64' as const, shape: [4], data: new BigInt64Array(4) };
  assert.throws(
    () => labelsFor(y, 5, 'y.npy'),
    (e: unknown) => e instanceof InputError && e.code === 'row-count-mismatch',
  );
});

test('a model exported with a fixed batch of 1 is run in chunks and attacked', async () => {
  const fixed = tinyMlp(13, 1);
  const x = Float32Array.from({ length: 5 * 4 }, (_, i) => (i % 7) / 7);
  const y = Int32Array.of(0, 1, 2, 0, 1);
  const r = await runModel(
    {
      model: fixed,
      modelFile: 'fixed.onnx',
      inputs: { x, n: 5, rowShape: [4] },
      labels: y,
      layer: fixed.graph!.node[1].output[0],
      attack: { kind: 'pgd-linf', eps: 0.2, steps: 3 },
      chunk: 2,
      keepAdversarial: true,
    },
    localContext(),
  );
  assert.deepEqual(r.activationShape, [5, 6]);
  assert.equal(r.adversarial!.length, 20);
  assert.ok(r.adversarial!.some((v, i) => v !== x[i]));
});
