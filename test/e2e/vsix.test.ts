/**
 * The packaged extension: the linux-x64 VSIX holds the bundles and only the onnxruntime files it needs,
 * runs a model from its own node_modules, and installs into code-server and activates there.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { WorkerPool } from '../../src/extension/worker/pool';
import { repoRoot, startEditor } from './harness';

const fixtures = path.resolve(repoRoot, '../shared/fixtures');
const demo = path.join(repoRoot, 'demo');

describe('the linux-x64 VSIX', { timeout: 240_000 }, () => {
  let tmp: string;
  let vsix: string;
  let entries: Record<string, Uint8Array>;
  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'toposcope-vsix-'));
    vsix = path.join(tmp, 'toposcope.vsix');
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'package-vsix.mjs'), '--out', vsix], {
      stdio: 'pipe',
    });
    entries = unzipSync(readFileSync(vsix));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the bundles and onnxruntime for linux-x64 only, with nested package.json files', () => {
    const names = Object.keys(entries);
    for (const f of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/worker.js',
      'extension/dist/webview/inspector.js',
      'extension/media/webview.css',
      'extension/node_modules/onnxruntime-common/dist/cjs/package.json',
      'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
    ]) {
      assert.ok(names.includes(f), `missing ${f}`);
    }
    const modules = new Set(
      names.map((n) => /^extension\/node_modules\/([^/]+)/.exec(n)?.[1]).filter(Boolean),
    );
    assert.deepEqual([...modules].sort(), ['onnxruntime-common', 'onnxruntime-node']);
    assert.deepEqual(
      names.filter(
        (n) => /napi-v6\/(win32|darwin|linux\/arm64)/.test(n) || /^extension\/(src|test)\//.test(n),
      ),
      [],
    );
    assert.deepEqual(
      names.filter((n) => n.endsWith('.map')),
      [],
    );
    const manifest = JSON.parse(new TextDecoder().decode(entries['extension/package.json'])) as Record<
      string,
      unknown
    >;
    assert.equal(manifest.devDependencies, undefined);
    assert.ok(statSync(vsix).size < 25 * 2 ** 20, `VSIX is ${statSync(vsix).size} bytes`);
  });

  it('runs an onnxruntime job from its own node_modules', async () => {
    const root = path.join(tmp, 'unpacked');
    for (const [name, bytes] of Object.entries(entries)) {
      const file = path.join(root, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, bytes);
    }
    const pool = new WorkerPool({
      workerScript: path.join(root, 'extension', 'dist', 'worker.js'),
      threads: 1,
    });
    try {
      const model = path.join(fixtures, 'digits', 'mlp_clean.onnx');
      const layers = await pool.run('layers', { model });
      assert.equal(layers.opset, 13);
      assert.ok(layers.layers.some((l) => l.name === 'logits'));
      const act = await pool.run('activations', {
        model,
        inputs: path.join(fixtures, 'digits', 'test_images.npy'),
        labels: path.join(fixtures, 'digits', 'test_labels.npy'),
      });
      assert.deepEqual(act.shape, [2000, 10]);
      const meta = JSON.parse(readFileSync(path.join(fixtures, 'digits', 'meta.json'), 'utf8')) as {
        robust_accuracy: Record<string, number>;
      };
      assert.ok(
        Math.abs((act.accuracy ?? -1) - meta.robust_accuracy['clean@0.00']) < 1e-9,
        `accuracy ${act.accuracy}`,
      );
    } finally {
      pool.dispose();
    }
  });

  it('installs into code-server and activates', async () => {
    const editor = await startEditor(demo, { vsix });
    try {
      await editor.openFile('digits/mlp_adv_linf_0.1.onnx');
      const view = await editor.webview('mlp_adv_linf_0.1.onnx');
      await view.locator('#app[data-ready="true"]').waitFor({ timeout: 60_000 });
      assert.equal(await view.getByTestId('opset').textContent(), '13');
      assert.equal(await view.getByTestId('relu-mlp').textContent(), 'yes: 784-128-64-10');
      await editor.screenshot('vsix-installed');
    } finally {
      await editor.stop();
    }
  });
});
