import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { silentContext } from '../../../src/core/jobs/context';
import {
  computeRegions,
  localRunner,
  polytopeReportSection,
} from '../../../src/core/report/polytope-section';
import { polytopeReportState, regionDataFromJson } from '../../../webview/polytope/report-state';
import { sweepData } from '../../../webview/polytope/protocol';
import { requestKey } from '../../../webview/polytope/view-state';

const fixtures = path.resolve(__dirname, '../../../../shared/fixtures');
const run = localRunner(silentContext);

test('the checkpoint report section holds one complex per slider stop, each matching the sweep', async () => {
  const section = await polytopeReportSection(run, {
    id: 'sweep',
    kind: 'folder',
    path: path.join(fixtures, 'spirals', 'checkpoints'),
    trials: 3,
  });
  assert.equal(section.view, 'polytope');
  const state = polytopeReportState(JSON.parse(JSON.stringify(section.state)));
  const sweep = sweepData(state.sweep);
  assert.deepEqual(
    sweep.checkpoints.map((c) => c.epoch),
    [0, 10, 30, 100, 300, 1000, 2000, 3000],
  );
  assert.equal(state.ui.checkpoint, 7);
  for (let i = 0; i < 8; i++) {
    const d = regionDataFromJson(state.regions[requestKey(i, null, null)]);
    assert.deepEqual(d.fVector, sweep.checkpoints[i].fVector, `checkpoint ${i}`);
    assert.equal(d.label, `epoch ${sweep.checkpoints[i].epoch}`);
    assert.equal(
      d.pointCounts.reduce((a, b) => a + b, 0),
      800,
    );
  }
  assert.equal(sweep.heatmap.beta0.length, 8);
  assert.ok(sweep.heatmap.beta0.every((row) => row.length === sweep.heatmap.columns.length));
  assert.equal(sweep.lossFile, 'loss.csv');
  assert.equal(
    section.stats.find((s) => s.testId === 'region-count')?.value,
    sweep.checkpoints[7].fVector[2],
  );
});

test('a slice through three digits: anchors in the plane, no training points, input dimension kept', async () => {
  const d = await computeRegions(run, {
    model: path.join(fixtures, 'digits', 'mlp_clean.onnx'),
    label: 'mlp_clean.onnx',
    box: null,
    inputs: path.join(fixtures, 'digits', 'test_images.npy'),
    anchors: [0, 1, 2],
    train: null,
    trials: 2,
  });
  assert.equal(d.inputDim, 784);
  assert.equal(d.points, null);
  assert.ok(d.anchors && d.anchors.length === 6);
  // the first anchor is the origin of the plane; all three lie inside the box
  assert.ok(Math.abs(d.anchors[0]) < 1e-9 && Math.abs(d.anchors[1]) < 1e-9);
  const [x0, x1, y0, y1] = d.box;
  for (let a = 0; a < 3; a++) {
    assert.ok(
      d.anchors[2 * a] > x0 &&
        d.anchors[2 * a] < x1 &&
        d.anchors[2 * a + 1] > y0 &&
        d.anchors[2 * a + 1] < y1,
    );
  }
  assert.equal(d.fVector[0] - d.fVector[1] + d.fVector[2], 1);
  assert.ok(d.fVector[2] > 1);
  assert.ok(d.patterns.every((p) => p.length === 128 + 64));
});
