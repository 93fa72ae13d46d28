import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const fixtures = path.resolve(root, '../shared/fixtures');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Every fixture file except all but one of the 2 000 sample images. */
function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!p.includes(`${path.sep}samples${path.sep}`) || name === 'test_0000.png') out.push(p);
    }
  };
  walk(fixtures);
  return out;
}

/** Runs with at most `n` processes at a time (2 cores). */
async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]);
      }
    }),
  );
  return out;
}

before(() => {
  assert.ok(existsSync(cli), 'run `npm run build` first');
});

const NOT_TENSORS = /(\.md|\.jsonl|digits\/meta\.json)$/;

test('info --json on every fixture: one JSON object, or exit 2 with one error line for non-tensor files', async () => {
  const files = fixtureFiles();
  assert.ok(files.length > 40);
  const runs = await pool(files, 3, (f) => run('info', f, '--json', '--no-stats'));
  files.forEach((f, i) => {
    const r = runs[i];
    if (NOT_TENSORS.test(f)) {
      assert.equal(r.code, 2, f);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^error: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\n$`));
      return;
    }
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, f);
    const info = JSON.parse(lines[0]);
    assert.equal(info.file, f);
    assert.ok(info.tensors.length > 0, f);
    for (const t of info.tensors)
      assert.ok(typeof t.name === 'string' && Array.isArray(t.shape) && t.dtype, f);
  });
});

test('info --json on the digits ONNX model: opset, inputs, outputs, layers, ReLU MLP widths', async () => {
  const r = await run('info', path.join(fixtures, 'digits/mlp_clean.onnx'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.format, 'onnx');
  assert.equal(info.opset, 13);
  assert.equal(info.inputs.length, 1);
  assert.equal(info.inputs[0].shape[1], 784);
  assert.ok(info.layers.some((l: { op: string }) => l.op === 'Gemm'));
  assert.deepEqual(info.reluMlp, { widths: [784, 128, 64, 10] });
  assert.deepEqual(
    info.tensors.map((t: { name: string; shape: number[] }) => [t.name, t.shape]),
    [
      ['0.weight', [128, 784]],
      ['0.bias', [128]],
      ['2.weight', [64, 128]],
      ['2.bias', [64]],
      ['4.weight', [10, 64]],
      ['4.bias', [10]],
    ],
  );
});

test('info on the state dict gives the ONNX initializers’ statistics', async () => {
  const [pt, onnx] = await Promise.all([
    run('info', path.join(fixtures, 'spirals/model_state_dict.pt'), '--json'),
    run('info', path.join(fixtures, 'spirals/model.onnx'), '--json'),
  ]);
  const a = JSON.parse(pt.stdout);
  const b = JSON.parse(onnx.stdout);
  assert.equal(a.format, 'pt');
  assert.deepEqual(b.reluMlp, { widths: [2, 8, 8, 2] });
  assert.deepEqual(a.tensors, b.tensors);
});

test('the table shows shapes, dtypes and statistics', async () => {
  const r = await run('info', path.join(fixtures, 'digits/test_images.npy'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /test_images\s+float32\s+\[2000, 784\]\s+0\s+1\s+0\.1315/);
  const onnx = await run('info', path.join(fixtures, 'spirals/model.onnx'));
  assert.match(onnx.stdout, /ReLU MLP, widths 2-8-8-2/);
});

test('corrupt and hostile files exit 2 with one error line naming the file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-cli-'));
  const npy = readFileSync(path.join(fixtures, 'digits/test_labels.npy'));
  const cases: [string, Uint8Array | string, RegExp][] = [
    ['cut.npy', npy.subarray(0, 500), /truncated data/],
    [
      'huge.npy',
      new TextDecoder('latin1').decode(npy).replace('(2000,)', '(1000000000000,)'),
      /needs|truncated/,
    ],
    ['evil.pt', readFileSync(path.resolve(__dirname, '../unit/io/fixtures/unsafe.pt')), /not allowed/],
    [
      'old.pt',
      readFileSync(path.resolve(__dirname, '../unit/io/fixtures/legacy.pt')),
      /re-save with torch\.save/,
    ],
    ['junk.onnx', 'not a model', /not an ONNX model/],
    ['bad.safetensors', '\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000{', /header/],
  ];
  for (const [name, content] of cases) {
    const f = path.join(dir, name);
    writeFileSync(f, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
  }
  const runs = await pool(cases, 3, ([name]) => run('info', path.join(dir, name), '--json'));
  cases.forEach(([name, , reason], i) => {
    const r = runs[i];
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0].startsWith(`error: ${path.join(dir, name)}: `), lines[0]);
    assert.match(lines[0], reason);
  });
  const missing = await run('info', path.join(dir, 'nope.npy'));
  assert.equal(missing.code, 2);
});
