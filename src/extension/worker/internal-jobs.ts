/**
 * Jobs the worker answers itself, outside the analysis registry: `describe` tells the pool which kinds
 * exist and which must run in the killable child process (the pool never imports the registry, so
 * onnxruntime-node is never loaded on the extension host's thread). The `toposcope.test.*` kinds exist
 * only when TOPOSCOPE_TEST_JOBS=1, to test cancellation and crash recovery against the real worker.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import { InputError } from '../../core/errors';
import type { JobContext } from '../../core/jobs/types';

export const DESCRIBE_KIND = 'toposcope.describe';

export interface WorkerDescription {
  kinds: string[];
  ortJobs: string[];
}

/** Test kinds that must run in the child process (they abort it or ignore cancellation there). */
export const TEST_ORT_KINDS = ['toposcope.test.abort', 'toposcope.test.ortSpin', 'toposcope.test.ortCount'];

export function testJobsEnabled(): boolean {
  return process.env.TOPOSCOPE_TEST_JOBS === '1';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Spinning on purpose: this job models an analysis that never yields.
  }
}

interface CountParams {
  steps: number;
  stepMs?: number;
  values?: Float64Array;
}

/** Cooperative: one progress report and one cancellation check per step, yielding between steps. */
async function count(p: CountParams, ctx: JobContext) {
  for (let i = 0; i < p.steps; i++) {
    ctx.throwIfCancelled();
    busyWait(p.stepMs ?? 5);
    ctx.progress((i + 1) / p.steps, `step ${i + 1}`);
    await sleep(0);
  }
  ctx.log(`counted ${p.steps} steps`);
  const doubled = p.values ? p.values.map((v) => 2 * v) : new Float64Array(0);
  return { steps: p.steps, doubled, where: whereAmI() };
}

function whereAmI() {
  return {
    pid: process.pid,
    isMainThread,
    threadId,
    ortLoaded: Object.keys(require.cache).some((k) => k.includes('onnxruntime')),
  };
}

type TestJob = (params: never, ctx: JobContext) => unknown;

const testJobs: Record<string, TestJob> = {
  'toposcope.test.count': count,
  'toposcope.test.ortCount': count,
  'toposcope.test.whereAmI': () => whereAmI(),
  'toposcope.test.spin': (p: { ms: number }) => busyWait(p.ms),
  'toposcope.test.ortSpin': (p: { ms: number }) => busyWait(p.ms),
  'toposcope.test.fail': (p: { input: boolean }) => {
    if (p.input) throw new InputError('bad.npy', 'truncated header', 'truncated');
    throw new Error('internal test failure');
  },
  'toposcope.test.oom': () => {
    // Plain objects, not typed arrays: typed-array memory lives outside the heap limit.
    const hoard: { i: number }[][] = [];
    for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => ({ i })));
  },
  'toposcope.test.abort': () => process.abort(),
};

/** The handler for an internal kind, or undefined for the registry's kinds. */
export function internalJob(
  kind: string,
  describe: () => WorkerDescription,
): ((params: unknown, ctx: JobContext) => unknown) | undefined {
  if (kind === DESCRIBE_KIND) return () => describe();
  if (!testJobsEnabled()) return undefined;
  const job = testJobs[kind];
  return job ? (params, ctx) => job(params as never, ctx) : undefined;
}

export function testJobKinds(): string[] {
  return testJobsEnabled() ? Object.keys(testJobs) : [];
}
