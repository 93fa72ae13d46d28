import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy, parseNpy } from '../../src/core/io/npy';
import { mulberry32, randomNormal } from '../../src/core/random';
import { toLabels } from '../../src/core/io/tensor';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli.js');
const digits = path.resolve(root, '../shared/fixtures/digits');
const f = (name: string) => path.join(digits, name);
const EPS = ['0.00', '0.05', '0.10', '0.20', '0.30'];

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(...args: string[]) {
  const r = run(...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1, 'exactly one JSON line');
  return JSON.parse(r.stdout);
}

test('mapper --json: the §11 keys, and the reference graph of the digits at ε = 3.8', () => {
  const g = json(
    'mapper',
    f('act_adv_linf_0.1_eps0.00.npy'),
    '--labels',
    f('test_labels.npy'),
    '--predictions',
    f('pred_adv_linf_0.1_eps0.00.npy'),
    '--eps',
    '3.8',
  );
  const ref = JSON.parse(readFileSync(f('expected_mapper_adv_eps0.00.json'), 'utf8'));
  assert.equal(g.parameters.eps, 3.8);
  for (const key of [
    'nodes',
    'edges',
    'pointsInGraph',
    'pointsDropped',
    'weightedPurity',
    'meanAccuracy',
    'seconds',
  ]) {
    assert.ok(key in g.summary, key);
  }
  assert.equal(g.summary.nodes, ref.nodes);
  assert.equal(g.summary.edges, ref.edges);
  assert.equal(g.summary.pointsInGraph, ref.points_in_graph);
  assert.ok(Math.abs(g.summary.weightedPurity - ref.weighted_purity) < 1e-9);
  for (const key of ['id', 'interval', 'size', 'members', 'lensMean', 'purity', 'accuracy', 'labelCounts']) {
    assert.ok(key in g.nodes[0], key);
  }
  assert.deepEqual(Object.keys(g.edges[0]).sort(), ['source', 'target', 'weight']);
  assert.deepEqual(g.summary.droppedByReason, { noise: 324, smallPreimage: 1, uncovered: 0 });
});

test('compare under attack: one resolved ε for every set, weighted purity falls as ε grows', () => {
  const sets = EPS.flatMap((e) => [
    '--set',
    `eps=${e}=${f(`act_adv_linf_0.1_eps${e}.npy`)},${f(`pred_adv_linf_0.1_eps${e}.npy`)}`,
  ]);
  const r = json('compare', ...sets, '--labels', f('test_labels.npy'));
  assert.equal(r.sets.length, 5);
  assert.equal(r.parameters.epsAuto, true);
  assert.deepEqual(
    r.sets.map((s: { epsilon: number }) => s.epsilon),
    [0, 0.05, 0.1, 0.2, 0.3],
  );
  // the ε of the first set, reused: all sets were built with the same radius
  const single = json('mapper', f('act_adv_linf_0.1_eps0.00.npy'));
  assert.equal(r.parameters.eps, single.parameters.eps);
  const purity = r.sets.map((s: { summary: { weightedPurity: number } }) => s.summary.weightedPurity);
  for (let i = 1; i < purity.length; i++) assert.ok(purity[i] < purity[i - 1], `purity ${purity}`);
  const accuracy = r.sets.map((s: { summary: { meanAccuracy: number } }) => s.summary.meanAccuracy);
  assert.ok(accuracy[4] < accuracy[0]);
});

test("compare SPEC: the spec's sets, labels and mapper options; explicit options win", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-spec-'));
  const spec = path.join(dir, 'digits.toposcope.json');
  writeFileSync(
    spec,
    JSON.stringify({
      name: 'digits',
      labels: f('test_labels.npy'),
      sets: ['0.00', '0.10'].map((e) => ({
        name: `eps ${e}`,
        epsilon: Number(e),
        activations: f(`act_clean_eps${e}.npy`),
        predictions: f(`pred_clean_eps${e}.npy`),
      })),
      mapper: { intervals: 12, overlap: 0.25, eps: 'auto', minSamples: 4 },
    }),
  );
  const r = json('compare', spec, '--min-samples', '6');
  assert.deepEqual(
    r.sets.map((s: { name: string; epsilon: number }) => [s.name, s.epsilon]),
    [
      ['eps 0.00', 0],
      ['eps 0.10', 0.1],
    ],
  );
  assert.equal(r.parameters.intervals, 12);
  assert.equal(r.parameters.overlap, 0.25);
  assert.equal(r.parameters.minSamples, 6);
  assert.ok(r.sets[1].summary.weightedPurity < r.sets[0].summary.weightedPurity);
});

test('weak-regions: ranking by accuracy and a refinement set of exactly ⌈f·N⌉ misclassified samples', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toposcope-weak-'));
  const graphFile = path.join(dir, 'graph.json');
  const base = ['--labels', f('test_labels.npy'), '--predictions', f('pred_adv_linf_0.1_eps0.10.npy')];
  assert.equal(run('mapper', f('act_adv_linf_0.1_eps0.10.npy'), ...base, '--out', graphFile).code, 0);
  const csv = path.join(dir, 'sel.csv');
  const npy = path.join(dir, 'sel.npy');
  const r = json(
    'weak-regions',
    graphFile,
    '--train-size',
    '1000',
    '--refine-fraction',
    '0.2',
    '--samples',
    f('manifest.csv'),
    '--out',
    csv,
    '--indices-out',
    npy,
  );
  const acc = r.regions.map((w: { accuracy: number }) => w.accuracy);
  assert.deepEqual(
    acc,
    [...acc].sort((a: number, b: number) => a - b),
  );
  assert.ok(r.regions.every((w: { weak: boolean; accuracy: number }) => w.weak === w.accuracy < 0.9));
  assert.equal(r.refinement.size, 200);
  const labels = parseNpy(readFileSync(f('test_labels.npy'))).data;
  const preds = parseNpy(readFileSync(f('pred_adv_linf_0.1_eps0.10.npy'))).data;
  assert.equal(new Set(r.refinement.indices).size, 200);
  for (const i of r.refinement.indices) assert.notEqual(labels[i], preds[i]);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'index,file,label,prediction,node');
  assert.equal(lines.length, 201);
  assert.match(lines[1], /^\d+,.*samples\/test_\d{4}\.png,\d,\d,\d+$/);
  assert.deepEqual(Array.from(toLabels(parseNpy(readFileSync(npy)))), r.refinement.indices);
  // the same ranking straight from the activations
  const direct = json('weak-regions', f('act_adv_linf_0.1_eps0.10.npy'), ...base);
  assert.deepEqual(direct.regions, r.regions);
});

test('bad input exits 2 with one error line naming the file', () => {
  const missing = run('mapper', path.join(digits, 'nope.npy'));
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^error: .*nope\.npy: .+\n$/);
  // 16 rows of labels for 2 000 activations
  const mismatch = run(
    'mapper',
    f('act_clean_eps0.00.npy'),
    '--labels',
    f('ref_clean_input_grad_sum_ce.npy'),
  );
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.stderr, /^error: .*ref_clean_input_grad_sum_ce\.npy: row counts differ.*\n$/);
  const badOverlap = run('mapper', f('act_clean_eps0.00.npy'), '--overlap', '1.5');
  assert.equal(badOverlap.code, 2);
  assert.equal(badOverlap.stderr.trim().split('\n').length, 1);
  const notGraph = run('weak-regions', f('manifest.csv'), '--json');
  assert.equal(notGraph.code, 2);
});

test('mapper on a set large enough for helper threads: the graph the calling thread alone builds', () => {
  // 40 000 × 10 rows from 10 blobs: enough work per run for parallel.ts to hand preimages to a helper
  const rng = mulberry32(5);
  const n = 40_000;
  const d = 10;
  const centres = Array.from({ length: 10 * d }, () => 20 * rng() - 10);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * 10);
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c * d + j] + randomNormal(rng);
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'toposcope-cli-')), 'blobs.npy');
  writeFileSync(file, encodeNpy({ dtype: 'float32', shape: [n, d], data: x }));
  const withHelpers = json('mapper', file);
  const r = spawnSync(process.execPath, [cli, 'mapper', file, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, TOPOSCOPE_HELPERS: '0' },
  });
  assert.equal(r.status, 0, r.stderr);
  const alone = JSON.parse(r.stdout);
  assert.ok(withHelpers.summary.nodes > 10);
  assert.deepEqual(withHelpers.nodes, alone.nodes);
  assert.deepEqual(withHelpers.edges, alone.edges);
  assert.equal(withHelpers.parameters.eps, alone.parameters.eps);
});
