import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { forwardReluMlp, hiddenCount, loadReluMlp } from '../../../src/core/model/relu-mlp';
import { buildComplex } from '../../../src/core/polytope/complex';
import { boxAround, readTrainingCsv } from '../../../src/core/polytope/domain';
import { dualGraph } from '../../../src/core/polytope/dual';
import type { SweepResult } from '../../../src/core/polytope/types';
import { regionDataFrom, sweepDataFrom } from '../../../src/core/report/polytope-section';
import { SpatialGrid } from '../../../webview/polytope/spatial-grid';
import { regionDataFromJson, regionDataToJson } from '../../../webview/polytope/report-state';
import { regionData } from '../../../webview/polytope/protocol';

const spirals = path.resolve(__dirname, '../../../../shared/fixtures/spirals');

async function spiralsView() {
  const mlp = await loadReluMlp(path.join(spirals, 'model.onnx'));
  const pts = await readTrainingCsv(path.join(spirals, 'train.csv'));
  const complex = buildComplex(mlp, { box: boxAround(pts.xy) });
  const facet = dualGraph(complex, 'facet');
  const data = regionDataFrom({
    label: 'model.onnx',
    complex,
    dualEdgeCounts: { facet: facet.source.length, hamming1: dualGraph(complex, 'hamming1').source.length },
    dualSource: facet.source,
    dualTarget: facet.target,
    fiedler: { unweighted: null, weighted: null },
    betti: null,
    points: { xy: pts.xy, labels: pts.labels, file: 'train.csv' },
    inputDim: 2,
    anchorsUv: null,
    seconds: 0,
  });
  return { mlp, pts, complex, data };
}

test('the view of the spirals complex keeps its f-vector, areas and distinct patterns', async () => {
  const { complex, data } = await spiralsView();
  const [f0, f1, f2] = data.fVector;
  assert.equal(f2, complex.faceOffsets.length - 1);
  assert.equal(f0 - f1 + f2, 1);
  assert.equal(data.euler, 1);
  assert.equal(new Set(data.patterns).size, f2, 'one region per distinct pattern');
  assert.ok(data.patterns.every((p) => p.length === 16 && /^[01]+$/.test(p)));
  // shoelace area of each drawn polygon equals the complex's face area: A = ½ Σ (x_i y_{i+1} − x_{i+1} y_i)
  let total = 0;
  for (let f = 0; f < f2; f++) {
    let a = 0;
    for (let v = data.offsets[f]; v < data.offsets[f + 1]; v++) {
      const w = v + 1 < data.offsets[f + 1] ? v + 1 : data.offsets[f];
      a += data.coords[2 * v] * data.coords[2 * w + 1] - data.coords[2 * w] * data.coords[2 * v + 1];
    }
    assert.ok(Math.abs(a / 2 - data.areas[f]) < 1e-9 * Math.max(1, data.areas[f]), `face ${f}`);
    total += data.areas[f];
  }
  const [x0, x1, y0, y1] = data.box;
  assert.ok(Math.abs(total - (x1 - x0) * (y1 - y0)) < 1e-9, 'faces tile the box');
  assert.equal(data.dualEdges.length, 2 * data.dualEdgeCounts.facet);
  assert.doesNotThrow(() => regionData(data));
});

test('each training point is counted in the region whose pattern the network gives it', async () => {
  const { mlp, pts, data } = await spiralsView();
  assert.equal(
    data.pointCounts.reduce((a, b) => a + b, 0),
    pts.n,
    'every training point lies in the default box',
  );
  const h = hiddenCount(mlp);
  const pre = new Float64Array(pts.n * h);
  forwardReluMlp(mlp, pts.xy, pts.n, pre);
  const grid = new SpatialGrid(data);
  let checked = 0;
  for (let i = 0; i < pts.n; i++) {
    let pattern = '';
    let margin = Infinity;
    for (let j = 0; j < h; j++) {
      pattern += pre[i * h + j] > 0 ? '1' : '0';
      margin = Math.min(margin, Math.abs(pre[i * h + j]));
    }
    if (margin < 1e-7) continue; // on a boundary: either neighbour is right
    assert.equal(data.patterns[grid.find(pts.xy[2 * i], pts.xy[2 * i + 1])], pattern, `point ${i}`);
    checked++;
  }
  assert.ok(checked > pts.n * 0.99);
});

test('the report form of the view survives JSON and comes back typed', async () => {
  const { data } = await spiralsView();
  const back = regionDataFromJson(JSON.parse(JSON.stringify(regionDataToJson(data))));
  assert.ok(back.coords instanceof Float64Array && back.offsets instanceof Uint32Array);
  assert.deepEqual(Array.from(back.coords), Array.from(data.coords));
  assert.deepEqual(Array.from(back.pointCounts), Array.from(data.pointCounts));
  assert.deepEqual(back.patterns, data.patterns);
  assert.deepEqual(Array.from(back.points?.labels ?? []), Array.from(data.points?.labels ?? []));
});

test('sweep view: rows as plain lists, undefined correlations as null', () => {
  const r: SweepResult = {
    checkpoints: [
      {
        file: 'a/epoch_0.onnx',
        epoch: 0,
        fVector: [4, 4, 1],
        dualEdges: { facet: 0, hamming1: 0 },
        betaMax: { beta0: 4, beta1: 1 },
        beta1PeakFraction: 0.7,
        loss: 0.7,
      },
      {
        file: 'a/epoch_9.onnx',
        epoch: 9,
        fVector: [6, 7, 2],
        dualEdges: { facet: 1, hamming1: 1 },
        betaMax: { beta0: 6, beta1: 2 },
        beta1PeakFraction: 0.6,
        loss: null,
      },
    ],
    heatmap: {
      columns: Float64Array.from([0.5, 1]),
      beta0: [Float64Array.from([3, 1]), Float64Array.from([5, 1])],
      beta1: [Float64Array.from([0, 0]), Float64Array.from([1, 0])],
    },
    correlations: {
      f0: { pearson: 1, spearman: 1 },
      f1: null,
      f2: { pearson: NaN, spearman: 0.5 },
      beta1PeakFraction: null,
    },
    trials: 25,
    box: [0, 1, 0, 1],
  };
  const s = sweepDataFrom(r, '/w/a', 'loss.csv');
  assert.deepEqual(s.heatmap.beta0, [
    [3, 1],
    [5, 1],
  ]);
  assert.deepEqual(s.heatmap.columns, [0.5, 1]);
  assert.deepEqual(
    s.checkpoints.map((c) => c.loss),
    [0.7, null],
  );
  assert.deepEqual(
    s.correlations.map((c) => [c.pearson, c.spearman]),
    [
      [1, 1],
      [null, null],
      [null, 0.5],
      [null, null],
    ],
  );
});
