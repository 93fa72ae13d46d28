/**
 * Worker pool overheads (no DESIGN.md §8 target): what running a job off the extension host's thread
 * costs on top of the job itself — a message round trip to a warm worker thread and to the onnxruntime
 * child process, and a result of 10⁶ float64 values crossing back by structured clone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WorkerPool } from '../src/extension/worker/pool';
import type { Benchmark } from './harness';

const root = path.resolve(__dirname, '..');
const workerScript = path.join(root, 'dist', 'worker.js');

let shared: WorkerPool | undefined;
function pool(): WorkerPool {
  if (!existsSync(workerScript)) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')]);
  process.env.TOPOSCOPE_TEST_JOBS = '1';
  if (!shared) {
    shared = new WorkerPool({ workerScript, threads: 1 });
    // The run ends when the event loop empties: shut the idle workers down then.
    process.once('beforeExit', () => shared?.dispose());
  }
  return shared;
}

const RUNS = 20;

async function roundTrips(kind: string): Promise<string> {
  const p = pool();
  for (let i = 0; i < RUNS; i++) await p.run(kind, { steps: 0 });
  return `${RUNS} round trips`;
}

export const benchmarks: Benchmark<unknown>[] = [
  {
    name: `pool: ${RUNS} empty jobs in a warm worker thread`,
    target: '—',
    setup: () => pool().run('toposcope.test.count', { steps: 0 }),
    run: () => roundTrips('toposcope.test.count'),
  },
  {
    name: `pool: ${RUNS} empty jobs in the warm onnxruntime process`,
    target: '—',
    setup: () => pool().run('toposcope.test.ortCount', { steps: 0 }),
    run: () => roundTrips('toposcope.test.ortCount'),
  },
  {
    name: 'pool: 10⁶ float64 values there and back (thread)',
    target: '—',
    setup: () => new Float64Array(1_000_000).fill(1.5),
    run: async (values) => {
      const r = (await pool().run('toposcope.test.count', { steps: 1, values })) as { doubled: Float64Array };
      return `${r.doubled.length} values`;
    },
  },
];
