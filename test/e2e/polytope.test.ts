/**
 * The polytope panels in a real editor (code-server + Chromium through the shared harness): Show Polytopes
 * from the Explorer on the demo spirals model and on its checkpoints folder, checked against the CLI.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import type { FrameLocator, Locator } from 'playwright-core';
import { repoRoot, startEditor, type Editor } from './harness';

const demo = path.join(repoRoot, 'demo', 'spirals');
const cli = path.join(repoRoot, 'dist', 'cli.js');

function cliJson(args: string[]): Record<string, unknown> {
  return JSON.parse(execFileSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8' }));
}

/** The view's error line is created on first use: absent or empty both mean no error. */
async function noError(view: FrameLocator): Promise<void> {
  const line = view.locator('[data-testid="error"]');
  if ((await line.count()) > 0) assert.equal(await line.textContent(), '');
}

describe('Polytope panels in code-server', { timeout: 300_000 }, () => {
  let editor: Editor;

  before(async () => {
    // the harness opens a fresh copy of the demo folder (spirals/ holds the model, train.csv, checkpoints/)
    editor = await startEditor(path.join(repoRoot, 'demo'));
  });

  after(async () => {
    await editor?.stop();
  });

  it('Show Polytopes on spirals/model.onnx: region count equals the CLI, Fiedler colouring repaints', async () => {
    const expected = cliJson([
      'polytope',
      path.join(demo, 'model.onnx'),
      '--train',
      path.join(demo, 'train.csv'),
    ]);
    const f2 = (expected.fVector as number[])[2];
    assert.ok(f2 > 1, `the CLI found ${f2} regions`);

    await editor.explorerCommand('spirals/model.onnx', 'Show Polytopes');
    const view = await editor.webview('Polytopes: model.onnx');
    await view.locator('#app[data-ready="true"]').waitFor({ timeout: 90_000 });
    await noError(view);
    assert.equal(Number(await view.getByTestId('region-count').textContent()), f2);
    await view.getByTestId('section-fiedler').locator('table tr').nth(2).waitFor();
    await view.getByTestId('betti-chart').waitFor();
    await editor.screenshot('polytope-model-prediction');

    const canvas = view.getByTestId('region-canvas');
    const pixels = () =>
      canvas.evaluate((c) => (c as unknown as { toDataURL(type: string): string }).toDataURL('image/png'));
    const before = await pixels();
    await view.getByTestId('colour-mode').selectOption('fiedler-unweighted');
    // the redraw happens on the next animation frame: poll for it (2 s at most)
    let afterFiedler = before;
    for (let i = 0; i < 20 && afterFiedler === before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      afterFiedler = await pixels();
    }
    assert.notEqual(afterFiedler, before, 'the canvas must change when colouring by Fiedler sign');
    await editor.screenshot('polytope-model-fiedler');

    // hover over the middle of the canvas names a region's pattern
    const box = await canvas.boundingBox();
    assert.ok(box);
    await canvas.hover({ position: { x: box.width / 2, y: box.height / 2 } });
    const tip = view.getByTestId('region-tooltip');
    await tip.waitFor({ state: 'visible' });
    assert.match((await tip.textContent()) ?? '', /pattern [01]{16}/);
    await editor.screenshot('polytope-model-hover');

    // keyboard zoom: + zooms in, 0 resets
    const beforeZoom = await pixels();
    await canvas.focus();
    await canvas.press('+');
    let zoomed = beforeZoom;
    for (let i = 0; i < 20 && zoomed === beforeZoom; i++) {
      await new Promise((r) => setTimeout(r, 100));
      zoomed = await pixels();
    }
    assert.notEqual(zoomed, beforeZoom, 'pressing + on the canvas zooms');
    await canvas.press('0');

    // the dual graph overlay draws over the regions
    const beforeDual = await pixels();
    await view.getByTestId('show-dual').check();
    let afterDual = beforeDual;
    for (let i = 0; i < 20 && afterDual === beforeDual; i++) {
      await new Promise((r) => setTimeout(r, 100));
      afterDual = await pixels();
    }
    assert.notEqual(afterDual, beforeDual, 'the dual graph overlay must show on the canvas');
    await editor.screenshot('polytope-model-dual');

    // a smaller box is recomputed by the worker and matches the CLI on that box
    const newBox = [-0.5, 0.5, -0.4, 0.6];
    const onBox = cliJson([
      'polytope',
      path.join(demo, 'model.onnx'),
      '--train',
      path.join(demo, 'train.csv'),
      `--box=${newBox.join(',')}`,
    ]);
    for (const [i, name] of ['x0', 'x1', 'y0', 'y1'].entries())
      await view.getByTestId(`box-${name}`).fill(String(newBox[i]));
    await view.getByTestId('apply-box').click();
    await view
      .getByTestId('region-count')
      .filter({ hasText: new RegExp(`^${(onBox.fVector as number[])[2]}$`) })
      .waitFor({ timeout: 60_000 });
    await noError(view);
    await editor.screenshot('polytope-model-box');

    // exports go through the editor's save dialog, beside the model by default
    const saved = async (button: Locator, file: string): Promise<Buffer> => {
      await button.click();
      const input = editor.page.locator('.quick-input-widget input');
      await input.waitFor();
      // the dialog fills in the folder first, then the proposed name
      const named = Date.now() + 10_000;
      while (!(await input.inputValue()).endsWith(file)) {
        assert.ok(Date.now() < named, `save dialog proposes ${await input.inputValue()}, not ${file}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await input.press('Enter');
      const target = path.join(editor.workspace, 'spirals', file);
      const until = Date.now() + 20_000;
      while (!existsSync(target)) {
        assert.ok(Date.now() < until, `${file} was not written`);
        await new Promise((r) => setTimeout(r, 200));
      }
      return readFileSync(target);
    };
    const png = await saved(view.getByTitle('Save the regions as PNG'), 'model.onnx-regions.png');
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    const svg = await saved(view.getByTitle('Save Betti curves (random filtration) as SVG'), 'betti.svg');
    assert.match(svg.toString(), /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*β₁/);
    const json = JSON.parse(
      (
        await saved(
          view.getByTitle('Save the complex, metrics and sweep as JSON'),
          'model.onnx-polytopes.json',
        )
      ).toString(),
    );
    assert.deepEqual(json.regions.fVector, onBox.fVector as number[]);
    // one panel at a time: the harness finds a webview as the first visible one
    await editor.paletteCommand('View: Close All Editors');
  });

  it('Show Polytopes on a 784-input MLP: pick the data set and three samples, see the slice through them', async () => {
    const digits = path.join(repoRoot, 'demo', 'digits');
    const expected = cliJson([
      'polytope',
      path.join(digits, 'mlp_clean.onnx'),
      '--inputs',
      path.join(digits, 'test_images.npy'),
      '--slice',
      '0,1,2',
    ]);
    await editor.explorerCommand('digits/mlp_clean.onnx', 'Show Polytopes');
    // quick pick of the data files whose rows have 784 values, then the three indices (default 0, 1, 2)
    const deadline = Date.now() + 60_000;
    while (!(await editor.answerQuickPick('test_images.npy'))) {
      assert.ok(Date.now() < deadline, 'no quick pick of data sets appeared');
      await new Promise((r) => setTimeout(r, 250));
    }
    const input = editor.page.locator('.quick-input-widget input');
    await editor.page.locator('.quick-input-widget', { hasText: 'Slice through three samples' }).waitFor();
    assert.equal(await input.inputValue(), '0, 1, 2');
    await input.press('Enter');
    const view = await editor.webview('Polytopes: mlp_clean.onnx');
    await view.locator('#app[data-ready="true"]').waitFor({ timeout: 120_000 });
    await noError(view);
    assert.equal(
      Number(await view.getByTestId('region-count').textContent()),
      (expected.fVector as number[])[2],
    );
    assert.equal(await view.getByTestId('anchor-2').inputValue(), '2');
    await editor.screenshot('polytope-slice-digits');
    // one panel at a time: the harness finds a webview as the first visible one
    await editor.paletteCommand('View: Close All Editors');
  });

  it('Show Polytopes on spirals/checkpoints: one slider stop per checkpoint, heat maps, instant moves back', async () => {
    await editor.explorerCommand('spirals/checkpoints', 'Show Polytopes');
    const view = await editor.webview('Polytopes: checkpoints');
    await view.locator('#app[data-ready="true"]').waitFor({ timeout: 120_000 });
    const slider = view.getByTestId('epoch-slider');
    assert.equal(await slider.getAttribute('min'), '0');
    assert.equal(await slider.getAttribute('max'), '7', 'eight checkpoints, eight stops');
    const columns = await view.getByTestId('heatmap-beta0-cells').locator('rect').count();
    assert.ok(columns >= 8 && columns % 8 === 0, `${columns} heat-map cells`);
    assert.equal(await view.getByTestId('heatmap-beta1-cells').locator('rect').count(), columns);
    await view.getByTestId('fvector-loss-chart').waitFor();
    await editor.screenshot('polytope-sweep-last');

    // keyboard: Home goes to epoch 0, whose region count matches the CLI on that checkpoint
    const first = cliJson([
      'polytope',
      path.join(demo, 'checkpoints', 'epoch_00000.onnx'),
      '--train',
      path.join(demo, 'train.csv'),
    ]);
    await slider.focus();
    await slider.press('Home');
    const count = view.getByTestId('region-count');
    await view.getByTestId('epoch-label').filter({ hasText: 'epoch 0 ' }).waitFor();
    await count
      .filter({ hasText: new RegExp(`^${(first.fVector as number[])[2]}$`) })
      .waitFor({ timeout: 60_000 });
    await editor.screenshot('polytope-sweep-epoch0');
  });

  it('a reload restores the panels with their state (checkpoint, colouring)', async () => {
    await editor.page.getByRole('tab', { name: /Polytopes: checkpoints/ }).click();
    const view = await editor.webview('Polytopes: checkpoints');
    await view.getByTestId('colour-mode').selectOption('pattern');
    await editor.reloadWindow();
    const restored = await editor.webview('Polytopes: checkpoints');
    await restored.locator('#app[data-ready="true"]').waitFor({ timeout: 120_000 });
    assert.equal(await restored.getByTestId('colour-mode').inputValue(), 'pattern');
    assert.equal(await restored.getByTestId('epoch-slider').inputValue(), '0');
    await restored.getByTestId('epoch-label').filter({ hasText: 'epoch 0 ' }).waitFor();
    await editor.screenshot('polytope-sweep-restored');

    // the panel follows the editor's theme: the heat-map frame takes the dark background
    const background = () =>
      restored.getByTestId('heatmap-beta0').locator('rect').first().getAttribute('fill');
    const light = await background();
    await editor.paletteCommand('Preferences: Toggle between Light/Dark Themes');
    const until = Date.now() + 10_000;
    while ((await background()) === light) {
      assert.ok(Date.now() < until, 'the charts did not follow the theme');
      await new Promise((r) => setTimeout(r, 200));
    }
    await editor.screenshot('polytope-sweep-dark');
  });
});
