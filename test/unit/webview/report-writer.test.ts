import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { mapperSections } from '../../../src/core/report/mapper-sections';
import { escapeHtml } from '../../../src/core/report/html-page';
import { writeReport } from '../../../src/core/report/write-report';
import { compareData, mapperData } from '../../../webview/shared/protocol';

const fixtures = path.resolve(__dirname, '../../../../shared/fixtures/digits');
const spec = {
  name: 'digits',
  labels: path.join(fixtures, 'test_labels.npy'),
  sets: [0, 0.1].map((e) => ({
    name: `ε=${e}`,
    epsilon: e,
    activations: path.join(fixtures, `act_adv_linf_0.1_eps${e.toFixed(2)}.npy`),
    predictions: path.join(fixtures, `pred_adv_linf_0.1_eps${e.toFixed(2)}.npy`),
  })),
  mapper: { eps: 'auto' as const },
};

/** The view page's embedded state, decoded as a browser would read data-state. */
function embeddedState(html: string): unknown {
  const m = /data-state="([^"]*)"/.exec(html);
  assert.ok(m, 'page has a data-state attribute');
  const json = m[1]
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return (JSON.parse(json) as { data: unknown }).data;
}

test('report of two sets: index lists node counts, pages embed valid view data, ε resolved once', async () => {
  const outDir = await mkdtemp(path.join(tmpdir(), 'toposcope-report-'));
  const bundleDir = await mkdtemp(path.join(tmpdir(), 'toposcope-bundles-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(bundleDir, 'mapper.js'), '/* mapper bundle */');
    await writeFile(path.join(bundleDir, 'compare.js'), '/* compare bundle */');
    const sections = await mapperSections(spec, { outDir });
    assert.deepEqual(
      sections.map((s) => s.view),
      ['compare', 'mapper', 'mapper'],
    );
    const written = await writeReport({ outDir, title: 'T', bundleDir, sections });
    const index = await readFile(written.index, 'utf8');
    const cmp = compareData(embeddedState(await readFile(path.join(outDir, 'comparison.html'), 'utf8')));
    assert.equal(cmp.sets.length, 2);
    assert.equal(
      cmp.sets[0].graph.parameters.eps,
      cmp.sets[1].graph.parameters.eps,
      'ε reused from the first set',
    );
    assert.equal(cmp.sets[0].graph.parameters.epsAuto, true);
    for (const [i, set] of cmp.sets.entries()) {
      const page = mapperData(embeddedState(await readFile(path.join(outDir, `set-${i}.html`), 'utf8')));
      assert.equal(page.graph.summary.nodes, set.graph.summary.nodes);
      assert.ok(page.graph.summary.nodes > 0);
      assert.equal(page.labels?.length, 2000);
      assert.match(index, new RegExp(`data-testid="node-count">${set.graph.summary.nodes}<`));
      const members = new Set(page.graph.nodes.flatMap((n) => n.members));
      assert.equal(members.size, page.graph.summary.pointsInGraph);
    }
    assert.match(index, /Content-Security-Policy" content="default-src 'none'/);
    assert.equal(await readFile(path.join(outDir, 'mapper.js'), 'utf8'), '/* mapper bundle */');
  } finally {
    await rm(outDir, { recursive: true, force: true });
    await rm(bundleDir, { recursive: true, force: true });
  }
});

test('a report without built bundles is refused with a typed error', async () => {
  const outDir = path.join(tmpdir(), `toposcope-never-${process.pid}`);
  const base = { outDir, title: 'T', bundleDir: path.join(tmpdir(), 'no-such-bundles') };
  await assert.rejects(
    writeReport({ ...base, sections: [{ id: 'a', title: 'a', view: 'mapper', state: {}, stats: [] }] }),
    /bundles not found/,
  );
});

test('escapeHtml leaves no markup-significant characters', () => {
  const s = escapeHtml(`<script>"x" & 'y'</script>`);
  assert.doesNotMatch(s, /[<>"']/);
  assert.equal(s.replace(/&amp;/g, '&').includes('&lt;script&gt;'), true);
});
