import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { forwardReluMlp, hiddenCount, loadReluMlp, randomReluMlp } from '../../../src/core/model/relu-mlp';
import { patternGraph } from '../../../src/core/polytope/patterns';
import { readTensorFile } from '../../../src/core/io/read';
import { toFloat64, toLabels } from '../../../src/core/io/tensor';
import { mulberry32 } from '../../../src/core/random';

const digits = path.resolve(__dirname, '../../../../shared/fixtures/digits');

/** Brute force: patterns as 0/1 strings, Hamming-1 pairs by comparing every pair. */
function bruteForce(pre: Float64Array, n: number, h: number): { keys: string[]; pairs: Set<string> } {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 0; j < h; j++) s += pre[i * h + j] > 0 ? '1' : '0';
    if (!keys.includes(s)) keys.push(s);
  }
  const pairs = new Set<string>();
  for (let a = 0; a < keys.length; a++) {
    for (let b = a + 1; b < keys.length; b++) {
      let d = 0;
      for (let j = 0; j < h; j++) if (keys[a][j] !== keys[b][j]) d++;
      if (d === 1) pairs.add(`${a},${b}`);
    }
  }
  return { keys, pairs };
}

test('distinct patterns, counts, labels and Hamming-1 edges equal a brute-force reference', () => {
  for (const seed of [1, 2, 3]) {
    const mlp = randomReluMlp([4, 9, 40, 3], seed); // 49 neurons: patterns span two words
    const n = 400;
    const rng = mulberry32(seed);
    const x = Float64Array.from({ length: n * 4 }, () => rng() * 0.6 - 0.3);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * 3));
    const h = hiddenCount(mlp);
    const pre = new Float64Array(n * h);
    forwardReluMlp(mlp, x, n, pre);
    const ref = bruteForce(pre, n, h);
    const g = patternGraph(mlp, x, n, labels);
    assert.equal(g.counts.length, ref.keys.length);
    const edges = new Set(Array.from(g.source, (s, k) => `${s},${g.target[k]}`));
    assert.deepEqual(edges, ref.pairs);
    assert.ok(ref.pairs.size > 0, 'the test data has Hamming-1 pairs');
    assert.equal(
      g.counts.reduce((a, b) => a + b, 0),
      n,
    );
    assert.equal(
      g.labelCounts.reduce((a, b) => a + b, 0),
      n,
    );
    for (let i = 0; i < n; i++) assert.ok(g.labelCounts[g.patternOf[i] * g.classes + labels[i]] > 0);
    for (let k = 0; k < g.source.length; k++) {
      const j = g.flippedNeuron[k];
      assert.notEqual(ref.keys[g.source[k]][j], ref.keys[g.target[k]][j]);
      assert.equal(g.componentOf[g.source[k]], g.componentOf[g.target[k]]);
    }
    const lc = g.largestComponent;
    assert.equal(Array.from(g.componentOf).filter((c) => c === lc.id).length, lc.patterns);
  }
});

test('digits MLP on the 2 000 test images: every image has its own pattern of 192 neurons', async () => {
  const mlp = await loadReluMlp(path.join(digits, 'mlp_clean.onnx'));
  const images = await readTensorFile(path.join(digits, 'test_images.npy'));
  const labels = toLabels(await readTensorFile(path.join(digits, 'test_labels.npy')));
  const n = 2000;
  const g = patternGraph(mlp, toFloat64(images), n, labels);
  assert.equal(g.hidden, 192);
  assert.equal(g.classes, 10);
  const h = 192;
  const pre = new Float64Array(n * h);
  forwardReluMlp(mlp, toFloat64(images), n, pre);
  const distinct = new Set<string>();
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let j = 0; j < h; j++) s += pre[i * h + j] > 0 ? '1' : '0';
    distinct.add(s);
  }
  assert.equal(g.counts.length, distinct.size);
  assert.equal(g.largestComponent.samples >= 1, true);
});
