import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readTensorFile } from '../../src/core/io/read';
import { toFloat32, toLabels } from '../../src/core/io/tensor';
import { buildMapper } from '../../src/core/mapper/mapper';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist', 'cli.js');
const spec = path.join(root, 'demo', 'digits', 'adv.toposcope.json');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });

test('report writes an offline index with the node count of every set, and one page per view', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'toposcope-report-cli-'));
  try {
    const r = run('report', spec, '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { index: string; pages: { id: string; view: string }[] };
    assert.equal(result.index, path.join(out, 'index.html'));
    assert.deepEqual(
      result.pages.map((p) => p.view),
      ['compare', 'mapper', 'mapper', 'mapper', 'mapper', 'mapper'],
    );
    const index = readFileSync(result.index, 'utf8');
    const counts = [...index.matchAll(/data-testid="node-count">(\d+)</g)].map((m) => Number(m[1]));
    assert.equal(counts.length, 5);
    // Independent check of the clean set: the engine with ε resolved by the same rule.
    const dir = path.dirname(spec);
    const act = await readTensorFile(path.join(dir, 'act_adv_linf_0.1_eps0.00.npy'));
    const labels = toLabels(await readTensorFile(path.join(dir, 'test_labels.npy')));
    const g = buildMapper({ x: toFloat32(act), n: act.shape[0], d: act.shape[1], labels }, { eps: 'auto' });
    assert.equal(counts[0], g.summary.nodes);
    for (const p of result.pages) {
      const html = readFileSync(path.join(out, `${p.id}.html`), 'utf8');
      assert.match(html, /default-src 'none'/);
      assert.doesNotMatch(html, /https?:\/\//, 'no network references');
      assert.ok(existsSync(path.join(out, `${p.view}.js`)));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('report on a missing spec exits 2 with one error line naming the file', () => {
  const r = run('report', path.join(root, 'no-such.toposcope.json'), '--out', path.join(tmpdir(), 'never'));
  assert.equal(r.status, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^error: .*no-such\.toposcope\.json: /);
});

test('demo writes the digits comparison and its mapper pages', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'toposcope-demo-cli-'));
  try {
    const r = run('demo', '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const { pages } = JSON.parse(r.stdout) as { pages: { id: string; view: string }[] };
    assert.ok(pages.some((p) => p.view === 'compare'));
    assert.ok(pages.filter((p) => p.view === 'mapper').length >= 5);
    assert.match(readFileSync(path.join(out, 'index.html'), 'utf8'), /data-testid="node-count">\d+</);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
