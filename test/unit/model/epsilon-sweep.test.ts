import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseNpy } from '../../../src/core/io/npy';
import { runJob } from '../../../src/core/jobs/run';
import { ORT_JOBS } from '../../../src/core/jobs/registry';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const model = path.join(digits, 'mlp_adv_linf_0.1.onnx');
const inputs = path.join(digits, 'test_images.npy');
const labels = path.join(digits, 'test_labels.npy');

test('an ε sweep with shared sessions equals separate activations runs at each ε', async () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'toposcope-sweep-'));
  const common = { model, inputs, labels, layer: '/3/Relu_output_0', steps: 5, seed: 3 };
  const sweep = await runJob('epsilonSweep', {
    ...common,
    attack: 'pgd-linf',
    epsilons: [0, 0.1, 0.2],
    outDir,
  });
  assert.deepEqual(
    sweep.sets.map((s) => path.basename(s.out!)),
    ['act_eps0.00.npy', 'act_eps0.10.npy', 'act_eps0.20.npy'],
  );
  for (const set of sweep.sets) {
    const single = await runJob('activations', {
      ...common,
      attack: set.epsilon === 0 ? 'none' : 'pgd-linf',
      eps: set.epsilon,
    });
    assert.equal(set.accuracy, single.accuracy);
    assert.deepEqual(parseNpy(readFileSync(set.out!)).data, single.activations);
    assert.deepEqual(
      Array.from(parseNpy(readFileSync(set.predictionsOut!)).data, Number),
      Array.from(single.predictions),
    );
  }
  const acc = sweep.sets.map((s) => s.accuracy!);
  assert.ok(acc[0] > acc[1] && acc[1] > acc[2], `accuracy falls with ε: ${acc.join(', ')}`);
  assert.equal(sweep.cleanAccuracy, acc[0]);
  for (const kind of ['layers', 'activations', 'attack', 'epsilonSweep'] as const)
    assert.ok(ORT_JOBS.has(kind));
});
