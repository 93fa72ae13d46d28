import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

const repoRoot = path.resolve(__dirname, '../..');
const spirals = path.resolve(repoRoot, '../shared/fixtures/spirals');
const digits = path.resolve(repoRoot, '../shared/fixtures/digits');
const toposcope = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
const expected = JSON.parse(readFileSync(path.join(spirals, 'expected_polytope.json'), 'utf8'));
const box = `--box=${expected.box.join(',')}`;

function json(r: ReturnType<typeof toposcope>): Record<string, unknown> & { [k: string]: never } {
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON object on stdout');
  return JSON.parse(lines[0]);
}

describe('toposcope polytope', () => {
  for (const dual of ['facet', 'hamming1'] as const) {
    it(`reproduces expected_polytope.json on the spirals model (--dual ${dual})`, () => {
      const j = json(
        toposcope(
          'polytope',
          path.join(spirals, 'model.onnx'),
          box,
          '--train',
          path.join(spirals, 'train.csv'),
          '--dual',
          dual,
          '--json',
        ),
      );
      assert.deepEqual(j.fVector, expected.f_vector);
      assert.equal(j.euler, 1);
      assert.equal(j.regions, expected.regions);
      assert.deepEqual(j.dualEdges, {
        facet: expected.dual_edges_facet,
        hamming1: expected.dual_edges_hamming1,
      });
      assert.equal(j.facesWithTrainingPoints, expected.regions_with_training_points);
      for (const w of ['unweighted', 'weighted'] as const) {
        const ref = expected[`fiedler_${w}_${dual}`];
        const got = (
          j.fiedler as Record<
            string,
            { misclassifiedPct: number; l2Error: number; lambda2: number; gapRatio: number }
          >
        )[w];
        assert.ok(Math.abs(got.misclassifiedPct - ref.misclassified_pct) < 1e-6);
        assert.ok(Math.abs(got.l2Error - ref.l2_error) < 1e-6);
        assert.ok(Math.abs(got.lambda2 - ref.eigenvalues[1]) < 1e-6);
        assert.ok(got.gapRatio > 1);
      }
      assert.equal(typeof j.seconds, 'number');
    });
  }

  it('prints a table by default and writes the whole complex with --out', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'toposcope-polytope-'));
    try {
      const out = path.join(dir, 'complex.json');
      const r = toposcope('polytope', path.join(spirals, 'model.onnx'), box, '--out', out);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /f-vector \(f0, f1, f2\)\s+92, 168, 77/);
      const c = JSON.parse(readFileSync(out, 'utf8'));
      assert.equal(c.vertices.length, 92);
      assert.equal(c.edges.length, 168);
      assert.equal(c.faces.length, 77);
      assert.equal(new Set(c.faces.map((f: { pattern: string }) => f.pattern)).size, 77);
      assert.equal(c.fiedler.weighted, null, 'no weighted Laplacian without training points');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input exits 2 with one error line naming the file or option', () => {
    const missing = toposcope('polytope', path.join(spirals, 'nope.onnx'), '--box=0,1,0,1');
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^error: .*nope\.onnx: /);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const badBox = toposcope('polytope', path.join(spirals, 'model.onnx'), '--box=1,0,0,1');
    assert.equal(badBox.status, 2);
    assert.match(badBox.stderr, /^error: --box/);
    const noBox = toposcope('polytope', path.join(spirals, 'model.onnx'));
    assert.equal(noBox.status, 2);
    const notMlp = toposcope('polytope', path.join(spirals, 'train.csv'), '--box=0,1,0,1');
    assert.equal(notMlp.status, 2);
    const highDim = toposcope('polytope', path.join(digits, 'mlp_clean.onnx'), '--box=0,1,0,1');
    assert.equal(highDim.status, 2);
    assert.match(highDim.stderr, /slice/);
  });

  it('slices a 784-dimensional MLP through three digits', () => {
    const j = json(
      toposcope(
        'polytope',
        path.join(digits, 'mlp_clean.onnx'),
        '--slice',
        '0,1,2',
        '--inputs',
        path.join(digits, 'test_images.npy'),
        '--json',
      ),
    );
    const [f0, f1, f2] = j.fVector as number[];
    assert.equal(f0 - f1 + f2, 1);
    assert.ok(f2 > 1);
  });
});

describe('toposcope betti', () => {
  it('averaged curves with max β0 = f0 and max β1 = f2', () => {
    const j = json(
      toposcope('betti', path.join(spirals, 'model.onnx'), box, '--trials', '10', '--seed', '3', '--json'),
    );
    const [f0, f1, f2] = j.fVector as number[];
    assert.deepEqual(j.fVector, expected.f_vector);
    assert.deepEqual(j.max, { beta0: f0, beta1: f2 });
    const curves = j.curves as { fraction: number[]; beta0: number[]; beta1: number[] };
    assert.equal(curves.fraction.length, f0 + f1 + f2);
    assert.equal(curves.beta0.at(-1), 1);
    assert.equal(curves.beta1.at(-1), 0);
    assert.equal(j.trials, 10);
    const bad = toposcope('betti', path.join(spirals, 'model.onnx'), box, '--trials', 'x');
    assert.equal(bad.status, 2);
  });
});

describe('toposcope sweep', () => {
  it('sweeps the spirals checkpoints in epoch order with losses, heat maps and correlations', () => {
    const j = json(
      toposcope(
        'sweep',
        path.join(spirals, 'checkpoints'),
        box,
        '--trials',
        '5',
        '--columns',
        '50',
        '--json',
      ),
    );
    const lines = readFileSync(path.join(spirals, 'expected_checkpoints.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const cps = j.checkpoints as {
      file: string;
      epoch: number;
      fVector: number[];
      loss: number | null;
      betaMax: { beta1: number };
    }[];
    assert.deepEqual(
      cps.map((c) => c.epoch),
      [0, 10, 30, 100, 300, 1000, 2000, 3000],
    );
    cps.forEach((c, i) => {
      assert.equal(path.basename(c.file, '.onnx'), lines[i].checkpoint);
      assert.deepEqual(c.fVector, lines[i].f_vector);
      assert.equal(c.betaMax.beta1, c.fVector[2]);
    });
    assert.equal(cps[0].loss, null, 'loss.csv starts at epoch 1');
    assert.ok(Math.abs((cps[7].loss as number) - 0.06048757955431938) < 1e-7);
    const heat = j.heatmap as { columns: number[]; beta0: number[][]; beta1: number[][] };
    assert.equal(heat.columns.length, 50);
    assert.equal(heat.beta0.length, 8);
    assert.ok(heat.beta1.every((row) => row.length === 50 && row.at(-1) === 0));
    const corr = j.correlations as Record<string, { pearson: number; spearman: number }>;
    for (const k of ['f0', 'f1', 'f2', 'beta1PeakFraction']) {
      assert.ok(Math.abs(corr[k].pearson) <= 1 && Math.abs(corr[k].spearman) <= 1);
    }
    assert.ok(corr.f2.pearson < 0, 'more regions as the loss falls');
  });

  it('a folder without checkpoints, or of models without 2-D input, exits 2', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'toposcope-sweep-'));
    try {
      const r = toposcope('sweep', dir, '--box=0,1,0,1');
      assert.equal(r.status, 2);
      assert.match(r.stderr, /no checkpoints/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const d = toposcope('sweep', digits, '--box=0,1,0,1');
    assert.equal(d.status, 2);
    assert.match(d.stderr, /input dimension 784/);
  });
});

describe('toposcope patterns', () => {
  it('the digits MLP on its test images', () => {
    const j = json(
      toposcope(
        'patterns',
        path.join(digits, 'mlp_clean.onnx'),
        '--inputs',
        path.join(digits, 'test_images.npy'),
        '--labels',
        path.join(digits, 'test_labels.npy'),
        '--json',
      ),
    );
    assert.equal(j.samples, 2000);
    assert.equal(j.hidden, 192);
    const patterns = j.patterns as { count: number; labelCounts: number[] }[];
    assert.equal(
      patterns.reduce((s, p) => s + p.count, 0),
      2000,
    );
    assert.ok(patterns.every((p) => p.labelCounts.length === 10));
    assert.ok(Array.isArray(j.edges));
    assert.ok((j.largestComponent as { patterns: number }).patterns >= 1);
  });

  it('inputs that do not fit the model exit 2', () => {
    const r = toposcope(
      'patterns',
      path.join(digits, 'mlp_clean.onnx'),
      '--inputs',
      path.join(digits, 'test_labels.npy'),
    );
    assert.equal(r.status, 2);
  });
});
