import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { encodeNpy, parseNpy } from '../../src/core/io/npy';
import { encodeOnnx } from '../../src/core/io/onnx';
import { mulberry32 } from '../../src/core/random';
import { residualCnn } from '../fixtures/onnx-models';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const digits = path.resolve(root, '../shared/fixtures/digits');
const images = path.join(digits, 'test_images.npy');
const labels = path.join(digits, 'test_labels.npy');
const tmp = mkdtempSync(path.join(tmpdir(), 'toposcope-model-cli-'));
const meta = JSON.parse(readFileSync(path.join(digits, 'meta.json'), 'utf8')) as {
  robust_accuracy: Record<string, number>;
};

function toposcope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const r = await toposcope(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON object on stdout');
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

test('layers --json lists every readable tensor of the MLP with its shape', async () => {
  const r = await json('layers', path.join(digits, 'mlp_clean.onnx'));
  assert.deepEqual(r.layers, [
    { name: '/0/Gemm_output_0', op: 'Gemm', shape: ['batch', 128] },
    { name: '/1/Relu_output_0', op: 'Relu', shape: ['batch', 128] },
    { name: '/2/Gemm_output_0', op: 'Gemm', shape: ['batch', 64] },
    { name: '/3/Relu_output_0', op: 'Relu', shape: ['batch', 64] },
    { name: 'logits', op: 'Gemm', shape: ['batch', 10] },
  ]);
});

test('activations writes the layer and the predictions, and reports the clean accuracy', async () => {
  const out = path.join(tmp, 'act.npy');
  const pred = path.join(tmp, 'pred.npy');
  const r = await json(
    'activations',
    path.join(digits, 'mlp_adv_linf_0.1.onnx'),
    '--inputs',
    images,
    '--labels',
    labels,
    '--layer',
    '/3/Relu_output_0',
    '--out',
    out,
    '--predictions-out',
    pred,
  );
  assert.deepEqual(r.shape, [2000, 64]);
  assert.equal(r.layer, '/3/Relu_output_0');
  assert.equal(r.accuracy, meta.robust_accuracy['adv_linf_0.1@0.00']);
  assert.equal(typeof r.seconds, 'number');
  const act = parseNpy(readFileSync(out));
  assert.deepEqual(act.shape, [2000, 64]);
  assert.ok(
    (act.data as Float32Array).every((v) => v >= 0),
    'ReLU outputs are non-negative',
  );
  const expected = parseNpy(readFileSync(path.join(digits, 'pred_adv_linf_0.1_eps0.00.npy')));
  assert.deepEqual(Array.from(parseNpy(readFileSync(pred)).data, Number), Array.from(expected.data, Number));
});

for (const name of ['clean', 'adv_linf_0.1']) {
  test(`attack: PGD-20 ℓ∞ with random start on ${name} matches meta.json's robust accuracy at every ε (±2 points)`, async () => {
    for (const eps of ['0.00', '0.05', '0.10', '0.20', '0.30']) {
      const out = path.join(tmp, `adv_${name}_${eps}.npy`);
      const r = await json(
        'attack',
        path.join(digits, `mlp_${name}.onnx`),
        '--inputs',
        images,
        '--labels',
        labels,
        '--attack',
        'pgd-linf',
        '--eps',
        eps,
        '--steps',
        '20',
        '--random-start',
        '--seed',
        '0',
        '--out',
        out,
      );
      const expected = meta.robust_accuracy[`${name}@${eps}`];
      assert.ok(
        Math.abs((r.robustAccuracy as number) - expected) <= 0.02,
        `ε ${eps}: ${r.robustAccuracy} vs ${expected}`,
      );
      assert.equal(r.cleanAccuracy, meta.robust_accuracy[`${name}@0.00`]);
      const x = parseNpy(readFileSync(images)).data as Float32Array;
      const adv = parseNpy(readFileSync(out));
      assert.deepEqual(adv.shape, [2000, 784]);
      let worst = 0;
      (adv.data as Float32Array).forEach((v, i) => {
        assert.ok(v >= 0 && v <= 1, 'inside the clip range');
        worst = Math.max(worst, Math.abs(v - x[i]));
      });
      assert.ok(worst <= Number(eps) + 1e-6, `‖δ‖∞ = ${worst} > ε ${eps}`);
    }
  });
}

test('activations on FGSM and PGD ℓ2 inputs: lower accuracy than clean, and a readable table without --json', async () => {
  const model = path.join(digits, 'mlp_clean.onnx');
  const base = [
    'activations',
    model,
    '--inputs',
    images,
    '--labels',
    labels,
    '--out',
    path.join(tmp, 'atk.npy'),
  ];
  const fgsm = await json(...base, '--attack', 'fgsm', '--eps', '0.1');
  const l2 = await json(...base, '--attack', 'pgd-l2', '--eps', '1.5', '--steps', '10', '--no-random-start');
  for (const r of [fgsm, l2]) {
    assert.deepEqual(r.shape, [2000, 10]);
    assert.equal(r.cleanAccuracy, meta.robust_accuracy['clean@0.00']);
    assert.ok((r.accuracy as number) < (r.cleanAccuracy as number) - 0.1, `${r.attack}: ${r.accuracy}`);
  }
  const table = await toposcope(...base, '--attack', 'fgsm', '--eps', '0.1');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^layer\s+shape\s+attack/);
  assert.match(table.stdout, /logits\s+\[2000, 10\]\s+fgsm/);
});

test('a residual CNN built in TypeScript: layers with probed shapes, and an attack on flat 64-column rows', async () => {
  const cnnFile = path.join(tmp, 'cnn.onnx');
  writeFileSync(cnnFile, encodeOnnx(residualCnn()));
  const layers = (await json('layers', cnnFile)).layers as { name: string; op: string; shape: unknown[] }[];
  assert.deepEqual(
    layers.find((l) => l.op === 'MaxPool'),
    { name: 'maxpool_7', op: 'MaxPool', shape: ['N', 4, 4, 4] },
  );
  assert.deepEqual(layers.at(-1)?.shape, ['N', 5]);
  const rng = mulberry32(5);
  const x = Float32Array.from({ length: 40 * 64 }, () => rng());
  const xFile = path.join(tmp, 'cnn_x.npy');
  const yFile = path.join(tmp, 'cnn_y.npy');
  writeFileSync(xFile, encodeNpy({ dtype: 'float32', shape: [40, 64], data: x }));
  writeFileSync(
    yFile,
    encodeNpy({ dtype: 'int32', shape: [40], data: Int32Array.from({ length: 40 }, (_, i) => i % 5) }),
  );
  const out = path.join(tmp, 'cnn_adv.npy');
  const r = await json('attack', cnnFile, '--inputs', xFile, '--labels', yFile, '--eps', '0.3', '--out', out);
  assert.ok(
    (r.robustAccuracy as number) < (r.cleanAccuracy as number),
    `${r.robustAccuracy} vs ${r.cleanAccuracy}`,
  );
  assert.deepEqual(parseNpy(readFileSync(out)).shape, [40, 64]);
});

test('bad input exits 2 with one error line naming the file', async () => {
  const junk = path.join(tmp, 'junk.onnx');
  writeFileSync(junk, 'not a model at all');
  const model = path.join(digits, 'mlp_clean.onnx');
  const cases: [string[], RegExp][] = [
    [['layers', junk], /junk\.onnx: not an ONNX model/],
    [['layers', path.join(tmp, 'missing.onnx')], /missing\.onnx/],
    [
      ['activations', model, '--inputs', images, '--layer', 'nope', '--out', path.join(tmp, 'a.npy')],
      /no tensor named 'nope'/,
    ],
    [['attack', model, '--inputs', images, '--eps', '0.1', '--out', path.join(tmp, 'b.npy')], /needs labels/],
    [
      [
        'attack',
        model,
        '--inputs',
        images,
        '--labels',
        labels,
        '--attack',
        'cw',
        '--eps',
        '0.1',
        '--out',
        path.join(tmp, 'c.npy'),
      ],
      /--attack must be one of/,
    ],
    [
      [
        'attack',
        model,
        '--inputs',
        images,
        '--labels',
        labels,
        '--eps',
        'big',
        '--out',
        path.join(tmp, 'd.npy'),
      ],
      /--eps must be a number/,
    ],
    [['activations', model, '--inputs', labels, '--out', path.join(tmp, 'e.npy')], /do not fit the input/],
  ];
  for (const [args, message] of cases) {
    const r = await toposcope(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
    assert.equal(r.stdout, '');
  }
});
