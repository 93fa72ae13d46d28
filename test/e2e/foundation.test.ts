/**
 * The first end-to-end tests in a real editor: the ONNX inspector reads the same model summary as
 * `toposcope info`, and Explorer → Analyze Activations draws the mapper graph the CLI computes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { repoRoot, startEditor, type Editor } from './harness';

const demo = path.join(repoRoot, 'demo');
const cli = (...args: string[]) =>
  JSON.parse(
    execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8' }),
  );

describe('TopoScope in code-server', { timeout: 240_000 }, () => {
  let editor: Editor;
  before(async () => {
    editor = await startEditor(demo);
  });
  after(async () => {
    await editor?.stop();
  });

  it('opens an .onnx model in the inspector with the summary the CLI reports', async () => {
    const info = cli('info', path.join(demo, 'digits', 'mlp_clean.onnx'), '--json') as {
      opset: number;
      layers: unknown[];
      reluMlp: { widths: number[] } | null;
    };
    await editor.openFile('digits/mlp_clean.onnx');
    const view = await editor.webview('mlp_clean.onnx');
    await view.locator('#app[data-ready="true"]').waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('[data-testid="error"]').count(), 0);
    assert.equal(await view.getByTestId('opset').textContent(), String(info.opset));
    assert.equal(await view.getByTestId('layer-count').textContent(), String(info.layers.length));
    assert.equal(await view.locator('[data-testid="layers"] tbody tr').count(), info.layers.length);
    assert.equal(await view.getByTestId('relu-mlp').textContent(), `yes: ${info.reluMlp?.widths.join('-')}`);
    await editor.screenshot('onnx-inspector');
  });

  it('Explorer → Analyze Activations shows the mapper graph the CLI computes', async () => {
    const rel = 'digits/act_clean_eps0.00.npy';
    const expected = cli(
      'mapper',
      path.join(demo, rel),
      '--labels',
      path.join(demo, 'digits', 'test_labels.npy'),
      '--predictions',
      path.join(demo, 'digits', 'pred_clean_eps0.00.npy'),
      '--json',
    ) as { summary: { nodes: number; edges: number } };
    await editor.explorerCommand(rel, 'TopoScope: Analyze Activations');
    // The panel may ask which companions to use (before and after it opens): answer with this set's files.
    const answerCompanions = async () => {
      for (const name of ['test_labels.npy', 'pred_clean_eps0.00.npy', 'manifest.csv']) {
        if (await editor.answerQuickPick(name)) return;
      }
    };
    const deadline = Date.now() + 90_000;
    let view: FrameLocator | undefined;
    while (!view) {
      assert.ok(Date.now() < deadline, 'no mapper panel opened');
      await answerCompanions();
      view = await editor.webview('act_clean_eps0.00.npy', 250).catch(() => undefined);
    }
    const ready = view.locator('#app[data-ready="true"]');
    while (!(await ready.count()) && Date.now() < deadline) {
      await answerCompanions();
      await editor.page.waitForTimeout(250);
    }
    await ready.waitFor({ timeout: 5_000 });
    assert.equal(await view.locator('[data-testid="error"]:not(:empty)').count(), 0);
    const nodes = Number(await view.getByTestId('node-count').textContent());
    assert.ok(Number.isInteger(nodes) && nodes > 0, `node count ${nodes}`);
    assert.equal(nodes, expected.summary.nodes);
    assert.equal(Number(await view.getByTestId('edge-count').textContent()), expected.summary.edges);
    await editor.screenshot('analyze-activations');
  });

  it('runs models in a worker process: the extension host never maps onnxruntime', async () => {
    await editor.explorerCommand('digits/mlp_clean.onnx', 'TopoScope: Analyze Model');
    // Analyze Model lists the model's layers with the `layers` job, which runs onnxruntime.
    const deadline = Date.now() + 60_000;
    while (editor.processesMapping('libonnxruntime').workers === 0 && Date.now() < deadline) {
      await editor.page.waitForTimeout(250);
    }
    assert.ok(editor.processesMapping('libonnxruntime').workers >= 1, 'onnxruntime ran in a worker process');
    assert.equal(editor.processesMapping('libonnxruntime').extensionHosts, 0);
    await editor.screenshot('analyze-model');
  });

  it('reopens a tensor file in the tensor inspector with its shape and statistics', async () => {
    const info = cli('info', path.join(demo, 'digits', 'test_labels.npy'), '--json') as {
      tensors: { shape: number[]; dtype: string; stats: { max: number } }[];
    };
    // The tensor inspector is optional: open the file, then "Reopen Editor With…".
    await editor.openFile('digits/test_labels.npy');
    await editor.paletteCommand(/Reopen Editor With(\.\.\.|…)/);
    await editor.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'TopoScope Tensor Inspector' })
      .click();
    const view = await editor.webview('test_labels.npy');
    await view.locator('#app[data-ready="true"]').waitFor({ timeout: 60_000 });
    const cells = await view
      .locator('[data-testid="tensors"] tbody tr')
      .first()
      .locator('td')
      .allTextContents();
    assert.equal(cells[1], info.tensors[0].dtype);
    assert.equal(cells[2], `[${info.tensors[0].shape.join(', ')}]`);
    assert.equal(Number(cells[4]), info.tensors[0].stats.max);
    await editor.screenshot('tensor-inspector');
  });
});
