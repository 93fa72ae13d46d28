import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelProto } from 'onnx-buf';
import { oneHot } from '../../../src/core/attack/attacker';
import { InputError } from '../../../src/core/errors';
import { encodeOnnx, onnxOpset } from '../../../src/core/io/onnx';
import { assembleModel, buildGradientGraph } from '../../../src/core/model/backward';
import { createSession, floatTensor } from '../../../src/core/model/ort';
import { probeModel } from '../../../src/core/model/probe';
import { mulberry32 } from '../../../src/core/random';
import { summedCrossEntropy64 } from '../../fixtures/f64-onnx';
import { opZoo, residualCnn, tinyMlp, unsupportedModel } from '../../fixtures/onnx-models';

interface Case {
  name: string;
  model: ModelProto;
  rowShape: number[];
  classes: number;
}

const cases: Case[] = [
  { name: 'residual CNN', model: residualCnn(), rowShape: [1, 8, 8], classes: 5 },
  { name: 'residual CNN with a final Softmax', model: residualCnn(1, true), rowShape: [1, 8, 8], classes: 5 },
  { name: 'op zoo', model: opZoo(), rowShape: [12], classes: 3 },
];

/** Gradient and loss of Σ CE at x, and the loss alone at any point, through one session. */
async function gradientSession(c: Case, x: Float32Array, n: number, labels: Int32Array) {
  const probe = await probeModel(c.model, c.name, x, c.rowShape);
  const g = buildGradientGraph(c.model, c.name, probe);
  const assembled = assembleModel(c.model, g, [g.grad, g.loss]);
  const session = await createSession(encodeOnnx(assembled), c.name);
  const dims = [n, ...c.rowShape];
  const targets = await floatTensor(oneHot(labels, c.classes), [n, c.classes]);
  const run = async (at: Float32Array) => {
    const out = await session.run({ [g.input]: await floatTensor(at, dims), [g.targets]: targets });
    return { grad: out[g.grad].data as Float32Array, loss: (out[g.loss].data as Float32Array)[0] };
  };
  return { run, release: () => session.release(), assembled };
}

for (const c of cases) {
  test(`${c.name}: input gradient equals float64 central finite differences of an independent forward pass`, async () => {
    const rng = mulberry32(7);
    const n = 3;
    const size = n * c.rowShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: size }, () => rng());
    const labels = Int32Array.from({ length: n }, (_, i) => i % c.classes);
    const s = await gradientSession(c, x, n, labels);
    const { grad, loss } = await s.run(x);
    await s.release();
    const shape = [n, ...c.rowShape];
    const x64 = Float64Array.from(x);
    assert.ok(
      Math.abs(loss - summedCrossEntropy64(c.model, { shape, data: x64 }, labels)) < 1e-4 * Math.abs(loss),
    );
    // ∂ℓ/∂xᵢ ≈ (ℓ(x + h·eᵢ) − ℓ(x − h·eᵢ)) / 2h, in float64 (h = 1e-6: no kink is crossed).
    const h = 1e-6;
    const scale = Math.max(...grad.map(Math.abs));
    assert.ok(scale > 0.05, `gradient of order 1, got max |∂| = ${scale}`);
    let worst = 0;
    for (let i = 0; i < size; i++) {
      const xi = x64[i];
      x64[i] = xi + h;
      const plus = summedCrossEntropy64(c.model, { shape, data: x64 }, labels);
      x64[i] = xi - h;
      const minus = summedCrossEntropy64(c.model, { shape, data: x64 }, labels);
      x64[i] = xi;
      worst = Math.max(worst, Math.abs((plus - minus) / (2 * h) - grad[i]));
    }
    assert.ok(worst <= 1e-5 * scale, `max |∂ − FD| = ${worst} (max |∂| = ${scale})`);
  });
}

test('a 13-opset model runs at opset 17 after adding the backward graph', async () => {
  const c: Case = { name: 'tiny', model: tinyMlp(13), rowShape: [4], classes: 3 };
  const s = await gradientSession(c, new Float32Array(8).fill(0.5), 2, Int32Array.of(0, 1));
  assert.equal(onnxOpset(s.assembled), 17);
  assert.equal(onnxOpset(c.model), 13);
  await s.release();
});

test('opset below 13 is refused as bad-model', async () => {
  const model = tinyMlp(11);
  const probe = await probeModel(model, 'old.onnx', new Float32Array(8), [4]);
  assert.throws(
    () => buildGradientGraph(model, 'old.onnx', probe),
    (e: unknown) => e instanceof InputError && e.code === 'bad-model' && /opset 11/.test(e.reason),
  );
});

test('an op without a backward rule is an unsupported-op error naming the op and the node', async () => {
  const model = unsupportedModel();
  const probe = await probeModel(model, 'erf.onnx', new Float32Array(8), [4]);
  assert.throws(
    () => buildGradientGraph(model, 'erf.onnx', probe),
    (e: unknown) =>
      e instanceof InputError &&
      e.code === 'unsupported-op' &&
      /Erf/.test(e.reason) &&
      /Erf_1/.test(e.reason),
  );
});
