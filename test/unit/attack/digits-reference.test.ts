import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Attacker, oneHot } from '../../../src/core/attack/attacker';
import { resolveAttack } from '../../../src/core/attack/params';
import { parseNpy } from '../../../src/core/io/npy';
import { decodeOnnx, encodeOnnx } from '../../../src/core/io/onnx';
import { toLabels } from '../../../src/core/io/tensor';
import { silentContext } from '../../../src/core/jobs/context';
import { assembleModel, buildGradientGraph } from '../../../src/core/model/backward';
import { createSession, floatTensor } from '../../../src/core/model/ort';
import { probeModel } from '../../../src/core/model/probe';
import { runModel } from '../../../src/core/model/run-model';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const npy = (name: string) => parseNpy(readFileSync(path.join(digits, name)), name);
const images = npy('test_images.npy').data as Float32Array;
const labels = toLabels(npy('test_labels.npy'));
const meta = JSON.parse(readFileSync(path.join(digits, 'meta.json'), 'utf8')) as {
  robust_accuracy: Record<string, number>;
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const N = 16;
const x16 = images.slice(0, N * 784);
const y16 = labels.slice(0, N);

for (const name of ['clean', 'adv_linf_0.1']) {
  const file = path.join(digits, `mlp_${name}.onnx`);
  const model = decodeOnnx(readFileSync(file), file);

  test(`${name}: input gradient of Σ CE equals PyTorch autograd to 1e-5`, async () => {
    const probe = await probeModel(model, file, x16, [784]);
    const g = buildGradientGraph(model, file, probe);
    const session = await createSession(encodeOnnx(assembleModel(model, g, [g.grad])), file);
    const out = await session.run({
      [g.input]: await floatTensor(x16, [N, 784]),
      [g.targets]: await floatTensor(oneHot(y16, 10), [N, 10]),
    });
    await session.release();
    const ref = npy(`ref_${name}_input_grad_sum_ce.npy`).data as Float32Array;
    const err = maxAbsDiff(out[g.grad].data as Float32Array, ref);
    assert.ok(err <= 1e-5, `max |Δ| = ${err}`);
  });

  // ℓ2 PGD on digit 2 of the clean model is chaotic at the float32 level: the same 10 steps in exact
  // float64 arithmetic land 1.9e-5 from the PyTorch reference, and onnxruntime lands 1.07e-5 from it.
  // Every other digit agrees to ≤ 1.2e-7, so the bound is 2e-5 for ℓ2 and 1e-5 for ℓ∞.
  for (const [kind, ref, eps, alpha, tol] of [
    ['pgd-linf', `ref_${name}_pgd_linf_0.1_norand_10x0.025.npy`, 0.1, 0.025, 1e-5],
    ['pgd-l2', `ref_${name}_pgd_l2_1.0_norand_10x0.25.npy`, 1.0, 0.25, 2e-5],
  ] as const) {
    test(`${name}: ${kind} without random start equals the PyTorch reference to ${tol}`, async () => {
      const probe = await probeModel(model, file, x16, [784]);
      const params = resolveAttack({ kind, eps, steps: 10, stepSize: alpha, randomStart: false });
      const attacker = await Attacker.create(model, file, probe, [784], params);
      const adv = await attacker.perturb(x16, y16);
      await attacker.release();
      const err = maxAbsDiff(adv, npy(ref).data as Float32Array);
      assert.ok(err <= tol, `max |Δ| = ${err}`);
    });
  }

  test(`${name}: clean logits equal act_${name}_eps0.00.npy to 1e-5`, async () => {
    const result = await runModel(
      { model, modelFile: file, inputs: { x: images, n: 2000, rowShape: [784] }, labels, layer: 'logits' },
      silentContext,
    );
    assert.deepEqual(result.activationShape, [2000, 10]);
    const err = maxAbsDiff(result.activations!, npy(`act_${name}_eps0.00.npy`).data as Float32Array);
    assert.ok(err <= 1e-5, `max |Δ| = ${err}`);
    assert.ok(Math.abs(result.accuracy! - meta.robust_accuracy[`${name}@0.00`]) < 1e-9);
  });

  test(`${name}: PGD-20 ℓ∞ robust accuracy at ε = 0.1 within 2 points of meta.json`, async () => {
    const result = await runModel(
      {
        model,
        modelFile: file,
        inputs: { x: images, n: 2000, rowShape: [784] },
        labels,
        attack: { kind: 'pgd-linf', eps: 0.1, steps: 20, randomStart: true, seed: 0 },
      },
      silentContext,
    );
    const expected = meta.robust_accuracy[`${name}@0.10`];
    assert.ok(Math.abs(result.robustAccuracy! - expected) <= 0.02, `${result.robustAccuracy} vs ${expected}`);
    assert.ok(result.robustAccuracy! <= result.cleanAccuracy!);
  });
}
