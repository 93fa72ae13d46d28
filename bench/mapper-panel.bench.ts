/**
 * "Open the Mapper panel on 10 000 points, first paint" (DESIGN.md §8), without the editor around it: the
 * mapper graph of a 10-blob 10 000 × 10 mixture (what the worker computes), the view data the host posts,
 * and the mapper view's bundle in Chromium drawing it until #app[data-ready]. Needs `npm run build`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildMapper } from '../src/core/mapper/mapper';
import { mapperViewData } from '../src/core/report/view-data';
import { writeReport } from '../src/core/report/write-report';
import type { Benchmark } from './harness';

const RUNS = 5;

function blobs(n: number, d: number): { x: Float32Array; labels: Int32Array; predictions: Int32Array } {
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const predictions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === k % d ? 6 : 0) + gauss();
    labels[i] = k;
    predictions[i] = rand() < 0.1 ? (k + 1) % 10 : k;
  }
  return { x, labels, predictions };
}

interface State {
  browser: Browser;
  page: Page;
  dir: string;
  data: ReturnType<typeof blobs>;
  runs: number;
}

const firstPaint: Benchmark<State> = {
  name: 'mapper panel first paint, 10 000 × 10 (graph + view drawn)',
  target: '≤ 1.5 s',
  targetMs: 1500,
  runs: RUNS,
  setup: async (): Promise<State> => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    return {
      browser,
      page,
      dir: mkdtempSync(path.join(tmpdir(), 'toposcope-bench-')),
      data: blobs(10_000, 10),
      runs: 0,
    };
  },
  run: async (st: State) => {
    const { x, labels, predictions } = st.data;
    const graph = buildMapper({ x, n: 10_000, d: 10, labels, predictions });
    const data = mapperViewData(graph, {
      title: 'blobs',
      labels,
      predictions,
      live: false,
      hasSamples: false,
    });
    const outDir = path.join(st.dir, String(st.runs));
    await writeReport({
      outDir,
      title: 'bench',
      bundleDir: path.resolve(__dirname, '..', 'dist', 'webview'),
      sections: [{ id: 'mapper', title: 'blobs', view: 'mapper', state: data, stats: [] }],
    });
    await st.page.goto(`file://${path.join(outDir, 'mapper.html')}`);
    await st.page.waitForSelector('#app[data-ready="true"]', { timeout: 30_000 });
    const drawMs = await st.page.evaluate(() => Math.round(performance.now()));
    if (++st.runs === RUNS) await st.browser.close();
    return `${graph.summary.nodes} nodes; engine ${(graph.summary.seconds * 1000).toFixed(0)} ms, page ${drawMs} ms`;
  },
};

export const benchmarks = [firstPaint as unknown as Benchmark<unknown>];
