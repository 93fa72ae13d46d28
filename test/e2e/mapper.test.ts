/**
 * The mapper-family panels in a real editor (code-server + Chromium through the shared harness): Analyze
 * Activations from the Explorer on the demo digits, node samples and opening one, the weak-region table,
 * the ε comparison from the saved spec, the model flow on the digits MLP, light and dark screenshots, and
 * the first paint of a 10 000-point analysis (reported, never asserted).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { encodeNpy } from '../../src/core/io/npy';
import { rankWeakRegions } from '../../src/core/mapper/weak-regions';
import type { MapperGraph } from '../../src/core/mapper/types';
import { repoRoot, startEditor, type Editor } from './harness';

const digits = path.join(repoRoot, 'demo', 'digits');
const cli = path.join(repoRoot, 'dist', 'cli.js');

function cliJson<T>(args: string[]): T {
  return JSON.parse(execFileSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8' })) as T;
}

async function ready(view: FrameLocator, timeout = 120_000): Promise<void> {
  await view.locator('#app[data-ready="true"]').waitFor({ timeout });
  const line = view.locator('[data-testid="error"]');
  if ((await line.count()) > 0) assert.equal(await line.textContent(), '');
}

/** The webview whose document satisfies `has` (several panels may be open and visible at once). */
async function viewWhere(
  editor: Editor,
  has: (v: FrameLocator) => Promise<boolean>,
  timeout = 120_000,
): Promise<FrameLocator> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    const n = await editor.page.locator('iframe.webview.ready').count();
    for (let i = 0; i < n; i++) {
      const v = editor.webviewAt(i);
      if (await has(v).catch(() => false)) return v;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no webview matched');
}

/** Closes every editor, so the next panel is the only webview. */
async function closeAll(editor: Editor): Promise<void> {
  await editor.paletteCommand('View: Close All Editors');
  await editor.page.waitForTimeout(500);
}

async function setTheme(editor: Editor, theme: 'Light Modern' | 'Dark Modern'): Promise<void> {
  await editor.paletteCommand('Preferences: Color Theme');
  assert.ok(await editor.answerQuickPick(theme), `theme ${theme} offered`);
  await editor.page.waitForTimeout(800);
}

/** A 10-blob Gaussian mixture (seeded), its labels and predictions with 10 % errors, as .npy files. */
function writeBlobs(dir: string, n: number): void {
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const d = 10;
  const x = new Float32Array(n * d);
  const y = new BigInt64Array(n);
  const p = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === k ? 6 : 0) + gauss();
    y[i] = BigInt(k);
    p[i] = rand() < 0.1 ? BigInt((k + 1) % 10) : BigInt(k);
  }
  writeFileSync(path.join(dir, 'act_blobs.npy'), encodeNpy({ dtype: 'float32', shape: [n, d], data: x }));
  writeFileSync(path.join(dir, 'labels_blobs.npy'), encodeNpy({ dtype: 'int64', shape: [n], data: y }));
  writeFileSync(path.join(dir, 'pred_blobs.npy'), encodeNpy({ dtype: 'int64', shape: [n], data: p }));
}

describe('Mapper panels in code-server', { timeout: 600_000 }, () => {
  let editor: Editor;

  before(async () => {
    editor = await startEditor(path.join(repoRoot, 'demo'));
  });

  after(async () => {
    await editor?.stop();
  });

  it('Analyze Activations: node count equals the CLI; samples open; weak regions start at the weakest node', async () => {
    const act = path.join(digits, 'act_adv_linf_0.1_eps0.00.npy');
    const graph = cliJson<MapperGraph>([
      'mapper',
      act,
      '--labels',
      path.join(digits, 'test_labels.npy'),
      '--predictions',
      path.join(digits, 'pred_adv_linf_0.1_eps0.00.npy'),
    ]);
    await editor.explorerCommand('digits/act_adv_linf_0.1_eps0.00.npy', 'Analyze Activations');
    const view = await editor.webview('act_adv_linf_0.1_eps0.00.npy', 120_000);
    await ready(view);
    assert.equal(Number(await view.getByTestId('node-count').textContent()), graph.summary.nodes);
    assert.equal(Number(await view.getByTestId('edge-count').textContent()), graph.summary.edges);

    const weakest = rankWeakRegions(graph.nodes, 0.9)[0];
    const firstRow = view.locator('[data-testid="weak-table"] .row[data-pos="0"] span').first();
    assert.equal(Number(await firstRow.textContent()), weakest.node);
    await editor.screenshot('mapper-digits-light');

    await view.locator(`.node[data-node="${weakest.node}"]`).click();
    const samples = view.getByTestId('sample');
    await samples.first().waitFor({ timeout: 30_000 });
    assert.equal(await samples.count(), Math.min(200, weakest.size));
    await view.locator('[data-testid="sample"] img').first().waitFor();
    await editor.screenshot('mapper-digits-node-samples-light');
    const index = Number(await samples.first().getAttribute('data-index'));
    await samples.first().click();
    const name = `test_${String(index).padStart(4, '0')}.png`;
    await editor.page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 20_000 });
    await editor.screenshot('mapper-digits-sample-opened-light');
  });

  it('Polytope slice from a node: Ctrl-click picks a sample, the slice through it opens beside the CLI count', async () => {
    const view = await editor.webview('act_adv_linf_0.1_eps0.00.npy');
    const sample = view.getByTestId('sample').nth(1);
    const picked = Number(await sample.getAttribute('data-index'));
    await sample.click({ modifiers: ['Control'] });
    assert.equal(await sample.getAttribute('aria-pressed'), 'true');
    await view.getByTestId('polytope-slice').click();
    // which model, which data set, then the anchors: the picked sample first, then the node's first members
    for (const item of ['mlp_clean.onnx', 'test_images.npy']) {
      const deadline = Date.now() + 60_000;
      while (!(await editor.answerQuickPick(item))) {
        if (Date.now() > deadline) await editor.screenshot(`no-quick-pick-${item}`);
        assert.ok(Date.now() < deadline, `no quick pick offered ${item}`);
        await editor.page.waitForTimeout(250);
      }
    }
    await editor.page.locator('.quick-input-widget', { hasText: 'Slice through three samples' }).waitFor();
    const input = editor.page.locator('.quick-input-widget input');
    const anchors = (await input.inputValue()).split(/[\s,]+/).map(Number);
    assert.equal(anchors[0], picked);
    await input.press('Enter');
    const expected = cliJson<{ fVector: number[] }>([
      'polytope',
      path.join(digits, 'mlp_clean.onnx'),
      '--inputs',
      path.join(digits, 'test_images.npy'),
      '--slice',
      anchors.join(','),
    ]);
    const slice = await editor.webview('Polytopes: mlp_clean.onnx');
    await ready(slice);
    assert.equal(await slice.getByTestId('anchor-0').inputValue(), String(picked));
    assert.equal(Number(await slice.getByTestId('region-count').textContent()), expected.fVector[2]);
    await editor.screenshot('polytope-slice-from-mapper');
  });

  it('Open Analysis Spec on the digits spec: the comparison shows every ε', async () => {
    await closeAll(editor);
    await editor.explorerCommand('digits/adv.toposcope.json', 'Open Analysis Spec');
    const view = await viewWhere(editor, async (v) => (await v.getByTestId('set-card').count()) === 5);
    await ready(view);
    const eps = await view
      .getByTestId('set-card')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-epsilon')));
    assert.deepEqual(eps.map(Number), [0, 0.05, 0.1, 0.2, 0.3]);
    await editor.screenshot('compare-digits-light');
    await setTheme(editor, 'Dark Modern');
    await editor.screenshot('compare-digits-dark');
  });

  it('model flow on the digits MLP reaches the comparison view', async () => {
    await closeAll(editor);
    await editor.explorerCommand('digits/mlp_adv_linf_0.1.onnx', 'Analyze Model');
    const form = await viewWhere(editor, async (v) => (await v.getByTestId('inputs').count()) > 0);
    await ready(form);
    const inputs = await form.getByTestId('inputs').inputValue();
    assert.match(inputs, /test_images\.npy$/);
    assert.match(await form.getByTestId('labels').inputValue(), /test_labels\.npy$/);
    await form.getByTestId('epsilons').fill('0, 0.1');
    await form.getByTestId('steps').fill('5');
    await editor.screenshot('model-flow-form-dark');
    await setTheme(editor, 'Light Modern');
    await editor.screenshot('model-flow-form-light');
    await setTheme(editor, 'Dark Modern');
    await form.getByTestId('run').click();
    const compare = await viewWhere(
      editor,
      async (v) => (await v.getByTestId('set-card').count()) === 2,
      300_000,
    );
    await ready(compare);
    const eps = await compare
      .getByTestId('set-card')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-epsilon')));
    assert.deepEqual(eps.map(Number), [0, 0.1]);
    await editor.screenshot('model-flow-compare-dark');
  });

  it('mapper view in both themes, and first paint of a 10 000-point analysis', async () => {
    writeBlobs(editor.workspace, 10_000);
    await closeAll(editor);
    await editor.page.waitForTimeout(1500);
    await editor.explorerCommand('act_blobs.npy', 'Analyze Activations');
    const t0 = Date.now();
    const view = await editor.webview('act_blobs.npy');
    await ready(view);
    const ms = Date.now() - t0;
    const inPage = await view.locator('#app').evaluate(() => Math.round(performance.now()));
    console.log(`  of which since the webview page started loading: ${inPage} ms`);
    console.log(`first paint of a 10 000 × 10 analysis: ${ms} ms (menu click to data-ready)`);
    assert.ok(Number(await view.getByTestId('node-count').textContent()) > 0);
    await editor.screenshot('mapper-blobs-10000-dark');
    await setTheme(editor, 'Light Modern');
    await editor.screenshot('mapper-blobs-10000-light');
  });

  it('a reload restores the Mapper panel with its graph and its view settings', async () => {
    const view = await editor.webview('act_blobs.npy');
    const nodes = await view.getByTestId('node-count').textContent();
    await view.getByLabel('Layout').selectOption('lens');
    // The webview's setState reaches the workbench asynchronously; give it time on a loaded machine.
    await editor.page.waitForTimeout(1000);
    await editor.reloadWindow();
    const revived = await editor.webview('act_blobs.npy', 120_000);
    await ready(revived);
    assert.equal(await revived.getByTestId('node-count').textContent(), nodes);
    assert.equal(await revived.getByLabel('Layout').inputValue(), 'lens');
    await editor.screenshot('mapper-blobs-restored-lens-light');
  });
});
