import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runJob } from '../../../src/core/jobs/run';
import { CancelledError, InputError } from '../../../src/core/errors';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const f = (name: string) => path.join(digits, name);

test('kDistance job: the curve whose q-quantile the mapper job resolves eps to', async () => {
  const curve = await runJob('kDistance', { activations: f('act_clean_eps0.00.npy') });
  assert.equal(curve.k, 4);
  assert.equal(curve.sampleSize, 2000);
  assert.ok(curve.values.every((v, i) => i === 0 || curve.values[i - 1] <= v));
  const graph = await runJob('mapper', { activations: f('act_clean_eps0.00.npy'), intervals: 10 });
  assert.equal(graph.parameters.eps, curve.eps);
  assert.equal(graph.parameters.epsAuto, true);
  assert.deepEqual(graph.kDistance?.values, curve.values);
  assert.equal(graph.files?.activations, f('act_clean_eps0.00.npy'));
});

test('mapper job: progress reaches 1, cancel stops it, includeLens gives one value per row', async () => {
  const fractions: number[] = [];
  const graph = await runJob(
    'mapper',
    { activations: f('act_adv_linf_0.1_eps0.05.npy'), eps: 3, includeLens: true },
    { onProgress: (x) => fractions.push(x) },
  );
  assert.equal(fractions.at(-1), 1);
  assert.equal(graph.lens?.length, 2000);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    runJob(
      'mapper',
      { activations: f('act_adv_linf_0.1_eps0.05.npy'), eps: 2.5 },
      { signal: controller.signal },
    ),
    CancelledError,
  );
});

test('weakRegions job without predictions is an InputError', async () => {
  await assert.rejects(
    runJob('weakRegions', { activations: f('act_clean_eps0.00.npy'), labels: f('test_labels.npy') }),
    InputError,
  );
});
