/**
 * Model benchmarks (DESIGN.md §8) on the digits MLP 784-128-64-10 (PyTorch 1.13 CPU anchor: 0.6–2.4 s for
 * PGD-10 on 256 images): one PGD-10 ℓ∞ batch with the step inside the graph, and a layer's activations for
 * 60 000 inputs streamed in chunks of 1024.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Attacker } from '../src/core/attack/attacker';
import { resolveAttack } from '../src/core/attack/params';
import { parseNpy } from '../src/core/io/npy';
import { decodeOnnx } from '../src/core/io/onnx';
import { toLabels } from '../src/core/io/tensor';
import { silentContext } from '../src/core/jobs/context';
import { probeModel } from '../src/core/model/probe';
import { runModel } from '../src/core/model/run-model';
import type { Benchmark } from './harness';

const digits = path.resolve(__dirname, '../../shared/fixtures/digits');
const modelFile = path.join(digits, 'mlp_clean.onnx');

function load() {
  const images = parseNpy(readFileSync(path.join(digits, 'test_images.npy'))).data as Float32Array;
  const labels = toLabels(parseNpy(readFileSync(path.join(digits, 'test_labels.npy'))));
  return { model: decodeOnnx(readFileSync(modelFile), modelFile), images, labels };
}

const pgdParams = resolveAttack({ kind: 'pgd-linf', eps: 0.1, steps: 10, randomStart: false });

const pgd: Benchmark<{ attacker: Attacker; x: Float32Array; y: Int32Array }> = {
  name: 'PGD-10 ℓ∞, 256 × 784, 784-128-64-10 MLP',
  target: '≤ 60 ms',
  targetMs: 60,
  runs: 9,
  setup: async () => {
    const { model, images, labels } = load();
    const x = images.slice(0, 256 * 784);
    const probe = await probeModel(model, modelFile, x, [784]);
    const attacker = await Attacker.create(model, modelFile, probe, [784], pgdParams);
    await attacker.perturb(x, labels.slice(0, 256));
    return { attacker, x, y: labels.slice(0, 256) };
  },
  run: async ({ attacker, x, y }) => {
    const cpu = process.cpuUsage();
    const adv = await attacker.perturb(x, y);
    const used = process.cpuUsage(cpu);
    let changed = 0;
    for (let i = 0; i < adv.length; i++) if (adv[i] !== x[i]) changed++;
    // CPU time beside the wall time: on a loaded machine wall time measures the neighbours too.
    return `${changed} pixels moved, ${((used.user + used.system) / 1000).toFixed(1)} ms CPU`;
  },
};

const pgdCold: Benchmark<ReturnType<typeof load>> = {
  name: 'PGD-10 ℓ∞, 256 × 784, incl. probe, backward graph and session',
  target: '(no target)',
  runs: 5,
  setup: load,
  run: async ({ model, images, labels }) => {
    const x = images.slice(0, 256 * 784);
    const probe = await probeModel(model, modelFile, x, [784]);
    const attacker = await Attacker.create(model, modelFile, probe, [784], pgdParams);
    await attacker.perturb(x, labels.slice(0, 256));
    await attacker.release();
  },
};

const activations: Benchmark<ReturnType<typeof load> & { x: Float32Array }> = {
  name: 'activations, 60 000 × 784 through the MLP (layer /3/Relu, 64)',
  target: '≤ 1 s',
  targetMs: 1000,
  runs: 5,
  setup: () => {
    const d = load();
    const x = new Float32Array(60000 * 784);
    for (let k = 0; k < 30; k++) x.set(d.images, k * d.images.length);
    return { ...d, x };
  },
  run: async ({ model, x }) => {
    const cpu = process.cpuUsage();
    const r = await runModel(
      { model, modelFile, inputs: { x, n: 60000, rowShape: [784] }, layer: '/3/Relu_output_0' },
      silentContext,
    );
    const used = process.cpuUsage(cpu);
    return `${r.activationShape!.join(' × ')}, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`;
  },
};

export const benchmarks = [pgd, pgdCold, activations];
